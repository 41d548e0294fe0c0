import { processName } from '../decide/classify.js';
import { formatDuration, formatSpan } from '../duration.js';
import type { Owner } from '../read/owner/types.js';
import type { FileNr } from '../read/procfs/limits.js';
import { Ring, SlotSeries } from './ring.js';
import { COLUMN_FLAGS, WATCHED_FLAGS, type ColumnFlag, type WatchedFlag } from '../decide/flags.js';
import { GONE_OUTCOMES, zeroOutcomes, type Outcome } from '../act/outcomes.js';
import type { Finding, Flag, Role, Snapshot } from '../types.js';
import { ALARM_KINDS, AlarmBook, type Alarm, type AlarmKind, type AlarmThresholds } from './alarms.js';
import { WATCH_EVENTS, type ProcessEvent, type UnstampedEvent, type WatchEventName } from './events.js';

/** Counts for one signature: its processes, each flag watch counts (flags.ts), its wrappers. */
export type SignatureCounts = { total: number } & Record<WatchedFlag, number> & { wrappers: number };

/** Recent per-tick values of a signature's total and of each flag with a dashboard column, oldest first, for sparklines. */
export type SignatureHistory = { total: number[] } & Record<ColumnFlag, number[]>;

/** The counts a history is kept of. */
const HISTORY_KEYS: ReadonlyArray<keyof SignatureHistory> = ['total', ...COLUMN_FLAGS.map((c) => c.flag)];
const WATCHED = new Set<string>(WATCHED_FLAGS);

/** A matched process as watch keeps it between ticks. */
export interface WatchedProcess {
  readonly pid: number;
  readonly startTicks: number | null;
  readonly signature: string;
  readonly role: Role;
  readonly argv: readonly string[];
  readonly ppid: number;
  readonly state: string;
  readonly flags: readonly Flag[];
  readonly startedAt: number | null;
  /** CPU use since the previous tick, percent of one core; null on its first tick. */
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
  readonly threads: number | null;
  readonly fds: number | null;
  readonly fdLimit: number | null;
  /** Its owner (design.md section 4), when ownership was read. */
  readonly owner?: Owner | null;
}

/** Counters since watch started. */
export interface WatchTotals {
  ticks: number;
  failedTicks: number;
  events: Record<WatchEventName, number>;
  kills: Record<Outcome, number>;
  alarmsRaised: Record<AlarmKind, number>;
}

/** What one tick's scan produced, as the watcher consumes it. */
export interface Observation {
  at: number;
  snapshot: Snapshot;
  /** Processes in the whole table, when `snapshot` holds only part of it. */
  scanned?: number;
  findings: readonly Finding[];
  /** Open fds per matched pid (null: unknown). */
  fds?: ReadonlyMap<number, number | null>;
  /** Soft RLIMIT_NOFILE per matched pid (null: unknown). */
  fdLimits?: ReadonlyMap<number, number | null>;
  files?: FileNr | null;
  /** The ports a worker holds (`udp:6000 tcp:8554*`), read only when a descriptor alarm names it; '' or null when none or unknown. */
  portsOf?: (pid: number) => string | null;
}

/** What the watcher keeps of a followed process: its public view, writable, plus its readings. */
interface Tracked extends Omit<{ -readonly [K in keyof WatchedProcess]-?: WatchedProcess[K] }, 'argv' | 'flags'> {
  argv: string[];
  flags: Flag[];
  cpuTicks: number | null;
  at: number;
  zombieSince: number | null;
  zombieSinceTick: number | null;
  swept: boolean;
  /** Growth series, made once the process has been seen for a slot (short-lived ones never need one). */
  trend: { threads: SlotSeries; fds: SlotSeries; rss: SlotSeries } | null;
  firstSeen: number;
}

interface SigState {
  counts: SignatureCounts;
  trend: SlotSeries;
  history: Record<keyof SignatureHistory, Ring>;
}

/** Identity key: pid and start time; without a start time (portable backend) pid and argv. */
export function identityKey(pid: number, startTicks: number | null, argv: readonly string[]): string {
  return startTicks === null ? `${pid}?${argv.join('\u0000')}` : `${pid}@${startTicks}`;
}

const zeroCounts = (): SignatureCounts => ({ total: 0, ...Object.fromEntries(WATCHED_FLAGS.map((f) => [f, 0])), wrappers: 0 }) as SignatureCounts;

/** Trend slots: enough to see a steady rise, never finer than one interval. */
function slotsFor(t: AlarmThresholds): { slots: number; slotMs: number } {
  const slots = Math.max(3, Math.min(20, Math.floor(t.windowMs / Math.max(1, t.intervalMs))));
  return { slots, slotMs: t.windowMs / slots };
}

/**
 * The watch state machine: diffs each observation against the last by process identity into
 * events, keeps bounded per-signature history, and has the alarm rules (alarm-rules.ts)
 * evaluated over it. Pure: time and readings come in with each observation, and memory is
 * bounded by the number of live matched processes.
 */
export class Watcher {
  readonly thresholds: AlarmThresholds;
  private tick = 0;
  private tracked = new Map<string, Tracked>();
  private sigs = new Map<string, SigState>();
  private readonly alarmBook: AlarmBook;
  private readonly slots: { slots: number; slotMs: number };
  private files: FileNr | null = null;
  private scanned = 0;
  readonly totals: WatchTotals;

  constructor(thresholds: AlarmThresholds, signatures: readonly string[] = []) {
    this.thresholds = thresholds;
    this.alarmBook = new AlarmBook(thresholds);
    this.slots = slotsFor(thresholds);
    for (const s of signatures) this.sig(s);
    for (const s of thresholds.expect.keys()) this.sig(s);
    this.totals = {
      ticks: 0,
      failedTicks: 0,
      events: Object.fromEntries(WATCH_EVENTS.map((e) => [e, 0])) as Record<WatchEventName, number>,
      kills: zeroOutcomes(),
      alarmsRaised: Object.fromEntries(ALARM_KINDS.map((k) => [k, 0])) as Record<AlarmKind, number>,
    };
  }

  /** @deprecated The old name of `thresholds`. */
  get rules(): AlarmThresholds {
    return this.thresholds;
  }

  private sig(name: string): SigState {
    let s = this.sigs.get(name);
    if (!s) {
      const h = this.thresholds.historySize;
      s = {
        counts: zeroCounts(),
        trend: new SlotSeries(this.slots.slots, this.slots.slotMs),
        history: Object.fromEntries(HISTORY_KEYS.map((k) => [k, new Ring(h)])) as SigState['history'],
      };
      this.sigs.set(name, s);
    }
    return s;
  }

  /** The number of the tick being processed (1-based). */
  get tickNumber(): number {
    return this.tick;
  }

  /** Processes scanned on the last good tick. */
  get scannedCount(): number {
    return this.scanned;
  }

  /** System file handles on the last good tick. */
  get systemFiles(): FileNr | null {
    return this.files;
  }

  /** Starts a tick; returns its number. Call once per tick, before observe() or failed(). */
  begin(): number {
    this.totals.ticks++;
    return ++this.tick;
  }

  /** Records a tick whose scan failed: state stays as it was. */
  failed(): void {
    this.totals.failedTicks++;
  }

  /**
   * Diffs an observation against the previous one. The first tick is the baseline: it reports no
   * started/orphaned/zombie events for what was already there, but its alarms are evaluated.
   */
  observe(obs: Observation): UnstampedEvent[] {
    const events: UnstampedEvent[] = [];
    const baseline = this.tick === 1;
    const snap = obs.snapshot;
    this.scanned = obs.scanned ?? snap.processes.size;
    this.files = obs.files ?? null;
    const seen = new Set<string>();
    const matched: Array<{ f: Finding; signature: string }> = [];
    for (const f of obs.findings) if (f.signature) matched.push({ f, signature: f.signature });

    // A matched process that became a zombie loses its argv; keep following it by identity
    // (the scan may no longer match it, e.g. under --args).
    const matchedPids = new Set(matched.map((m) => m.f.proc.pid));
    for (const t of this.tracked.values()) {
      if (matchedPids.has(t.pid)) continue;
      const p = snap.processes.get(t.pid);
      if (!p || p.state !== 'Z' || p.startTicks !== t.startTicks) continue;
      const parent = snap.processes.get(p.ppid);
      const reason = `exited but not reaped: parent ${p.ppid}${parent ? ` (${processName(parent)})` : ''} has not called wait(); it cannot be killed, only its parent can reap it`;
      matched.push({ f: { proc: p, signature: t.signature, role: t.role, flags: ['zombie'], reasons: { zombie: reason }, pidfile: null }, signature: t.signature });
    }

    for (const s of this.sigs.values()) s.counts = zeroCounts();
    for (const { f, signature } of matched) {
      const p = f.proc;
      const key = identityKey(p.pid, p.startTicks, p.argv);
      if (seen.has(key)) continue;
      seen.add(key);
      const c = this.sig(signature).counts;
      c.total++;
      if (f.role === 'wrapper') c.wrappers++;
      for (const fl of f.flags) if (WATCHED.has(fl)) c[fl as WatchedFlag]++;

      let t = this.tracked.get(key);
      const zombie = p.state === 'Z';
      if (!t) {
        t = this.track(key, f, signature, obs);
        if (!baseline) {
          const parent = snap.processes.get(p.ppid);
          events.push(this.processEvent('started', t, `${f.role === 'wrapper' ? `wrapper shell for ${signature}` : signature} started under parent ${p.ppid}${parent ? ` (${processName(parent)})` : ''}`));
          if (f.flags.includes('orphan')) events.push(this.processEvent('orphaned', t, f.reasons.orphan ?? 'orphaned'));
          if (zombie) events.push(this.processEvent('zombie', t, f.reasons.zombie ?? 'zombie'));
        }
        if (zombie) {
          t.zombieSince = obs.at;
          t.zombieSinceTick = this.tick;
        }
        continue;
      }
      const wasOrphan = t.flags.includes('orphan');
      const wasZombie = t.state === 'Z';
      this.update(t, f, obs);
      if (zombie && !wasZombie) {
        t.zombieSince = obs.at;
        t.zombieSinceTick = this.tick;
        if (!t.swept) events.push(this.processEvent('zombie', t, f.reasons.zombie ?? 'zombie'));
      } else if (!zombie && f.flags.includes('orphan') && !wasOrphan && !t.swept) {
        events.push(this.processEvent('orphaned', t, f.reasons.orphan ?? 'orphaned'));
      }
    }

    for (const [key, t] of this.tracked) {
      if (seen.has(key)) continue;
      this.tracked.delete(key);
      if (t.swept) continue; // its `swept` event already said what happened
      const now = snap.processes.get(t.pid);
      if (t.state === 'Z') {
        events.push(this.processEvent('reaped', t, `reaped after ${formatSpan(obs.at - (t.zombieSince ?? obs.at))} as a zombie`));
      } else if (now && now.startTicks === t.startTicks && now.state !== 'Z') {
        const cmd = now.argv.length ? now.argv.join(' ') : `[${now.comm}]`;
        events.push(this.processEvent('exited', t, `no longer matches a signature: it now runs ${cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd}`));
      } else {
        const age = t.startedAt === null ? null : obs.at - t.startedAt;
        events.push(this.processEvent('exited', t, `exited after ${formatDuration(age)}`));
      }
    }

    for (const s of this.sigs.values()) {
      s.trend.push(obs.at, s.counts.total);
      for (const k of HISTORY_KEYS) s.history[k].push(s.counts[k]);
    }

    const signatures = [...this.sigs].map(([name, st]) => ({ name, total: st.counts.total, trend: st.trend }));
    events.push(...this.alarmBook.evaluate({ now: obs.at, tick: this.tick, signatures, processes: this.tracked.values(), files: this.files, portsOf: obs.portsOf }));
    this.count(events);
    return events;
  }

  /**
   * Records events produced by actions after observe() (sweeps, pidfile removals): counts them
   * and marks swept processes so their disappearance is not reported twice.
   */
  record(events: readonly UnstampedEvent[]): void {
    for (const e of events) {
      if (e.event === 'swept') {
        this.totals.kills[e.outcome]++;
        for (const t of this.tracked.values()) {
          if (t.pid === e.pid && (e.startTicks === null || t.startTicks === e.startTicks) && GONE_OUTCOMES.has(e.outcome)) t.swept = true;
        }
      }
    }
    this.count(events);
  }

  private count(events: readonly UnstampedEvent[]): void {
    for (const e of events) {
      this.totals.events[e.event]++;
      if (e.event === 'alarm' && e.state === 'raised') this.totals.alarmsRaised[e.alarm.kind]++;
    }
  }

  private track(key: string, f: Finding, signature: string, obs: Observation): Tracked {
    const p = f.proc;
    const t: Tracked = {
      pid: p.pid,
      startTicks: p.startTicks,
      signature,
      role: f.role,
      argv: p.argv,
      ppid: p.ppid,
      state: p.state,
      flags: f.flags,
      startedAt: p.startedAt,
      cpuPercent: null,
      rssBytes: p.rssBytes,
      threads: p.threads,
      fds: obs.fds?.get(p.pid) ?? null,
      fdLimit: obs.fdLimits?.get(p.pid) ?? null,
      owner: f.owner ?? null,
      cpuTicks: p.cpuTicks,
      at: obs.at,
      zombieSince: null,
      zombieSinceTick: null,
      swept: false,
      trend: null,
      firstSeen: obs.at,
    };
    this.sample(t, obs.at);
    this.tracked.set(key, t);
    return t;
  }

  private update(t: Tracked, f: Finding, obs: Observation): void {
    const p = f.proc;
    if (p.cpuTicks !== null && t.cpuTicks !== null && obs.at > t.at) {
      const cpuMs = ((p.cpuTicks - t.cpuTicks) / obs.snapshot.clockTicks) * 1000;
      t.cpuPercent = Math.max(0, Math.round((cpuMs / (obs.at - t.at)) * 1000) / 10);
    }
    t.cpuTicks = p.cpuTicks;
    t.at = obs.at;
    if (p.argv.length) t.argv = p.argv;
    t.ppid = p.ppid;
    t.state = p.state;
    t.flags = f.flags;
    t.owner = f.owner ?? null;
    t.rssBytes = p.rssBytes;
    t.threads = p.threads;
    t.fds = obs.fds?.get(p.pid) ?? null;
    const lim = obs.fdLimits?.get(p.pid);
    if (lim !== undefined) t.fdLimit = lim;
    this.sample(t, obs.at);
  }

  private sample(t: Tracked, at: number): void {
    if (t.state === 'Z') return;
    if (!t.trend) {
      const { slots, slotMs } = this.slots;
      if (at - t.firstSeen < slotMs) return;
      t.trend = { threads: new SlotSeries(slots, slotMs), fds: new SlotSeries(slots, slotMs), rss: new SlotSeries(slots, slotMs) };
    }
    if (t.threads !== null) t.trend.threads.push(at, t.threads);
    if (t.fds !== null) t.trend.fds.push(at, t.fds);
    if (t.rssBytes !== null) t.trend.rss.push(at, t.rssBytes);
  }

  private processEvent(event: ProcessEvent['event'], t: Tracked, reason: string): ProcessEvent {
    return { event, pid: t.pid, startTicks: t.startTicks, ppid: t.ppid, signature: t.signature, role: t.role, argv: t.argv, flags: t.flags, reason };
  }

  /** Alarms active after the last observation, oldest first. */
  alarms(): Alarm[] {
    return this.alarmBook.list();
  }

  /** Counts per signature on the last good tick. */
  counts(): Record<string, SignatureCounts> {
    const out: Record<string, SignatureCounts> = {};
    for (const [name, s] of this.sigs) out[name] = { ...s.counts };
    return out;
  }

  /** Recent per-tick counts of each signature, oldest first. */
  history(): Map<string, SignatureHistory> {
    const out = new Map<string, SignatureHistory>();
    for (const [name, s] of this.sigs) {
      out.set(name, Object.fromEntries(HISTORY_KEYS.map((k) => [k, s.history[k].values()])) as SignatureHistory);
    }
    return out;
  }

  /** The matched processes alive (or zombie) on the last good tick. */
  processes(): WatchedProcess[] {
    return [...this.tracked.values()];
  }
}
