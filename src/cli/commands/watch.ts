import { UsageError } from '../../core/errors.js';
import { collect, durationArg, intArg, type CommandDef, type OptionSpec } from '../options.js';

/** Parses one `--expect SIG=N`. */
export function parseExpect(spec: string): [string, number] {
  const m = /^([^=\s]+)=(\d+)$/.exec(spec.trim());
  if (!m) throw new UsageError(`--expect '${spec}' must look like SIGNATURE=COUNT, e.g. ffmpeg=64`);
  return [m[1], Number(m[2])];
}

/** Options shared by `watch` and `pidfiles watch`: cadence and metrics. */
export const LOOP_OPTIONS: OptionSpec[] = [
  { flags: '--interval <dur>', description: 'time between scans (e.g. 500ms, 2s)', defaultValue: 2000, defaultDescription: '2s', parse: durationArg('--interval') },
  { flags: '--count <n>', description: 'stop after this many scans (default: run until SIGINT/SIGTERM)', parse: intArg('--count', 1) },
  { flags: '--metrics-file <path>', description: 'write Prometheus metrics to this file after each scan, atomically (node_exporter textfile collector)' },
  { flags: '--metrics-port <port>', description: 'serve Prometheus metrics at http://HOST:PORT/metrics', parse: intArg('--metrics-port', 1) },
  { flags: '--metrics-host <host>', description: 'address for --metrics-port', defaultValue: '127.0.0.1' },
];

/** `procsweep watch`: live leak monitoring with events, alarms and metrics. */
export const watchCommand: CommandDef = {
  name: 'watch',
  summary: 'rescan every interval: events, leak alarms, a live dashboard or JSON lines, Prometheus metrics',
  options: [
    ...LOOP_OPTIONS,
    { flags: '--expect <sig=n>', description: 'alarm when more than N processes of a signature run (repeatable), e.g. ffmpeg=64', parse: collect },
    { flags: '--window <dur>', description: 'how long a count, thread, fd or RSS figure must keep rising before it alarms', defaultValue: 600_000, defaultDescription: '10m', parse: durationArg('--window') },
  ],
  examples: [
    'procsweep watch',
    'procsweep watch --expect ffmpeg=64 --interval 5s',
    "procsweep watch --json | jq -c 'select(.event == \"alarm\")'",
    'procsweep watch --metrics-file /var/lib/prometheus/node-exporter/procsweep.prom',
    'procsweep watch --metrics-port 9464 --json > /var/log/procsweep.jsonl',
  ],
  action: async (_args, opts) => (await import('../actions/watch.js')).runWatch(opts),
};
