import { collect, durationArg, intArg, MAX_TIMER_MS, type CommandDef, type OptionSpec } from '../options.js';
import { graceOption, YES_OPTION } from './acting.js';

/** Options shared by `watch` and `pidfiles watch`: cadence and metrics. */
export const LOOP_OPTIONS: OptionSpec[] = [
  { flags: '--interval <dur>', description: 'time between scans (e.g. 500ms, 2s)', defaultValue: 2000, defaultDescription: '2s', parse: durationArg('--interval', { ms: MAX_TIMER_MS, text: '24d', why: 'a longer timer cannot be set' }) },
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
    { flags: '--sweep', description: 'each scan that sees an orphan or abandoned worker, terminate them with their trees, as sweep -y would (needs --yes)' },
    { flags: '--older-than <dur>', description: 'with --sweep: only orphans running longer than this (e.g. 5m)', parse: durationArg('--older-than'), scope: true },
    graceOption(),
    { flags: '--max <n>', description: 'with --sweep: refuse a plan that would signal more processes than this', defaultValue: 500, parse: intArg('--max', 1) },
    { flags: '--lock-file <path>', description: 'with --sweep: the one-sweep-at-a-time lock shared with procsweep sweep (default as for sweep)' },
    YES_OPTION,
    { flags: '--clean-pidfiles', description: 'each scan, remove dead and reused records of --pid-dir / --registry (never live, zombie or unsafe ones)' },
  ],
  examples: [
    'procsweep watch',
    'procsweep watch --expect ffmpeg=64 --interval 5s',
    "procsweep watch --json | jq -c 'select(.event == \"alarm\")'",
    'procsweep watch --metrics-file /var/lib/prometheus/node-exporter/procsweep.prom',
    'procsweep watch --metrics-port 9464 --json > /var/log/procsweep.jsonl',
    'procsweep watch --sweep --older-than 5m --yes --json',
    'procsweep watch --clean-pidfiles --pid-dir /tmp/srt-gateway-pids',
  ],
  action: async (_args, opts) => (await import('../actions/watch.js')).runWatch(opts),
};

/** `procsweep pidfiles watch`: the pidfile-only watch, registered under `pidfiles`. */
export const pidfilesWatchCommand: CommandDef = {
  name: 'watch',
  summary: 'every interval, judge the pidfiles and registry entries and remove dead and reused ones (a health monitor)',
  options: [
    ...LOOP_OPTIONS,
    { flags: '--remove-invalid', description: 'also remove records that do not parse (never unsafe ones, never a registry that does not parse)' },
    { flags: '-n, --dry-run', description: 'report the records only; remove nothing' },
  ],
  examples: [
    'procsweep pidfiles watch --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles watch --registry /tmp/ecosystem-manager-processes.json --interval 30s --json',
    'procsweep pidfiles watch --pid-dir /run/router --metrics-file /var/lib/prometheus/node-exporter/pidfiles.prom',
  ],
  action: async (_args, opts) => (await import('../actions/watch.js')).runPidfilesWatch(opts),
};
