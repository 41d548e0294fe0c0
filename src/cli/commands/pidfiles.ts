import { durationArg, GRACE_MAX, type CommandDef } from '../options.js';
import { LOCK_OPTIONS } from './acting.js';
import { pidfilesWatchCommand } from './watch.js';

const WIDE = { flags: '--wide', description: 'never cut the reason column' };

/** `procsweep pidfiles list`: records with status and reason. */
const listDef: CommandDef = {
  name: 'list',
  summary: 'show every pidfile and registry entry with its status (live, dead, reused, zombie, invalid, unsafe) and why',
  options: [WIDE],
  examples: [
    'procsweep pidfiles list --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles list --registry /tmp/ecosystem-manager-processes.json --json',
  ],
  action: async (_args, opts, cmd) => (await import('../actions/pidfiles.js')).runPidfilesList(opts, cmd),
};

/** `procsweep pidfiles clean`: remove stale records, optionally terminating live ones first. */
const cleanDef: CommandDef = {
  name: 'clean',
  summary: 'remove dead and reused records; --kill terminates live ones first (a supervisor start-up, made safe)',
  options: [
    { flags: '--remove-invalid', description: 'also remove records that do not parse (never unsafe ones, never a registry that does not parse)' },
    { flags: '--kill', description: 'first terminate the process tree of every live record (TERM, then KILL after --grace), then remove its record' },
    { flags: '-y, --yes', description: 'do not ask before --kill (required when stdin is not a terminal)' },
    { flags: '-n, --dry-run', description: 'show what would be removed and killed; change nothing' },
    { flags: '--grace <dur>', description: 'with --kill: how long TERM gets before KILL', defaultValue: 3000, defaultDescription: '3s', parse: durationArg('--grace', GRACE_MAX) },
    ...LOCK_OPTIONS,
    WIDE,
  ],
  examples: [
    'procsweep pidfiles clean -n --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles clean --pid-dir /tmp/srt-gateway-pids --kill -y   # router start-up, step 1',
    'procsweep pidfiles clean --registry /tmp/ecosystem-manager-processes.json --remove-invalid',
  ],
  action: async (_args, opts, cmd) => (await import('../actions/pidfiles.js')).runPidfilesClean(opts, cmd),
};

/** `procsweep pidfiles ...`: pidfile directories and JSON process registries. */
export const pidfilesCommand: CommandDef = {
  name: 'pidfiles',
  summary: 'check and clean the pidfiles and JSON process registries your supervisor writes',
  options: [],
  examples: [
    'procsweep pidfiles list --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles clean --pid-dir /tmp/srt-gateway-pids --kill -y',
    'procsweep pidfiles watch --registry /tmp/ecosystem-manager-processes.json --interval 30s',
  ],
  action: async () => 0,
  subcommands: [listDef, cleanDef, pidfilesWatchCommand],
};
