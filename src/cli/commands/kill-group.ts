import { parseSignal } from '../../core/act/signals.js';
import { defineCommand, type CliOptions, type CommandDef } from '../options.js';
import { dryRunOption, graceOption, LOCK_OPTIONS, yesOption } from './acting.js';

// The whole group (or tree) and every descendant go, whatever they match: the matching options only label.
const LABEL_ONLY: CommandDef['sharedHelp'] = {
  '--signature': 'add a signature, to label matching processes in the plan (it never narrows what is signalled)',
  '--match': 'label processes of these signatures only (everything planned is still signalled)',
  '--args': 'label processes whose command line matches this regex (everything planned is still signalled)',
  '--user': "label this user's processes (everything planned is still signalled; the guard refuses other users' processes unless root)",
};

/** `kill-tree`'s options; kill-group takes them too. */
export const KILL_TREE_OPTIONS = [
  { flags: '--signal <sig>', description: 'the first signal (SIGKILL still follows after the grace)', defaultValue: 'SIGTERM', defaultDescription: 'TERM', parse: (v: string) => parseSignal(v) },
  graceOption('how long the first signal gets before SIGKILL'),
  yesOption(),
  dryRunOption('show the plan as a tree and signal nothing'),
  ...LOCK_OPTIONS,
] as const;

/** `kill-group`'s options: kill-tree's, and `--pgid`. */
export const KILL_GROUP_OPTIONS = [{ flags: '--pgid', description: 'read the arguments as process group ids instead of PIDs' }, ...KILL_TREE_OPTIONS] as const;

/** What `runKillGroup` receives (kill-tree's options are the same, without `--pgid`). */
export type KillGroupOptions = CliOptions<typeof KILL_GROUP_OPTIONS>;

/** `procsweep kill-group PID...`: a process group plus every member's tree, gracefully and verified. */
export const killGroupCommand = defineCommand({
  name: 'kill-group',
  summary: 'terminate the process group of each PID plus every descendant: TERM, then KILL, verified',
  args: '[pid...]',
  options: KILL_GROUP_OPTIONS,
  sharedHelp: {
    ...LABEL_ONLY,
    '--port': 'instead of PIDs: the groups of the matched workers holding this local port, udp:N, tcp:N or N (repeatable); a holder matching no signature is never signalled',
    '--holds': 'instead of PIDs: the groups of the matched workers holding this file, FIFO or device open (repeatable)',
  },
  examples: [
    'procsweep kill-group -n 4224',
    'procsweep kill-group 4224 4230',
    'procsweep kill-group -y --pgid 4220 --signal INT --grace 10s',
    'procsweep kill-group -n --port udp:6000   # the groups of the matched workers holding UDP 6000',
  ],
  action: async (args, opts) => (await import('../handlers/kill-group.js')).runKillGroup(args, opts),
});

/** `procsweep kill-tree PID...`: one process and its descendants only (not its group), with kill-group's plan, guard and verification. */
export const killTreeCommand = defineCommand({
  name: 'kill-tree',
  summary: 'terminate each PID and its descendants only (not the rest of its group): TERM, then KILL, verified',
  args: '[pid...]',
  options: KILL_TREE_OPTIONS,
  sharedHelp: {
    ...LABEL_ONLY,
    '--port': 'instead of PIDs: the trees of the matched workers holding this local port, udp:N, tcp:N or N (repeatable); a holder matching no signature is never signalled',
    '--holds': 'instead of PIDs: the trees of the matched workers holding this file, FIFO or device open (repeatable)',
  },
  examples: [
    'procsweep kill-tree -n 4227',
    'procsweep kill-tree -y --grace 10s 4227   # this ffmpeg and its children; its wrapper and siblings stay',
  ],
  action: async (args, opts) => (await import('../handlers/kill-group.js')).runKillGroup(args, opts, 'tree'),
});
