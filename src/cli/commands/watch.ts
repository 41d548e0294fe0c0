import { DEFAULT_INTERVAL_MS, DEFAULT_WINDOW_MS } from '../../core/defaults.js';
import { collect, defineCommand, durationArg, durationDefault, intArg, TIMER_MAX, type CliOptions } from '../options.js';
import { dryRunOption, graceOption, lockFileOption, maxOption, olderThanOption, REMOVE_INVALID_OPTION, yesOption } from './acting.js';

/** Options shared by `watch` and `pidfiles watch`: cadence and metrics. */
export const LOOP_OPTIONS = [
  { flags: '--interval <dur>', description: 'time between scans (e.g. 500ms, 2s)', parse: durationArg('--interval', TIMER_MAX), ...durationDefault(DEFAULT_INTERVAL_MS) },
  { flags: '--count <n>', description: 'stop after this many scans (default: run until SIGINT/SIGTERM)', parse: intArg('--count', 1) },
  { flags: '--metrics-file <path>', description: 'write Prometheus metrics to this file after each scan, atomically (node_exporter textfile collector)' },
  { flags: '--metrics-port <port>', description: 'serve Prometheus metrics at http://HOST:PORT/metrics', parse: intArg('--metrics-port', 1) },
  { flags: '--metrics-host <host>', description: 'address for --metrics-port', defaultValue: '127.0.0.1' },
] as const;
/** What a loop's handler reads of LOOP_OPTIONS. */
export type LoopOptions = CliOptions<typeof LOOP_OPTIONS>;

/** `watch`'s own options. */
export const WATCH_OPTIONS = [
  ...LOOP_OPTIONS,
  { flags: '--expect <sig=n>', description: 'alarm when more than N processes of a signature run (repeatable), e.g. ffmpeg=64', parse: collect },
  { flags: '--window <dur>', description: 'how long a count, thread, fd or RSS figure must keep rising before it alarms', parse: durationArg('--window'), ...durationDefault(DEFAULT_WINDOW_MS) },
  { flags: '--sweep', description: 'each scan that sees an orphan or abandoned worker, terminate them with their trees, as sweep -y would (needs --yes)' },
  olderThanOption('with --sweep: only orphans running longer than this (e.g. 5m)'),
  graceOption('how long SIGTERM gets before SIGKILL'),
  maxOption('with --sweep: refuse a plan that would signal more processes than this'),
  lockFileOption('the one-sweep-at-a-time lock shared with procsweep sweep, taken by --sweep or by the sweep the dashboard runs on k (default as for sweep)'),
  yesOption(),
  { flags: '--clean-pidfiles', description: 'each scan, remove dead and reused records of --pid-dir / --registry (never live, zombie or unsafe ones)' },
] as const;
/** What `runWatch` receives. */
export type WatchOptions = CliOptions<typeof WATCH_OPTIONS>;

/** `procsweep watch`: live leak monitoring with events, alarms and metrics. */
export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'rescan every interval: events, leak alarms, a live dashboard or JSON lines, Prometheus metrics',
  options: WATCH_OPTIONS,
  examples: [
    'procsweep watch',
    'procsweep watch --expect ffmpeg=64 --interval 5s',
    "procsweep watch --json | jq -c 'select(.event == \"alarm\")'",
    'procsweep watch --metrics-file /var/lib/prometheus/node-exporter/procsweep.prom',
    'procsweep watch --metrics-port 9464 --json > /var/log/procsweep.jsonl',
    'procsweep watch --sweep --older-than 5m --yes --json',
    'procsweep watch --clean-pidfiles --pid-dir /tmp/srt-gateway-pids',
  ],
  action: async (_args, opts, cmd) => (await import('../handlers/watch.js')).runWatch(opts, cmd),
});

/** `pidfiles watch`'s own options. */
export const PIDFILES_WATCH_OPTIONS = [...LOOP_OPTIONS, REMOVE_INVALID_OPTION, dryRunOption('report the records only; remove nothing')] as const;
/** What `runPidfilesWatch` receives. */
export type PidfilesWatchOptions = CliOptions<typeof PIDFILES_WATCH_OPTIONS>;

/** `procsweep pidfiles watch`: the pidfile-only watch, registered under `pidfiles`. */
export const pidfilesWatchCommand = defineCommand({
  name: 'watch',
  summary: 'every interval, judge the pidfiles and registry entries and remove dead and reused ones (a health monitor)',
  options: PIDFILES_WATCH_OPTIONS,
  examples: [
    'procsweep pidfiles watch --pid-dir /tmp/srt-gateway-pids',
    'procsweep pidfiles watch --registry /tmp/ecosystem-manager-processes.json --interval 30s --json',
    'procsweep pidfiles watch --pid-dir /run/router --metrics-file /var/lib/prometheus/node-exporter/pidfiles.prom',
  ],
  action: async (_args, opts, cmd) => (await import('../handlers/watch.js')).runPidfilesWatch(opts, cmd),
});
