import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { ALL_FLAGS } from '../decide/flags.js';
import type { WatchTick } from './loop.js';
import { ALARM_KINDS } from './alarms.js';
import { OUTCOMES } from '../act/outcomes.js';
import { WATCH_EVENTS } from './events.js';
import type { WatchedProcess } from './watcher.js';

/** One sample: labels and a value. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** One metric family of the Prometheus text format (version 0.0.4). */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes HELP text: backslash and newline. */
export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as the text format spells it (NaN, +Inf, -Inf, or a decimal). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders metric families in the Prometheus text exposition format, one HELP and TYPE per family. */
export function exposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!NAME_RE.test(f.name)) throw new Error(`invalid metric name '${f.name}'`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const entries = Object.entries(s.labels ?? {});
      for (const [k] of entries) if (!LABEL_RE.test(k) || k.startsWith('__')) throw new Error(`invalid label name '${k}'`);
      const labels = entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}


/** Extra readings the metrics carry beyond the tick. */
export interface MetricsExtras {
  /** `--expect` limits. */
  expect?: ReadonlyMap<string, number>;
  /** Pidfile and registry entries by status, when records are watched. */
  pidfiles?: Readonly<Record<string, number>> | null;
  /** Pidfile entries removed since start. */
  pidfilesRemoved?: number;
}

/**
 * Descriptor pressure per signature: open fds summed, and the highest share of its own soft
 * RLIMIT_NOFILE any one process uses (the process that will fail first decides). A signature with
 * processes but no readable fd count or limit gets NaN, not 0: unknown is not "no pressure".
 */
export function fdMetrics(sigs: readonly string[], procs: readonly WatchedProcess[]): MetricFamily[] {
  const open = new Map<string, number>();
  const ratio = new Map<string, number>();
  const seen = new Set<string>();
  for (const p of procs) {
    if (p.state === 'Z') continue;
    seen.add(p.signature);
    if (p.fds === null) continue;
    open.set(p.signature, (open.get(p.signature) ?? 0) + p.fds);
    if (p.fdLimit !== null && Number.isFinite(p.fdLimit) && p.fdLimit > 0) ratio.set(p.signature, Math.max(ratio.get(p.signature) ?? 0, p.fds / p.fdLimit));
    else if (p.fdLimit === Infinity) ratio.set(p.signature, Math.max(ratio.get(p.signature) ?? 0, 0));
  }
  const value = (m: Map<string, number>, s: string): number => m.get(s) ?? (seen.has(s) ? NaN : 0);
  return [
    { name: 'procsweep_open_fds', type: 'gauge', help: 'Open file descriptors of the matched processes by signature (NaN when none could be read).', samples: sigs.map((s) => ({ labels: { signature: s }, value: value(open, s) })) },
    {
      name: 'procsweep_fd_limit_usage_ratio',
      type: 'gauge',
      help: 'Highest share of its soft RLIMIT_NOFILE (open fds / limit, 0 to 1) any matched process of the signature uses (NaN when unknown).',
      samples: sigs.map((s) => ({ labels: { signature: s }, value: Math.round(value(ratio, s) * 10000) / 10000 })),
    },
  ];
}

/** The metric families for a watch tick: processes by signature and flag, zombies, orphans, kills, scans, alarms. */
export function watchMetrics(t: WatchTick, extras: MetricsExtras = {}): MetricFamily[] {
  const sigs = Object.keys(t.signatures).sort();
  const byFlag = new Map<string, number>();
  for (const p of t.processes()) for (const fl of p.flags) byFlag.set(`${p.signature}\u0000${fl}`, (byFlag.get(`${p.signature}\u0000${fl}`) ?? 0) + 1);
  const fams: MetricFamily[] = [
    { name: 'procsweep_processes', type: 'gauge', help: 'Matched processes (workers and their wrapper shells) by signature.', samples: sigs.map((s) => ({ labels: { signature: s }, value: t.signatures[s].total })) },
    { name: 'procsweep_wrappers', type: 'gauge', help: 'Wrapper shells (sh -c running a signature binary) by signature.', samples: sigs.map((s) => ({ labels: { signature: s }, value: t.signatures[s].wrappers })) },
    {
      name: 'procsweep_processes_flagged',
      type: 'gauge',
      help: 'Matched processes by signature and flag (orphan, zombie, duplicate, detached, ...).',
      samples: sigs.flatMap((s) => ALL_FLAGS.map((fl) => ({ labels: { signature: s, flag: fl }, value: byFlag.get(`${s}\u0000${fl}`) ?? 0 }))),
    },
    { name: 'procsweep_orphans', type: 'gauge', help: 'Matched processes whose parent is PID 1 or a reaper (all signatures).', samples: [{ value: t.counts.orphan }] },
    { name: 'procsweep_zombies', type: 'gauge', help: 'Matched processes in state Z, not reaped by their parent (all signatures).', samples: [{ value: t.counts.zombie }] },
  ];
  fams.push(...fdMetrics(sigs, t.processes()));
  if (extras.expect && extras.expect.size) {
    fams.push({ name: 'procsweep_expected_processes', type: 'gauge', help: 'The --expect limit per signature.', samples: [...extras.expect].sort().map(([s, n]) => ({ labels: { signature: s }, value: n })) });
  }
  if (extras.pidfiles) {
    const p = extras.pidfiles;
    fams.push({ name: 'procsweep_pidfiles', type: 'gauge', help: 'Pidfile and registry entries by status.', samples: Object.keys(p).sort().map((st) => ({ labels: { status: st }, value: p[st] })) });
  }
  if (extras.pidfilesRemoved !== undefined) {
    fams.push({ name: 'procsweep_pidfiles_removed_total', type: 'counter', help: 'Pidfile and registry entries removed by watch.', samples: [{ value: extras.pidfilesRemoved }] });
  }
  fams.push(
    { name: 'procsweep_kills_total', type: 'counter', help: 'Sweep targets by outcome since watch started.', samples: OUTCOMES.map((o) => ({ labels: { outcome: o }, value: t.totals.kills[o] })) },
    { name: 'procsweep_events_total', type: 'counter', help: 'Watch events by kind since watch started.', samples: WATCH_EVENTS.map((e) => ({ labels: { event: e }, value: t.totals.events[e] })) },
    { name: 'procsweep_alarms', type: 'gauge', help: 'Alarms active now, by kind.', samples: ALARM_KINDS.map((k) => ({ labels: { kind: k }, value: t.alarms.filter((a) => a.kind === k).length })) },
    { name: 'procsweep_alarms_raised_total', type: 'counter', help: 'Alarms raised since watch started, by kind.', samples: ALARM_KINDS.map((k) => ({ labels: { kind: k }, value: t.totals.alarmsRaised[k] })) },
    { name: 'procsweep_scan_duration_seconds', type: 'gauge', help: 'Time the last scan (read and classify) took.', samples: [{ value: Math.round(t.scanMs) / 1000 }] },
    { name: 'procsweep_scans_total', type: 'counter', help: 'Scans since watch started.', samples: [{ value: t.totals.ticks }] },
    { name: 'procsweep_scan_errors_total', type: 'counter', help: 'Scans that failed since watch started.', samples: [{ value: t.totals.failedTicks }] },
    { name: 'procsweep_last_scan_timestamp_seconds', type: 'gauge', help: 'When the last scan began, seconds since the epoch.', samples: [{ value: Math.floor(t.at / 1000) }] },
    { name: 'procsweep_scanned_processes', type: 'gauge', help: 'Processes in the last process table read.', samples: [{ value: t.scanned }] },
  );
  if (t.files) {
    fams.push(
      { name: 'procsweep_system_open_files', type: 'gauge', help: 'File handles in use system-wide (/proc/sys/fs/file-nr).', samples: [{ value: t.files.open }] },
      { name: 'procsweep_system_max_files', type: 'gauge', help: 'fs.file-max, the system-wide file handle limit.', samples: [{ value: t.files.max }] },
    );
  }
  return fams;
}

/**
 * Writes a metrics file atomically (temp file in the same directory, then rename), so
 * node_exporter's textfile collector never reads half a file. The temp name does not end in .prom.
 */
export function writeMetricsFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (TRANSIENT.has(code)) throw new MetricsFileError(`--metrics-file: cannot write ${path} (${code}): the disk is full or failing`, code);
    throw new MetricsFileError(`--metrics-file: cannot write ${path} (${code}): check that its directory exists and is writable`, code);
  }
}

/** Write failures that say nothing about the path (a full disk, a quota, an I/O error): worth retrying. */
const TRANSIENT = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EAGAIN', 'EBUSY', 'EINTR', 'ENOMEM', 'EMFILE', 'ENFILE']);

/** A failed metrics file write (exit 3 when it stops a command), with its errno code. */
export class MetricsFileError extends EnvironmentError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }

  /** True when the path may well work next time (a full disk, an I/O error), so a loop retries rather than stops. */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

/** A running /metrics endpoint. */
export interface MetricsServer {
  /** host:port it listens on. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** The content type of the Prometheus text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Serves `GET /metrics` with whatever `render()` returns at request time. Resolves once listening;
 * a port in use (or not permitted) rejects with an EnvironmentError (exit 3) naming it.
 */
export function serveMetrics(host: string, port: number, render: () => string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      const body = render();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('procsweep watch: metrics at /metrics\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (err.code === 'EADDRINUSE') reject(new EnvironmentError(`--metrics-port: ${where} is already in use (another procsweep watch or exporter?); pick another port`));
      else if (err.code === 'EACCES') reject(new EnvironmentError(`--metrics-port: not permitted to listen on ${where} (ports below 1024 need root); pick a port above 1024`));
      else reject(new EnvironmentError(`--metrics-port: cannot listen on ${where} (${err.code ?? err.message}); check --metrics-host`));
    });
    server.listen(port, host, () => {
      const a = server.address();
      const actual = typeof a === 'object' && a ? a.port : port;
      resolve({
        address: `${host.includes(':') ? `[${host}]` : host}:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
