import { ALL_FLAGS, CHECK_FLAGS } from '../../core/decide/flags.js';
import { UsageError } from '../../core/errors.js';
import { commaList, defineCommand, durationArg, type CliOptions } from '../options.js';

/** `--sample`: long enough to see past the 10 ms clock tick, short enough to be a glance. */
function sampleArg(value: string): number {
  const ms = durationArg('--sample', { ms: 60_000, text: '1m', why: 'list waits that long before it prints' })(value);
  if (ms < 100) throw new UsageError(`--sample '${value}' is too short: at least 100ms (CPU time is counted in 10ms clock ticks)`);
  return ms;
}

/** `list`'s own options (the shared ones come with every command). */
export const LIST_OPTIONS = [
  { flags: '--all', description: 'list every process, not only matched ones' },
  { flags: '--tree', description: 'draw matched processes with their ancestors and descendants, like pstree' },
  { flags: '--wide', description: 'never cut the command column' },
  { flags: '--flag <flags>', description: `only processes with any of these flags (${ALL_FLAGS.join(', ')}; singular or plural alike)`, parse: commaList },
  { flags: '--max-age <dur>', description: 'flag processes older than this as long-lived (e.g. 2h)', parse: durationArg('--max-age') },
  { flags: '--sample <dur>', description: 'CPU% over this interval (e.g. 500ms), read twice from the listed processes only, instead of the lifetime average', parse: sampleArg },
  { flags: '--check', description: `exit 1 if any ${CHECK_FLAGS.join(', ')} (not kept) or stale pidfile is found (for monitoring)` },
] as const;

/** What `runList` receives. */
export type ListOptions = CliOptions<typeof LIST_OPTIONS>;

/** `procsweep list`: matched processes with flags and reasons. */
export const listCommand = defineCommand({
  name: 'list',
  summary: 'show ffmpeg / srt-live-transmit processes (and wrappers) with their flags and why',
  options: LIST_OPTIONS,
  examples: [
    'procsweep list',
    'procsweep list --tree --match ffmpeg',
    "procsweep list --args 'pipe:1|mjpeg' --flag orphan",
    'procsweep list --sample 500ms   # CPU% of the last half second: which worker is spinning now',
    'procsweep list --check --max-age 6h || alert "leaked workers"',
    'procsweep list --json | jq \'.processes[] | select(.flags | index("orphan")) | .pid\'',
  ],
  action: async (_args, opts, cmd) => (await import('../handlers/list.js')).runList(opts, cmd),
});
