/** Classification (design.md section 4): who matches a signature and which flags it gets, with a reason for each. */
import { formatDuration } from '../duration.js';
import { applyOwnership, type OwnershipInput, type OwnershipOptions } from '../read/owner/apply.js';
import { judgeParentage } from './parentage.js';
import { basename, matchProcess, type Signature, type SignatureMatch } from './signatures.js';
import type { Finding, Flag, ProcessInfo, Snapshot } from '../types.js';

/** Parents that adopt orphans: a child of one of these lost its real parent. Extend via config `reapers`. */
export const DEFAULT_REAPERS: readonly string[] = [
  'systemd', 'init', 'tini', 'dumb-init', 'catatonit', 's6-svscan', 'runsvdir', 'containerd-shim*', 'docker-init', 'conmon',
];

/** A live pidfile or registry entry, as the tracking index needs it. */
export interface TrackingEntry {
  startTicks: number | null;
  /** The pidfile path, or `registry#task_id`. */
  source: string;
}

/** Live pidfile targets by pid, from `--pid-dir` / `--registry`; absent means "no records given". */
export interface TrackingIndex {
  entries: Map<number, TrackingEntry>;
  /** What was searched, for the `untracked` reason. */
  sources: string[];
  /**
   * Records that could not be read to a PID (a missing pid dir or registry, a registry or
   * pidfile that does not parse, an unsafe one): a process they name would look untracked.
   * `sweep --target untracked` refuses while there are any.
   */
  gaps?: string[];
}

/** Supervisors that are alive, by pid (`procsweep run` processes); their workers are never orphans. */
export type SupervisorIndex = Map<number, { startTicks: number | null; label: string }>;

/** Everything classification depends on besides the snapshot. */
export interface ClassifyOptions {
  signatures: readonly Signature[];
  /** `--args`: also required to match the command line (AND). */
  args?: RegExp;
  /** `--user`: only this uid. */
  uid?: number;
  /** `--max-age` in ms: older processes get `long-lived`. */
  maxAgeMs?: number;
  /** Extra reaper names (config). */
  reapers?: readonly string[];
  tracking?: TrackingIndex;
  supervisors?: SupervisorIndex;
  /** Matches one process against `signatures`; default matchProcess (watch passes a cached one). */
  matcher?: (p: ProcessInfo) => SignatureMatch | null;
  /** Include unmatched processes (no flags) as well. */
  all?: boolean;
  /** Owner evidence, keep rules and owner selectors; without it no owner is read. */
  ownership?: OwnershipOptions;
}

/** Name of a process for humans and reaper matching: argv[0]'s basename, else comm. */
export function processName(p: Pick<ProcessInfo, 'argv' | 'comm'>): string {
  return p.argv.length > 0 ? basename(p.argv[0]) : p.comm;
}

/** A reaper-name matcher: exact names, or a prefix when the name ends in `*`. */
export function reaperMatcher(names: readonly string[]): (name: string) => boolean {
  const exact = new Set(names.filter((n) => !n.endsWith('*')));
  const prefixes = names.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}

/** procsweep itself and every ancestor of it: never candidates. */
export function selfAndAncestors(snap: Snapshot): Set<number> {
  const out = new Set<number>();
  let pid: number | undefined = snap.selfPid;
  while (pid !== undefined && pid > 0 && !out.has(pid)) {
    out.add(pid);
    pid = snap.processes.get(pid)?.ppid;
  }
  return out;
}

/** Age in ms at scan time, or null when the start time is unknown. */
export function ageMs(p: ProcessInfo, at: number): number | null {
  return p.startedAt === null ? null : Math.max(0, at - p.startedAt);
}

/** Lifetime-average CPU use in percent, as ps reports it; null when unknown. */
export function cpuPercent(p: ProcessInfo, snap: Snapshot): number | null {
  const age = ageMs(p, snap.scannedAt);
  if (p.cpuTicks === null || age === null) return null;
  if (age <= 0) return 0;
  return Math.round(((p.cpuTicks / snap.clockTicks) * 1000 * 1000) / age) / 10;
}

function describe(snap: Snapshot, pid: number): string {
  const p = snap.processes.get(pid);
  return p ? `${pid} (${processName(p)})` : `${pid}`;
}

/**
 * Classifies every process of a snapshot (design.md section 4): which signature it matches, and
 * its flags, each with a one-line reason. Pure: all inputs are parameters. A new flag is decided
 * here (parentage.ts and owner/apply.ts decide orphan/detached and abandoned/kept for it) and
 * described by one row of FLAG_TABLE (flags.ts): colour, sweep target, --check, counts.
 */
export function classify(snap: Snapshot, opts: ClassifyOptions): Finding[] {
  const protectedPids = selfAndAncestors(snap);
  const isReaper = reaperMatcher([...DEFAULT_REAPERS, ...(opts.reapers ?? [])]);
  const findings: Finding[] = [];
  const owned: OwnershipInput[] = [];

  for (const p of snap.processes.values()) {
    if (opts.uid !== undefined && p.uid !== opts.uid) continue;
    const exempt = p.kernelThread || protectedPids.has(p.pid);
    let m = exempt ? null : opts.matcher ? opts.matcher(p) : matchProcess(opts.signatures, p);
    if (m && opts.args && !opts.args.test(p.argv.length ? p.argv.join(' ') : p.comm)) m = null;
    if (!m && !opts.all) continue;
    const f: Finding = { proc: p, signature: m?.signature ?? null, role: m?.role ?? 'process', flags: [], reasons: {}, pidfile: null };
    findings.push(f);
    if (!m) continue;

    const add = (flag: Flag, reason: string): void => {
      f.flags.push(flag);
      f.reasons[flag] = reason;
    };

    const parent = snap.processes.get(p.ppid);
    const supervisor = findSupervisor(snap, p, opts.supervisors);
    if (p.state === 'Z') {
      add('zombie', `exited but not reaped: parent ${describe(snap, p.ppid)} has not called wait(); it cannot be killed, only its parent can reap it`);
    } else if (supervisor) {
      add('supervised', `started by procsweep run ${supervisor.pid} (${supervisor.label}), which is alive`);
    } else if (p.ppid === 1 || (parent !== undefined && p.ppid > 1 && isReaper(processName(parent)))) {
      const by = p.ppid === 1 ? `PID 1${parent ? ` (${processName(parent)})` : ''}` : `reaper ${describe(snap, p.ppid)}`;
      const verdict = judgeParentage(snap, p, by, (pid) => describe(snap, pid));
      if (verdict.flag) add(verdict.flag, verdict.reason);
    }
    const parentOwns = p.state !== 'Z' && !supervisor && !f.flags.includes('orphan') && !f.flags.includes('detached');
    let record: OwnershipInput['record'] = null;

    if (opts.maxAgeMs !== undefined) {
      const age = ageMs(p, snap.scannedAt);
      if (age !== null && age > opts.maxAgeMs) {
        add('long-lived', `running for ${formatDuration(age)}, longer than --max-age ${formatDuration(opts.maxAgeMs)}`);
      }
    }

    if (opts.tracking) {
      const hit = findTracker(snap, p, opts.tracking);
      if (hit) {
        record = hit;
        f.pidfile = hit.source;
        add('tracked', hit.pid === p.pid ? `named by ${hit.source}` : `its ancestor ${describe(snap, hit.pid)} is named by ${hit.source}`);
      } else {
        const where = opts.tracking.sources.length ? opts.tracking.sources.join(', ') : 'the given records';
        const gaps = opts.tracking.gaps?.length ? `; uncertain: ${opts.tracking.gaps.length} record${opts.tracking.gaps.length === 1 ? '' : 's'} could not be read` : '';
        add('untracked', `no live pidfile or registry entry names it or an ancestor (searched ${where})${gaps}`);
      }
    }
    if (opts.ownership) owned.push({ finding: f, supervisor, record, parentOwns });
  }

  let keys = new Map<number, string>();
  let out = findings;
  if (opts.ownership && owned.length > 0) {
    const applied = applyOwnership(snap, owned, { isReaper: (q) => isReaper(processName(q)), ...opts.ownership }, opts.tracking !== undefined);
    keys = applied.keys;
    if (applied.unselected.size > 0) {
      // Left out by --unit/--container/--owner, like --args: listed as unmatched only with --all.
      out = opts.all
        ? findings.map((f) => (applied.unselected.has(f.proc.pid) ? { ...f, signature: null, role: 'process' as const, flags: [], reasons: {}, pidfile: null, owner: null } : f))
        : findings.filter((f) => !applied.unselected.has(f.proc.pid));
    }
  }
  markDuplicates(out, keys);
  return out;
}

function findTracker(snap: Snapshot, p: ProcessInfo, idx: TrackingIndex): { pid: number; source: string } | null {
  const seen = new Set<number>();
  let cur: ProcessInfo | undefined = p;
  while (cur && cur.pid > 1 && !seen.has(cur.pid)) {
    seen.add(cur.pid);
    const e = idx.entries.get(cur.pid);
    if (e && (e.startTicks === null || e.startTicks === cur.startTicks)) return { pid: cur.pid, source: e.source };
    cur = snap.processes.get(cur.ppid);
  }
  return null;
}

function findSupervisor(snap: Snapshot, p: ProcessInfo, sups: SupervisorIndex | undefined): { pid: number; label: string } | null {
  if (!sups || sups.size === 0) return null;
  const seen = new Set<number>();
  let cur = snap.processes.get(p.ppid);
  while (cur && cur.pid > 1 && !seen.has(cur.pid)) {
    seen.add(cur.pid);
    const s = sups.get(cur.pid);
    if (s && (s.startTicks === null || s.startTicks === cur.startTicks)) return { pid: cur.pid, label: s.label };
    cur = snap.processes.get(cur.ppid);
  }
  return null;
}

/**
 * Flags all but the newest of each group of live matched processes of one user with identical
 * argv. Workers an owner tells apart (their owner keys differ: PM2 app ids, supervisord programs,
 * MediaMTX paths, units, containers) are never grouped together.
 */
function markDuplicates(findings: Finding[], ownerKeys: ReadonlyMap<number, string>): void {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.signature || f.proc.state === 'Z' || f.proc.argv.length === 0) continue;
    // The raw bytes where argv lost some to U+FFFD: distinct invalid bytes are distinct commands.
    const cmd = f.proc.cmdlineBytes !== undefined ? `b${f.proc.cmdlineBytes}` : `s${f.proc.argv.join('\u0000')}`;
    const key = `${f.proc.uid ?? '?'}\u0000${ownerKeys.get(f.proc.pid) ?? ''}\u0000${cmd}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => (a.proc.startTicks ?? -1) - (b.proc.startTicks ?? -1) || a.proc.pid - b.proc.pid);
    const newest = g[g.length - 1];
    for (const f of g.slice(0, -1)) {
      f.flags.push('duplicate');
      f.reasons.duplicate = `same command line and user as PID ${newest.proc.pid}, the newest of ${g.length}; this older copy is likely leaked`;
    }
  }
}
