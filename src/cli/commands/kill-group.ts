import { parseSignal } from '../../core/terminate.js';
import { durationArg, type CommandDef } from '../options.js';

/** `procsweep kill-group PID...`: a process group plus every member's tree, gracefully and verified. */
export const killGroupCommand: CommandDef = {
  name: 'kill-group',
  summary: 'terminate the process group of each PID plus every descendant: TERM, then KILL, verified',
  args: '<pid...>',
  options: [
    { flags: '--pgid', description: 'read the arguments as process group ids instead of PIDs' },
    { flags: '--signal <sig>', description: 'the first signal (SIGKILL still follows after the grace)', defaultValue: 'SIGTERM', defaultDescription: 'TERM', parse: (v) => parseSignal(v) },
    { flags: '--grace <dur>', description: 'how long the first signal gets before SIGKILL', defaultValue: 3000, defaultDescription: '3s', parse: durationArg('--grace') },
    { flags: '-y, --yes', description: 'act without asking (required when stdin is not a terminal)' },
    { flags: '-n, --dry-run', description: 'show the plan as a tree and signal nothing' },
  ],
  examples: [
    'procsweep kill-group -n 4224',
    'procsweep kill-group 4224 4230',
    'procsweep kill-group -y --pgid 4220 --signal INT --grace 10s',
  ],
  action: async (args, opts) => (await import('../actions/kill-group.js')).runKillGroup(args, opts),
};
