/**
 * The alarm rules of `watch`, one row each: its kind, its usual severity, what it is about,
 * and its check. A new alarm is a row here; a new kind also goes into ALARM_KINDS (alarms.ts:
 * stable metric series) and the man page (the watch alarm list and the JSON `kind` values).
 */
import { formatSpan } from '../duration.js';
import type { FileNr } from '../read/procfs/limits.js';
import type { SlotSeries, TrendVerdict } from './ring.js';
import type { Alarm, AlarmKind, AlarmProcess, AlarmSeverity, AlarmSignature, AlarmThresholds } from './alarms.js';

/** What a check reads besides its subject. */
export interface AlarmCheck {
  now: number;
  tick: number;
  thresholds: AlarmThresholds;
  /** The trend window, as reasons write it (`10m00s`). */
  window: string;
  portsOf?: (pid: number) => string | null;
  /** The alarm of this id raised on an earlier tick and active until now, if any. */
  active?: (id: string) => Alarm | undefined;
}

/** A condition a check found: the alarm without its kind and `since`. */
export interface Raised {
  id: string;
  reason: string;
  /** Only when it differs from the rule's (a limit nearly reached is critical). */
  severity?: AlarmSeverity;
  signature?: string | null;
  pid?: number | null;
  value?: number | null;
  threshold?: number | null;
}

/** The whole reading, for rules that look across processes or at the host. */
export interface AlarmReading {
  processes: readonly AlarmProcess[];
  files: FileNr | null;
}

interface RuleHead {
  kind: AlarmKind;
  /** Its severity unless the check says otherwise. */
  severity: AlarmSeverity;
}

/** One alarm rule. `about` says what its check is called with: each signature, each live (non-zombie) process, or the whole reading once. */
export type AlarmRule =
  | (RuleHead & { about: 'signature'; check: (s: AlarmSignature, c: AlarmCheck) => Raised | null })
  | (RuleHead & { about: 'process'; check: (p: AlarmProcess, c: AlarmCheck) => Raised | null })
  | (RuleHead & { about: 'reading'; check: (r: AlarmReading, c: AlarmCheck) => Raised[] });

const NO_TREND: TrendVerdict = { covered: false, fell: false, rise: 0, risingSlots: 0, first: 0, last: 0 };

/** A series' verdict, only once it spans the window: a young process cannot have a trend yet. */
function grown(series: SlotSeries | undefined, c: AlarmCheck, min: number): TrendVerdict | null {
  const v = series?.full ? series.verdict(c.now) : NO_TREND;
  return v.covered && !v.fell && v.risingSlots >= c.thresholds.minRisingSlots && v.rise >= min ? v : null;
}

const key = (p: AlarmProcess): string => `${p.pid}@${p.startTicks ?? '?'}`;
const who = (p: AlarmProcess): string => `PID ${p.pid} (${p.signature})`;

/** `, holding udp:6000 tcp:8554*` for a descriptor alarm's reason. */
function holding(p: AlarmProcess, c: AlarmCheck): string {
  const ports = c.portsOf?.(p.pid);
  return ports ? `, holding ${ports}` : '';
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A rise alarm once raised: it holds while the value stays at least `min` above where the rise
 * began (the alarm's threshold), whether or not the window still sees the rise. The window
 * slides past a rise that stopped, and judged by the window alone the alarm would clear while
 * every leaked worker or descriptor is still there: it clears when the value falls back.
 */
function held(prev: Alarm | undefined, value: number | null, min: (from: number) => number): { from: number; to: number } | null {
  if (!prev || prev.threshold === null || value === null) return null;
  return value - prev.threshold >= min(prev.threshold) ? { from: prev.threshold, to: value } : null;
}

/** A process's thread or fd count that kept growing over the whole window (then holds until it falls back). */
function countGrowth(series: 'threads' | 'fds', what: string, leak: string, ports = false): AlarmRule {
  return {
    kind: 'growth',
    severity: 'warning',
    about: 'process',
    check: (p, c) => {
      const id = `growth:${key(p)}:${series}`;
      const base = { id, signature: p.signature, pid: p.pid };
      const min = (): number => c.thresholds.growth[series];
      const h = held(c.active?.(id), p[series], min);
      if (h) return { ...base, value: h.to, threshold: h.from, reason: `${who(p)}${ports ? holding(p, c) : ''}: ${what} grew from ${h.from} to ${h.to} and have not fallen back: ${leak}` };
      if (c.active?.(id)) return null;
      const v = grown(p.trend?.[series], c, min());
      return v && { ...base, value: v.last, threshold: v.first,
        reason: `${who(p)}${ports ? holding(p, c) : ''}: ${what} grew from ${v.first} to ${v.last} over ${c.window} and never fell: ${leak}` };
    },
  };
}

/** Every alarm rule, in the order alarms are raised within one subject. */
export const ALARM_RULES: readonly AlarmRule[] = [
  {
    kind: 'expect',
    severity: 'critical',
    about: 'signature',
    check: (s, c) => {
      const expected = c.thresholds.expect.get(s.name);
      if (expected === undefined || s.total <= expected) return null;
      return {
        id: `expect:${s.name}`, signature: s.name, value: s.total, threshold: expected,
        reason: `${s.name}: ${s.total} process${s.total === 1 ? '' : 'es'} running, ${s.total - expected} more than the ${expected} expected (--expect ${s.name}=${expected}); look for orphans and duplicates`,
      };
    },
  },
  {
    kind: 'rising',
    severity: 'warning',
    about: 'signature',
    check: (s, c) => {
      const r = c.thresholds;
      const id = `rising:${s.name}`;
      const prev = c.active?.(id);
      const h = held(prev, s.total, () => r.minRise);
      if (h) return { id, signature: s.name, value: h.to, threshold: h.from, reason: `${s.name}: count rose from ${h.from} to ${h.to} and has not fallen back: workers are started without the old ones exiting` };
      if (prev) return null;
      const v = s.trend.verdict(c.now);
      if (!(v.covered && !v.fell && v.rise >= r.minRise && v.risingSlots >= r.minRisingSlots)) return null;
      return {
        id, signature: s.name, value: v.last, threshold: v.first,
        reason: `${s.name}: count rose from ${v.first} to ${v.last} over ${c.window} and never fell back: workers are started without the old ones exiting`,
      };
    },
  },
  countGrowth('threads', 'threads', 'a thread leak (stuck worker threads)'),
  // Descriptor alarms name the worker's ports: the route an operator knows it by.
  countGrowth('fds', 'open fds', 'a descriptor leak', true),
  {
    kind: 'growth',
    severity: 'warning',
    about: 'process',
    check: (p, c) => {
      const g = c.thresholds.growth;
      const id = `growth:${key(p)}:rss`;
      const base = { id, signature: p.signature, pid: p.pid };
      const prev = c.active?.(id);
      const h = held(prev, p.rssBytes, (from) => Math.max(g.rssBytes, from * g.rssRatio));
      if (h) return { ...base, value: h.to, threshold: h.from, reason: `${who(p)}: RSS grew from ${mib(h.from)} to ${mib(h.to)} and has not fallen back: a memory leak` };
      if (prev) return null;
      const v = grown(p.trend?.rss, c, g.rssBytes);
      if (!v || v.rise < v.first * g.rssRatio) return null;
      return { ...base, value: v.last, threshold: v.first,
        reason: `${who(p)}: RSS grew from ${mib(v.first)} to ${mib(v.last)} over ${c.window} and never fell: a memory leak` };
    },
  },
  {
    kind: 'fd-limit',
    severity: 'warning', // critical from 95 % of the limit
    about: 'process',
    check: (p, c) => {
      if (p.fds === null || p.fdLimit === null || !Number.isFinite(p.fdLimit) || p.fdLimit <= 0 || p.fds < p.fdLimit * c.thresholds.fdLimitRatio) return null;
      return {
        id: `fd-limit:${key(p)}`, severity: p.fds >= p.fdLimit * 0.95 ? 'critical' : 'warning', signature: p.signature, pid: p.pid, value: p.fds, threshold: p.fdLimit,
        reason: `${who(p)}${holding(p, c)}: ${p.fds} open fds of its limit ${p.fdLimit} (RLIMIT_NOFILE, ${Math.round((p.fds / p.fdLimit) * 100)}%): it will soon fail to open sockets and files`,
      };
    },
  },
  {
    kind: 'zombie',
    severity: 'warning',
    about: 'reading',
    check: ({ processes }, c) => {
      const n = c.thresholds.zombieTicks;
      const byParent = new Map<number, AlarmProcess[]>();
      for (const p of processes) {
        if (p.state !== 'Z' || p.zombieSinceTick === null || c.tick - p.zombieSinceTick < n) continue;
        const g = byParent.get(p.ppid);
        if (g) g.push(p);
        else byParent.set(p.ppid, [p]);
      }
      return [...byParent].map(([ppid, zs]) => {
        const oldest = Math.min(...zs.map((z) => z.zombieSince ?? c.now));
        const sigs = [...new Set(zs.map((z) => z.signature))].join(', ');
        return {
          id: `zombie:${ppid}`, signature: zs[0].signature, pid: ppid, value: zs.length, threshold: n,
          reason: `${zs.length} ${sigs} zombie${zs.length === 1 ? '' : 's'} unreaped for ${formatSpan(c.now - oldest)} (over ${n} intervals): parent PID ${ppid} does not wait() for its children; fix or restart that parent (zombies cannot be killed)`,
        };
      });
    },
  },
  {
    kind: 'system-fds',
    severity: 'warning', // critical from 95 % of fs.file-max
    about: 'reading',
    check: ({ files }, c) => {
      if (!files || files.max <= 0 || files.open < files.max * c.thresholds.systemFdRatio) return [];
      const pct = Math.round((files.open / files.max) * 100);
      return [{ id: 'system-fds', severity: pct >= 95 ? 'critical' : 'warning', value: files.open, threshold: files.max,
        reason: `system file handles: ${files.open} of fs.file-max ${files.max} in use (${pct}%): new sockets and files will soon fail host-wide` }];
    },
  },
];
