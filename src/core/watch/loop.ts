import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../read/context.js';
import { DEFAULT_INTERVAL_MS } from '../defaults.js';
import { UsageError } from '../errors.js';
import { IncrementalReader } from '../read/procfs/incremental.js';
import { readFileNr, readNofileLimit, type FileNr } from '../read/procfs/limits.js';
import { portsText, readHeld } from '../read/held/held.js';
import { countStatuses, type PidfileEntry } from '../pidfiles/types.js';
import { pidfileRecords, scanWith, type ScanResult } from '../read/scan.js';
import { matchProcess, type SignatureMatch } from '../decide/signatures.js';
import { WATCHED_FLAGS, type WatchedFlag } from '../decide/flags.js';
import type { ProcessInfo, Snapshot } from '../types.js';
import { defaultThresholds, type Alarm, type AlarmThresholds } from './alarms.js';
import type { UnstampedEvent, WatchEvent } from './events.js';
import { identityKey, Watcher, type SignatureCounts, type SignatureHistory, type WatchedProcess, type WatchTotals } from './watcher.js';

/** What a tick job (sweep, pidfile cleaning) gets on each good tick. */
export interface TickJobInput {
  ctx: Context;
  tick: number;
  result: ScanResult;
  /** The pidfile and registry records judged this tick (null when none are watched). */
  records: PidfileEntry[] | null;
  signal?: AbortSignal;
  /** Reports a problem that does not stop the job (shown once until it goes away). */
  warn: (message: string) => void;
}

/** Work done after each good tick's scan; returns the events it caused. Throwing reports the error as a warning and the loop goes on. */
export type TickJob = (input: TickJobInput) => Promise<UnstampedEvent[]>;

/** @deprecated The old name of TickJob. */
export type WatchAction = TickJob;
/** @deprecated The old name of TickJobInput. */
export type ActionInput = TickJobInput;

/** Options of the watch loop. */
export interface WatchOptions {
  /** Time between scans in ms (default 2000). */
  intervalMs?: number;
  /** Stop after this many ticks (default: until aborted). */
  count?: number;
  /** Stops the loop; the iterator then returns. */
  signal?: AbortSignal;
  /** `--expect`: at most N processes per signature. */
  expect?: ReadonlyMap<string, number> | Record<string, number>;
  /** Alarm thresholds beyond the defaults (see defaultThresholds). */
  thresholds?: Partial<Omit<AlarmThresholds, 'intervalMs' | 'expect'>>;
  /** @deprecated The old name of `thresholds`. */
  rules?: Partial<Omit<AlarmThresholds, 'intervalMs' | 'expect'>>;
  /** `--max-age` in ms for the long-lived flag. */
  maxAgeMs?: number;
  /** Run after each good tick, in order (sweep, pidfile cleaning). */
  jobs?: TickJob[];
  /** @deprecated The old name of `jobs` (run after them). */
  actions?: TickJob[];
  /** Read only what changed between full reads (procfs only; default true). */
  incremental?: boolean;
  /** `pidfiles watch`: follow the records only; no process classification, events or process alarms. */
  pidfilesOnly?: boolean;
}

/** Counts over all signatures: matched processes, each flag watch counts (flags.ts), wrappers. */
export type TickCounts = { matched: number } & Record<WatchedFlag, number> & { wrappers: number };

/** One tick of `watch`: what was seen, what changed, what is wrong. */
export interface WatchTick {
  tick: number;
  /** Epoch ms when the scan began. */
  at: number;
  /** Time the read + classify took. */
  scanMs: number;
  /** Why this tick's scan failed, or null. On a failed tick the counts are the last good ones. */
  error: string | null;
  /**
   * Problems that did not stop the tick: a tick job that failed (a held sweep lock, a record that
   * could not be removed), a pid dir that cannot be read. Each is reported on the tick it first
   * appears, and again only after it has gone away and come back.
   */
  warnings: string[];
  scanned: number;
  counts: TickCounts;
  signatures: Record<string, SignatureCounts>;
  files: FileNr | null;
  events: WatchEvent[];
  /** Alarms active now. */
  alarms: Alarm[];
  /** Counters since the start: the watcher's own, live object (copy it to keep a past value). */
  totals: Readonly<WatchTotals>;
  /**
   * The scan behind this tick (null on a failed tick). Its snapshot holds the matched processes
   * and their context (ancestors, session leaders), not every process.
   */
  result: ScanResult | null;
  /** Pidfile and registry records judged this tick, when any are watched. */
  records: PidfileEntry[] | null;
  /** Those records by status. */
  pidfiles: Record<string, number> | null;
  /** Matched processes now, with their recent CPU, RSS, fds. */
  processes(): WatchedProcess[];
  /** Recent per-tick counts per signature, for sparklines. */
  history(): Map<string, SignatureHistory>;
}

/** Every process not followed is re-read at least this often (and the pid list too). */
const REFRESH_MS = 30_000;

export { DEFAULT_INTERVAL_MS } from '../defaults.js';

function toMap(e: WatchOptions['expect']): Map<string, number> {
  if (!e) return new Map();
  return e instanceof Map ? new Map(e) : new Map(Object.entries(e));
}

function sumCounts(sigs: Record<string, SignatureCounts>): TickCounts {
  const c = { matched: 0, ...Object.fromEntries(WATCHED_FLAGS.map((f) => [f, 0])), wrappers: 0 } as TickCounts;
  for (const s of Object.values(sigs)) {
    c.matched += s.total;
    for (const f of WATCHED_FLAGS) c[f] += s[f];
    c.wrappers += s.wrappers;
  }
  return c;
}

/**
 * The part of a snapshot that classification needs: the processes a signature matches, the
 * `keep` pids (those being followed), each with its ancestors and session leader, and
 * procsweep's own ancestry. Classifying this instead of thousands of idle processes keeps each
 * tick cheap. Pidfile checks need the whole snapshot and get it.
 */
export function relevantSubset(snap: Snapshot, isCandidate: (p: ProcessInfo) => boolean, keep: ReadonlySet<number> = new Set()): Snapshot {
  const all = snap.processes;
  const out = new Map<number, ProcessInfo>();
  const chain = (pid: number): void => {
    let cur = all.get(pid);
    while (cur && !out.has(cur.pid)) {
      out.set(cur.pid, cur);
      cur = cur.ppid > 0 ? all.get(cur.ppid) : undefined;
    }
  };
  chain(snap.selfPid);
  for (const pid of keep) chain(pid);
  for (const p of all.values()) {
    if (!isCandidate(p)) continue;
    chain(p.pid);
    if (p.sid !== null && p.sid > 0 && !out.has(p.sid)) {
      const leader = all.get(p.sid);
      if (leader) out.set(leader.pid, leader);
    }
  }
  return { ...snap, processes: out };
}

/** Per-identity fd limits, read once per process: they rarely change. */
class LimitCache {
  private map = new Map<string, number | null>();
  constructor(private readonly root: string | null) {}
  read(result: ScanResult): Map<number, number | null> {
    const out = new Map<number, number | null>();
    if (this.root === null) return out;
    const next = new Map<string, number | null>();
    for (const f of result.findings) {
      if (!f.signature || f.proc.state === 'Z') continue;
      const key = identityKey(f.proc.pid, f.proc.startTicks, f.proc.argv);
      const v = this.map.has(key) ? this.map.get(key)! : readNofileLimit(this.root, f.proc.pid);
      next.set(key, v);
      out.set(f.proc.pid, v);
    }
    this.map = next;
    return out;
  }
}

/**
 * Watches the process table: every `intervalMs` it rescans with the same core as `list`, diffs
 * by identity into events, evaluates alarms, runs the tick jobs, and yields a tick. A scan that
 * fails yields a tick with `error` set and the loop goes on. Returns after `count` ticks or when
 * `signal` aborts.
 *
 * ```ts
 * for await (const t of watch(await createContext({ match: ['ffmpeg'] }), { expect: { ffmpeg: 64 } })) {
 *   for (const a of t.alarms) console.warn(a.reason);
 * }
 * ```
 */
export async function* watch(ctx: Context, opts: WatchOptions = {}): AsyncGenerator<WatchTick, void, undefined> {
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (!(intervalMs > 0)) throw new UsageError(`watch interval must be positive, got ${intervalMs}`);
  const thresholds = defaultThresholds(intervalMs, { ...opts.rules, ...opts.thresholds, expect: toMap(opts.expect) });
  const watcher = new Watcher(thresholds, ctx.signatures.map((s) => s.name));
  const procfs = ctx.backend.procfs ?? null;
  ctx.backend.check?.();
  // As scanWith does: exact uids (status file) only for the processes a signature could match
  // (any known signature when records are watched: the judge checks their owners).
  const sigs = ctx.pidDirs.length || ctx.registries.length ? (ctx.knownSignatures ?? ctx.signatures) : ctx.signatures;
  const precise = ctx.uid !== undefined ? true : (argv: readonly string[], comm: string, state: string) => matchProcess(sigs, { argv: argv as string[], comm, state }) !== null;
  // Every process is re-read at least every ~30 s whatever the interval (an old process that
  // execs a worker; matched ones and their parents are re-read every tick), and
  // at sub-second intervals new processes are looked for at most 5 times a second.
  const refreshTicks = Math.max(1, Math.round(REFRESH_MS / intervalMs));
  const incremental = procfs && opts.incremental !== false ? new IncrementalReader(procfs, precise, { refreshTicks, minListMs: 200 }) : null;
  const limits = new LimitCache(procfs ? procfs.root : null);
  // Which signature matches, decided once per command line: a re-read process keeps its argv
  // array, so only new processes and execs are matched again. An empty argv (zombie, kernel
  // thread) is matched by comm, which is cheap.
  const matches = new WeakMap<readonly string[], SignatureMatch | null>();
  const match = (p: ProcessInfo): SignatureMatch | null => {
    if (p.argv.length === 0) return matchProcess(ctx.signatures, p);
    let m = matches.get(p.argv);
    if (m === undefined) {
      m = matchProcess(ctx.signatures, p);
      matches.set(p.argv, m);
    }
    return m;
  };
  const isCandidate = (p: ProcessInfo): boolean => !p.kernelThread && match(p) !== null;
  const signal = opts.signal;
  const warnings = new WarningFilter();
  let hot = new Set<number>();
  let next = Date.now();

  for (let n = 0; opts.count === undefined || n < opts.count; n++) {
    if (signal?.aborted) return;
    const tick = watcher.begin();
    const at = Date.now();
    const t0 = performance.now();
    let result: ScanResult | null = null;
    let records: PidfileEntry[] | null = null;
    let error: string | null = null;
    let events: WatchEvent[] = [];
    const warn = (m: string): void => warnings.add(m);
    let scanMs = 0;
    try {
      const full: Snapshot = incremental ? incremental.snapshot(hot) : await ctx.backend.snapshot(precise === true ? undefined : precise);
      // Records are judged against the whole table; classification sees the relevant part.
      const recs = await pidfileRecords(ctx, full, { onWarning: warn });
      records = recs?.entries ?? null;
      const snapshot = relevantSubset(full, opts.pidfilesOnly ? () => false : isCandidate, hot);
      result = opts.pidfilesOnly ? { snapshot, findings: [], tracking: recs?.tracking, pidfiles: records ?? undefined } : await scanWith(ctx, { snapshot, tracking: recs?.tracking, maxAgeMs: opts.maxAgeMs, matcher: match });
      if (recs && !opts.pidfilesOnly) result.pidfiles = recs.entries;
      const fds = new Map<number, number | null>();
      for (const f of result.findings) if (f.signature && f.proc.state !== 'Z') fds.set(f.proc.pid, ctx.backend.fdCount(f.proc.pid));
      const obs = { at, snapshot, scanned: full.processes.size, findings: result.findings, fds, fdLimits: limits.read(result), files: procfs ? readFileNr(procfs.root) : null, portsOf: procfs ? portsReader(procfs.root) : undefined };
      scanMs = performance.now() - t0;
      events = watcher.observe(obs).map((e) => ({ ...e, tick, at }));
      // Re-read next time: what is followed, its parents, and every recorded pid.
      hot = new Set<number>();
      for (const p of watcher.processes()) {
        hot.add(p.pid);
        hot.add(p.ppid);
      }
      for (const e of records ?? []) if (e.pid !== null) hot.add(e.pid);
    } catch (err) {
      scanMs = performance.now() - t0;
      error = (err as Error)?.message ?? String(err);
      watcher.failed();
    }
    if (result) {
      for (const job of [...(opts.jobs ?? []), ...(opts.actions ?? [])]) {
        if (signal?.aborted) break;
        try {
          const evs = await job({ ctx, tick, result, records, signal, warn });
          watcher.record(evs);
          const stamp = Date.now();
          events.push(...evs.map((e) => ({ ...e, tick, at: stamp })));
        } catch (err) {
          warn((err as Error)?.message ?? String(err));
        }
      }
    }
    const signatures = watcher.counts();
    yield {
      tick,
      at,
      scanMs,
      error,
      warnings: warnings.flush(),
      scanned: watcher.scannedCount,
      counts: sumCounts(signatures),
      signatures,
      files: watcher.systemFiles,
      events,
      alarms: watcher.alarms(),
      totals: watcher.totals,
      result,
      records,
      pidfiles: records ? countStatuses(records) : null,
      processes: () => watcher.processes(),
      history: () => watcher.history(),
    };
    if (opts.count !== undefined && n + 1 >= opts.count) return;
    // Keep a steady cadence; after a slow tick, wait a whole interval rather than bursting.
    next += intervalMs;
    const now = Date.now();
    if (next < now) next = now + intervalMs;
    try {
      await sleep(next - now, undefined, { signal });
    } catch {
      return; // aborted
    }
  }
}

/** Reads one worker's ports for an alarm's reason (only alarmed workers are read). */
function portsReader(root: string): (pid: number) => string | null {
  return (pid) => {
    const h = readHeld(root, [pid]).get(pid);
    const text = h ? portsText(h.sockets) : '';
    return text && text !== '?' ? text : null;
  };
}

/** Warnings are repeated every tick while they hold; report each once, until it goes away. */
class WarningFilter {
  private shown = new Set<string>();
  private current = new Set<string>();
  add(m: string): void {
    this.current.add(m);
  }
  flush(): string[] {
    const fresh = [...this.current].filter((m) => !this.shown.has(m));
    this.shown = this.current;
    this.current = new Set();
    return fresh;
  }
}
