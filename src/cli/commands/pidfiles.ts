import { defineCommand, type CliOptions, type CommandDef } from '../options.js';
import { dryRunOption, graceOption, LOCK_OPTIONS, REMOVE_INVALID_OPTION, yesOption } from './acting.js';
import { pidfilesWatchCommand } from './watch.js';

const WIDE = { flags: '--wide', description: 'never cut the reason: on a terminal it is wrapped inside its column' } as const;

/** `pidfiles list`'s own options. */
export const PIDFILES_LIST_OPTIONS = [WIDE] as const;
/** What `runPidfilesList` receives. */
export type PidfilesListOptions = CliOptions<typeof PIDFILES_LIST_OPTIONS>;

/** `procsweep pidfiles list`: records with status and reason. */
const listDef = defineCommand({
  name: 'list',
  summary: 'show every pidfile and registry entry with its status (live, dead, reused, zombie, invalid, unsafe) and why',
  options: PIDFILES_LIST_OPTIONS,
  examples: [
    'procsweep pidfiles list --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles list --registry /tmp/ecosystem-manager-processes.json --json',
  ],
  action: async (_args, opts, cmd) => (await import('../handlers/pidfiles.js')).runPidfilesList(opts, cmd),
});

/** `pidfiles clean`'s own options. */
export const PIDFILES_CLEAN_OPTIONS = [
  REMOVE_INVALID_OPTION,
  { flags: '--kill', description: 'first terminate the process tree of every live record (TERM, then KILL after --grace), then remove its record' },
  yesOption('do not ask before --kill (required when stdin is not a terminal)'),
  dryRunOption('show what would be removed and killed; change nothing'),
  graceOption('with --kill: how long TERM gets before KILL'),
  ...LOCK_OPTIONS,
  WIDE,
] as const;
/** What `runPidfilesClean` receives. */
export type PidfilesCleanOptions = CliOptions<typeof PIDFILES_CLEAN_OPTIONS>;

/** `procsweep pidfiles clean`: remove stale records, optionally terminating live ones first. */
const cleanDef = defineCommand({
  name: 'clean',
  summary: 'remove dead and reused records; --kill terminates live ones first (a supervisor start-up, made safe)',
  options: PIDFILES_CLEAN_OPTIONS,
  examples: [
    'procsweep pidfiles clean -n --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles clean --pid-dir /tmp/srt-gateway-pids --kill -y   # router start-up, step 1',
    'procsweep pidfiles clean --registry /tmp/ecosystem-manager-processes.json --remove-invalid',
  ],
  action: async (_args, opts, cmd) => (await import('../handlers/pidfiles.js')).runPidfilesClean(opts, cmd),
});

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
