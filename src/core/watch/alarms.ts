/** Watch alarms: what they are about and the thresholds they use. */

/** What an alarm is about. */
export type AlarmKind = 'rising' | 'expect' | 'zombie' | 'growth' | 'fd-limit' | 'system-fds';

/** Every alarm kind, for metrics with stable series. */
export const ALARM_KINDS: readonly AlarmKind[] = ['rising', 'expect', 'zombie', 'growth', 'fd-limit', 'system-fds'];

/** A condition that holds now; `id` is stable while it lasts. */
export interface Alarm {
  id: string;
  kind: AlarmKind;
  severity: 'warning' | 'critical';
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
export interface AlarmRules {
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
export function defaultRules(intervalMs: number, over: Partial<AlarmRules> = {}): AlarmRules {
  return {
    intervalMs,
    windowMs: 10 * 60_000,
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
