import { parseSignal } from '../../core/signals.js';
import type { CommandDef } from '../options.js';
import { dryRunOption, graceOption, LOCK_OPTIONS, YES_OPTION } from './acting.js';

/** `procsweep kill-group PID...`: a process group plus every member's tree, gracefully and verified. */
export const killGroupCommand: CommandDef = {
  name: 'kill-group',
  summary: 'terminate the process group of each PID plus every descendant: TERM, then KILL, verified',
  args: '[pid...]',
  options: [
    { flags: '--pgid', description: 'read the arguments as process group ids instead of PIDs' },
    { flags: '--signal <sig>', description: 'the first signal (SIGKILL still follows after the grace)', defaultValue: 'SIGTERM', defaultDescription: 'TERM', parse: (v) => parseSignal(v) },
    graceOption('the first signal'),
    YES_OPTION,
    dryRunOption('show the plan as a tree'),
    ...LOCK_OPTIONS,
  ],
  // The whole group and every tree go, whatever they match: the matching options only label.
  sharedHelp: {
    '--signature': 'add a signature, to label matching members in the plan (it never narrows the group)',
    '--match': 'label members of these signatures only (the whole group is still signalled)',
    '--args': 'label members whose command line matches this regex (the whole group is still signalled)',
    '--user': "label this user's members (the whole group is still signalled; the guard refuses other users' processes unless root)",
    '--port': 'instead of PIDs: the groups of the matched workers holding this local port, udp:N, tcp:N or N (repeatable); a holder matching no signature is never signalled',
    '--holds': 'instead of PIDs: the groups of the matched workers holding this file, FIFO or device open (repeatable)',
  },
  examples: [
    'procsweep kill-group -n 4224',
    'procsweep kill-group 4224 4230',
    'procsweep kill-group -y --pgid 4220 --signal INT --grace 10s',
    'procsweep kill-group -n --port udp:6000   # the groups of the matched workers holding UDP 6000',
  ],
  action: async (args, opts) => (await import('../actions/kill-group.js')).runKillGroup(args, opts),
};
