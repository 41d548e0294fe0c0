import { SWEEP_TARGETS } from '../../core/targets.js';
import { commaList, durationArg, intArg, type CommandDef } from '../options.js';
import { dryRunOption, graceOption, LOCK_OPTIONS, YES_OPTION } from './acting.js';

/** `procsweep sweep`: remove suspects (orphans by default) with their trees, after confirmation. */
export const sweepCommand: CommandDef = {
  name: 'sweep',
  summary: 'remove suspect workers (orphans and abandoned by default) with their whole trees: TERM, then KILL, verified',
  options: [
    { flags: '--target <targets>', description: `what to remove, comma-separated: ${Object.keys(SWEEP_TARGETS).join(', ')} or all, singular or plural alike (default: orphans,abandoned; kept processes never)`, parse: commaList },
    { flags: '--older-than <dur>', description: 'only candidates running longer than this (e.g. 2m), and the age that makes --target long-lived; unknown ages are left alone', parse: durationArg('--older-than'), scope: true },
    graceOption(),
    YES_OPTION,
    dryRunOption('show the plan -y would execute'),
    { flags: '--max <n>', description: 'refuse a plan that would signal more processes than this', defaultValue: 500, parse: intArg('--max', 1) },
    ...LOCK_OPTIONS,
    { flags: '--log <file>', description: 'append one JSON line per target to this audit log' },
  ],
  examples: [
    'procsweep sweep -n',
    'procsweep sweep',
    "procsweep sweep -y --args 'pipe:1|mjpeg' --grace 5s",
    'procsweep sweep --yes --older-than 2m --log /var/log/procsweep.jsonl',
    'procsweep sweep -n --target duplicates,long-lived --older-than 6h',
  ],
  action: async (_args, opts, cmd) => (await import('../actions/sweep.js')).runSweep(opts, cmd),
};
