/**
 * Watch alarms: what they are, the thresholds they use, and their life (raised, held, cleared).
 * The conditions themselves are the rows of ALARM_RULES (alarm-rules.ts).
 */
import { DEFAULT_WINDOW_MS } from '../defaults.js';
import { formatSpan } from '../duration.js';
import type { FileNr } from '../read/procfs/limits.js';
import type { SlotSeries } from './ring.js';
import { ALARM_RULES, type AlarmCheck, type Raised } from './alarm-rules.js';
import type { AlarmEvent } from './events.js';

/** Every alarm kind, in the order of the metric series (stable series: each is exported from the first tick). */
export const ALARM_KINDS = ['rising', 'expect', 'zombie', 'growth', 'fd-limit', 'system-fds'] as const;

/** What an alarm is about. */
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** How urgent an alarm is. */
export type AlarmSeverity = 'warning' | 'critical';

/** A condition that holds now; `id` is stable while it lasts. */
export interface Alarm {
  id: string;
  kind: AlarmKind;
  severity: AlarmSeverity;
  /** One line for an operator: what, how much, what to look at. */
  reason: string;
  /** Epoch ms when it was first raised. */
  since: number;
  signature: string | null;
  pid: number | null;
  value: number | null;
  threshold: number | null;
}

/** The thresholds alarms use. */
export interface AlarmThresholds {
  /** Scan interval in ms (for zombie ages and trend slots). */
  intervalMs: number;
  /** Window over which counts, threads, fds and RSS must keep rising to alarm (default 10 minutes). */
  windowMs: number;
  /** `--expect SIG=N`: alarm when more than N processes of SIG run. */
  expect: ReadonlyMap<string, number>;
  /** Alarm when a zombie lasts this many intervals (default 3). */
  zombieTicks: number;
  /** Alarm when a process uses this share of its RLIMIT_NOFILE (default 0.8). */
  fdLimitRatio: number;
  /** Alarm when the system uses this share of fs.file-max (default 0.8). */
  systemFdRatio: number;
  /** A rising count must gain at least this much over the window (default 3). */
  minRise: number;
  /** ...in at least this many distinct slots of the window (default 3). */
  minRisingSlots: number;
  /** Growth a process must show over the window before it is a leak. */
  growth: { threads: number; fds: number; rssBytes: number; rssRatio: number };
  /** Ticks of per-signature history kept for sparklines (default 120). */
  historySize: number;
}

/** Default alarm thresholds for an interval. */
export function defaultThresholds(intervalMs: number, over: Partial<AlarmThresholds> = {}): AlarmThresholds {
  return {
    intervalMs,
    windowMs: DEFAULT_WINDOW_MS,
    expect: new Map(),
    zombieTicks: 3,
    fdLimitRatio: 0.8,
    systemFdRatio: 0.8,
    minRise: 3,
    minRisingSlots: 3,
    growth: { threads: 3, fds: 3, rssBytes: 16 * 1024 * 1024, rssRatio: 0.1 },
    historySize: 120,
    ...over,
  };
}

/** @deprecated The old name of AlarmThresholds. */
export type AlarmRules = AlarmThresholds;

/** @deprecated The old name of defaultThresholds. */
export const defaultRules = defaultThresholds;

/** A signature as the alarms see it: its count now and that count's trend. */
export interface AlarmSignature {
  readonly name: string;
  readonly total: number;
  readonly trend: SlotSeries;
}

/** A followed process as the alarms see it. */
export interface AlarmProcess {
  readonly pid: number;
  readonly startTicks: number | null;
  readonly signature: string;
  readonly ppid: number;
  readonly state: string;
  readonly fds: number | null;
  readonly fdLimit: number | null;
  /** Its thread count and RSS now (null: unknown), for a growth alarm that holds. */
  readonly threads: number | null;
  readonly rssBytes: number | null;
  /** The tick and epoch ms it was first seen a zombie (null: not a zombie). */
  readonly zombieSinceTick: number | null;
  readonly zombieSince: number | null;
  /** Growth series, once it has been followed for a slot. */
  readonly trend: { threads: SlotSeries; fds: SlotSeries; rss: SlotSeries } | null;
}

/** Everything one evaluation reads. */
export interface AlarmInput {
  now: number;
  tick: number;
  signatures: Iterable<AlarmSignature>;
  processes: Iterable<AlarmProcess>;
  files: FileNr | null;
  /** The ports a worker holds, read only for a descriptor alarm's reason. */
  portsOf?: (pid: number) => string | null;
}

/**
 * The alarms active between ticks. Each evaluation runs every rule of ALARM_RULES, in table
 * order within each subject (per signature, then per live process, then over the whole
 * reading), raises what is new, keeps the `since` of what still holds, and clears the rest. A
 * rule sees the alarms active so far (AlarmCheck.active): a rise, once raised, holds until the
 * value falls back, not only while the window still sees it rise.
 */
export class AlarmBook {
  private active = new Map<string, Alarm>();

  constructor(readonly thresholds: AlarmThresholds) {}

  evaluate(input: AlarmInput): AlarmEvent[] {
    const { now } = input;
    const check: AlarmCheck = { now, tick: input.tick, thresholds: this.thresholds, window: formatSpan(this.thresholds.windowMs), portsOf: input.portsOf, active: (id) => this.active.get(id) };
    const found: Array<Omit<Alarm, 'since'>> = [];
    const add = (rule: (typeof ALARM_RULES)[number], r: Raised | null): void => {
      if (r) found.push({ id: r.id, kind: rule.kind, severity: r.severity ?? rule.severity, reason: r.reason, signature: r.signature ?? null, pid: r.pid ?? null, value: r.value ?? null, threshold: r.threshold ?? null });
    };
    const processes = [...input.processes];
    for (const s of input.signatures) for (const rule of ALARM_RULES) if (rule.about === 'signature') add(rule, rule.check(s, check));
    for (const p of processes) {
      if (p.state === 'Z') continue;
      for (const rule of ALARM_RULES) if (rule.about === 'process') add(rule, rule.check(p, check));
    }
    for (const rule of ALARM_RULES) if (rule.about === 'reading') for (const r of rule.check({ processes, files: input.files }, check)) add(rule, r);

    const events: AlarmEvent[] = [];
    const next = new Map<string, Alarm>();
    for (const a of found) {
      const prev = this.active.get(a.id);
      const full: Alarm = { ...a, since: prev?.since ?? now };
      next.set(a.id, full);
      if (!prev) events.push({ event: 'alarm', state: 'raised', alarm: full });
    }
    for (const [id, a] of this.active) if (!next.has(id)) events.push({ event: 'alarm', state: 'cleared', alarm: a });
    this.active = next;
    return events;
  }

  /** Alarms active after the last evaluation, oldest first. */
  list(): Alarm[] {
    return [...this.active.values()].sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
  }
}
