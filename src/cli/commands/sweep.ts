import { DEFAULT_TARGETS, SWEEP_TARGETS } from '../../core/decide/flags.js';
import { commaList, defineCommand, type CliOptions } from '../options.js';
import { dryRunOption, graceOption, LOCK_OPTIONS, maxOption, olderThanOption, yesOption } from './acting.js';

/** `sweep`'s own options. */
export const SWEEP_OPTIONS = [
  { flags: '--target <targets>', description: `what to remove, comma-separated: ${Object.keys(SWEEP_TARGETS).join(', ')} or all, singular or plural alike (default: ${DEFAULT_TARGETS.join(',')}; kept processes never)`, parse: commaList },
  olderThanOption('only candidates running longer than this (e.g. 2m), and the age that makes --target long-lived; unknown ages are left alone'),
  graceOption('how long SIGTERM gets before SIGKILL'),
  yesOption(),
  dryRunOption('show the plan -y would execute and signal nothing'),
  maxOption(),
  ...LOCK_OPTIONS,
  { flags: '--log <file>', description: 'append one JSON line per target to this audit log' },
] as const;

/** What `runSweep` receives. */
export type SweepOptions = CliOptions<typeof SWEEP_OPTIONS>;

/** `procsweep sweep`: remove suspects (orphans by default) with their trees, after confirmation. */
export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: `remove suspect workers (${DEFAULT_TARGETS.join(' and ')} by default) with their whole trees: TERM, then KILL, verified`,
  options: SWEEP_OPTIONS,
  examples: [
    'procsweep sweep -n',
    'procsweep sweep',
    "procsweep sweep -y --args 'pipe:1|mjpeg' --grace 5s",
    'procsweep sweep --yes --older-than 2m --log /var/log/procsweep.jsonl',
    'procsweep sweep -n --target duplicates,long-lived --older-than 6h',
  ],
  action: async (_args, opts, cmd) => (await import('../handlers/sweep.js')).runSweep(opts, cmd),
});
