import { ageMs, processName } from './classify.js';
import { UsageError } from '../errors.js';
import { guardReason, type GuardContext } from './guard.js';
import type { SpareTarget, TerminateTarget } from '../act/terminate.js';
import type { Finding, Flag, ProcessIdentity, ProcessInfo, Role, Snapshot } from '../types.js';

export { SWEEP_TARGETS, parseSweepTargets, type SweepTargetName } from './sweep-targets.js';

/** One process of a plan: what it is, why it is there, and whether it will be signalled. */
export interface PlanEntry extends ProcessIdentity {
  ppid: number;
  startedAt: number | null;
  uid: number | null;
  state: string;
  comm: string;
  argv: string[];
  signature: string | null;
  role: Role;
  flags: Flag[];
  reasons: Partial<Record<Flag, string>>;
  /** The candidate (or kill-group argument) whose tree brought this process in. */
  candidate: number;
  /** Depth below the candidate's tree root (0 = the root). */
  depth: number;
  action: 'signal' | 'skip';
  /** Why it is in the plan, or why it is skipped. */
  reason: string;
}

/** A kill plan: entries grouped by candidate tree, parents first. `--dry-run` renders it, `-y` executes it. */
export interface Plan {
  entries: PlanEntry[];
  /** Candidates (tree roots) with at least one process to signal, in order. */
  candidates: number[];
  scannedAt: number;
}

/** What narrows a sweep. */
export interface SweepPlanOptions {
  /** Flags that make a matched process a candidate (from --target). */
  targets: readonly Flag[];
  /** Only candidates older than this (ms); unknown ages are left out. */
  olderThanMs?: number;
  guard: GuardContext;
  /** Keep only these candidates (the ones left checked in the prompt). */
  only?: ReadonlySet<number>;
  /**
   * The signature match of a process before `--args` narrowed the findings. With it, a
   * candidate's restart-loop wrapper comes along even when `--args` leaves the wrapper's own
   * command line out (`sh -c 'while :; do ffmpeg -i "$URL"; done'` does not hold the URL), as
   * long as it has the candidate's owner and every matched process in its tree is selected.
   */
  unfiltered?: (p: ProcessInfo) => { signature: string; role: Role } | null;
}

/** The processes a sweep would signal: candidates (wrappers included) with their trees, plus matched zombies as notes. Pure. */
export function planSweep(snap: Snapshot, findings: readonly Finding[], opts: SweepPlanOptions): Plan {
  const byPid = new Map(findings.map((f) => [f.proc.pid, f]));
  const oldEnough = (p: ProcessInfo): boolean => {
    if (opts.olderThanMs === undefined) return true;
    const age = ageMs(p, snap.scannedAt);
    return age !== null && age > opts.olderThanMs;
  };
  const targeted = (f: Finding): boolean => Boolean(f.signature) && f.proc.state !== 'Z' && f.flags.some((fl) => opts.targets.includes(fl)) && oldEnough(f.proc);
  // A kept process is never a candidate, whatever --target says.
  const candidates = findings.filter((f) => targeted(f) && !f.flags.includes('kept'));

  const children = childrenOf(snap);
  // A wrapper the filters left out may still come along: one of the same owner, running nothing
  // the filters left out.
  const filteredWrapper = (p: ProcessInfo, of: Finding): Finding | undefined => {
    if (p.uid === null || p.uid !== of.proc.uid) return undefined;
    const m = opts.unfiltered?.(p);
    if (!m || m.role !== 'wrapper' || m.signature !== of.signature) return undefined;
    const stack = [...(children.get(p.pid) ?? [])];
    while (stack.length) {
      const d = stack.pop()!;
      if (d.state !== 'Z' && opts.unfiltered!(d) && !byPid.get(d.pid)?.signature) return undefined;
      stack.push(...(children.get(d.pid) ?? []));
    }
    return { proc: p, signature: m.signature, role: 'wrapper', flags: [], reasons: {}, pidfile: null };
  };
  // A candidate under a restart-loop wrapper goes with the wrapper: killing only the worker would respawn it.
  const rootOf = (f: Finding): Finding => {
    let cur = f;
    const seen = new Set<number>([cur.proc.pid]);
    for (;;) {
      const pp = snap.processes.get(cur.proc.ppid);
      const parent = byPid.get(cur.proc.ppid) ?? (pp && filteredWrapper(pp, cur));
      if (!parent || parent.role !== 'wrapper' || parent.proc.state === 'Z' || parent.flags.includes('kept') || seen.has(parent.proc.pid) || guardReason(parent.proc, opts.guard)) return cur;
      seen.add(parent.proc.pid);
      if (!byPid.has(parent.proc.pid)) byPid.set(parent.proc.pid, parent);
      cur = parent;
    }
  };
  const depthOf = (p: ProcessInfo): number => {
    let d = 0;
    for (let cur = snap.processes.get(p.ppid); cur && d < 4096; cur = snap.processes.get(cur.ppid)) d++;
    return d;
  };
  const roots = [...new Map(candidates.map((c) => rootOf(c)).map((r) => [r.proc.pid, r])).values()]
    .filter((r) => !opts.only || opts.only.has(r.proc.pid))
    .map((r) => ({ r, depth: depthOf(r.proc) }))
    .sort((a, b) => a.depth - b.depth || a.r.proc.pid - b.r.proc.pid)
    .map((x) => x.r);

  const why = (f: Finding): string => {
    const picked = f.flags.filter((fl) => opts.targets.includes(fl));
    return picked.map((fl) => `${fl}: ${f.reasons[fl]}`).join('; ');
  };
  const entries: PlanEntry[] = [];
  const included = new Set<number>();
  for (const root of roots) {
    if (included.has(root.proc.pid)) continue;
    const rootWhy = why(root) || `restart-loop wrapper of ${candidates.filter((c) => rootOf(c) === root).map((c) => `${c.proc.pid} (${why(c)})`).join(', ')}`;
    addTree(entries, included, children, root.proc, root.proc.pid, rootWhy, byPid, opts.guard, (f) => why(f) || null);
  }

  // Kept processes that --target would have picked are shown, never planned.
  for (const f of findings) {
    if (!f.flags.includes('kept') || !targeted(f) || included.has(f.proc.pid)) continue;
    entries.push(entry(f.proc, byPid, f.proc.pid, 0, 'skip', `kept: ${f.reasons.kept}`));
    included.add(f.proc.pid);
  }

  // Zombies cannot be signalled away: report them, naming the parent that has to reap them
  // (unless that parent is in the plan: once it is gone, init reaps them).
  const signalled = new Set(entries.filter((e) => e.action === 'signal').map((e) => e.pid));
  for (const f of findings) {
    if (!f.signature || f.proc.state !== 'Z' || included.has(f.proc.pid) || signalled.has(f.proc.ppid) || !oldEnough(f.proc)) continue;
    const e = entry(f.proc, byPid, f.proc.pid, 0, 'skip', f.reasons.zombie ?? 'zombie: it cannot be killed, only its parent can reap it');
    entries.push(e);
    included.add(f.proc.pid);
  }
  return finishPlan(snap, entries);
}

/** Options of a kill-group plan. */
export interface GroupPlanOptions {
  /** The arguments are process group ids, not pids. */
  byPgid?: boolean;
  /** Each PID and its descendants only, not the rest of its group (`kill-tree`). */
  treeOnly?: boolean;
  guard: GuardContext;
}

/**
 * The processes `kill-group` would signal: the process group of each PID (or each PGID) plus
 * every member's descendant tree. A PID that is not running or is protected is a UsageError:
 * nothing is signalled. Pure.
 */
export function planGroups(snap: Snapshot, findings: readonly Finding[], ids: readonly number[], opts: GroupPlanOptions): Plan {
  const byPid = new Map(findings.map((f) => [f.proc.pid, f]));
  const children = childrenOf(snap);
  const all = [...snap.processes.values()];
  const groups: Array<{ id: number; pgid: number | null; members: ProcessInfo[] }> = [];
  for (const id of ids) {
    if (opts.byPgid) {
      if (id <= 1) throw new UsageError(`refusing process group ${id}: it is not a worker's group. Nothing was signalled`);
      if (opts.guard.pgid === id) throw new UsageError(`refusing process group ${id}: it is procsweep's own group. Nothing was signalled`);
      const members = all.filter((p) => p.pgid === id);
      if (members.length === 0) throw new UsageError(`no process is in process group ${id}. Nothing was signalled`);
      groups.push({ id, pgid: id, members });
    } else {
      const p = snap.processes.get(id);
      if (!p) throw new UsageError(`no process ${id} is running. Nothing was signalled`);
      const refused = guardReason(p, opts.guard);
      if (refused) throw new UsageError(`refusing PID ${id}: ${refused}. Nothing was signalled`);
      if (opts.treeOnly) {
        groups.push({ id, pgid: null, members: [p] });
        continue;
      }
      if (p.pgid !== null && p.pgid <= 1) throw new UsageError(`refusing PID ${id}: it is in process group ${p.pgid}, the init's. Nothing was signalled`);
      groups.push({ id, pgid: p.pgid, members: p.pgid === null ? [p] : all.filter((q) => q.pgid === p.pgid) });
    }
  }
  const entries: PlanEntry[] = [];
  const included = new Set<number>();
  for (const g of groups) {
    const inGroup = new Set(g.members.map((m) => m.pid));
    const tops = g.members.filter((m) => !inGroup.has(m.ppid)).sort((a, b) => a.pid - b.pid);
    for (const top of tops) {
      const label = opts.byPgid ? `in process group ${g.id}` : opts.treeOnly ? `PID ${g.id} (kill-tree: it and its descendants)` : g.pgid === null ? `PID ${g.id}` : `in process group ${g.pgid} of PID ${g.id}`;
      addTree(entries, included, children, top, g.id, label, byPid, opts.guard, (f) => (inGroup.has(f.proc.pid) ? label : null));
    }
    // A group whose every member the guard protects is as wrong an argument as a protected PID.
    const members = entries.filter((e) => e.candidate === g.id && inGroup.has(e.pid));
    if (opts.byPgid && members.length > 0 && members.every((e) => e.action === 'skip')) {
      throw new UsageError(`refusing process group ${g.id}: every member is protected (${members[0].pid}: ${members[0].reason}). Nothing was signalled`);
    }
  }
  return finishPlan(snap, entries);
}

/** What the portable backend does differently when it acts: one line under its plans. */
export const PORTABLE_NOTE = 'portable backend: identity is the PID, the start second and the command line, re-read with one ps run before each pass (procfs re-reads each process, bound to it, before each signal); frozen trees are killed with tree-kill, then verified; no thaw watchdog: if procsweep is killed mid-run, processes it stopped stay stopped (send them SIGCONT)';

/** Why a process without a known start time (portable backend) is never signalled. */
export const UNKNOWN_START = 'its start time is unknown (portable backend), so its identity cannot be verified: not signalled';

/** Appends a process and its descendants (parents first, zombies left out) to the plan. */
function addTree(
  entries: PlanEntry[],
  included: Set<number>,
  children: Map<number, ProcessInfo[]>,
  top: ProcessInfo,
  candidate: number,
  topReason: string,
  byPid: Map<number, Finding>,
  guard: GuardContext,
  reasonFor: (f: Finding) => string | null,
): void {
  const stack: Array<{ p: ProcessInfo; depth: number; parentReason: string | null }> = [{ p: top, depth: 0, parentReason: null }];
  while (stack.length) {
    const { p, depth, parentReason } = stack.pop()!;
    if (included.has(p.pid)) continue;
    if (depth > 0 && p.state === 'Z') continue; // reaped once its parent is gone
    included.add(p.pid);
    const f = byPid.get(p.pid);
    if (f?.flags.includes('kept')) {
      // A kept process and everything under it stay: a keep rule outranks the tree it is in.
      entries.push(entry(p, byPid, candidate, depth, 'skip', `kept: ${f.reasons.kept}`));
      continue;
    }
    const own = depth === 0 ? topReason : (f && reasonFor(f)) ?? parentReason ?? `descendant of ${candidate}`;
    const refused = guardReason(p, guard) ?? (p.startTicks === null ? UNKNOWN_START : null);
    entries.push(entry(p, byPid, candidate, depth, refused ? 'skip' : 'signal', refused ?? own));
    const kids = children.get(p.pid) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) {
      stack.push({ p: kids[i], depth: depth + 1, parentReason: `child of ${p.pid} (${processName(p)})` });
    }
  }
}

function entry(p: ProcessInfo, byPid: Map<number, Finding>, candidate: number, depth: number, action: PlanEntry['action'], reason: string): PlanEntry {
  const f = byPid.get(p.pid);
  return {
    pid: p.pid,
    ppid: p.ppid,
    startTicks: p.startTicks,
    startedAt: p.startedAt,
    uid: p.uid,
    state: p.state,
    comm: p.comm,
    argv: p.argv,
    signature: f?.signature ?? null,
    role: f?.role ?? 'process',
    flags: f ? [...f.flags] : [],
    reasons: f ? { ...f.reasons } : {},
    candidate,
    depth,
    action,
    reason,
  };
}

function finishPlan(snap: Snapshot, entries: PlanEntry[]): Plan {
  const candidates = new Set<number>();
  for (const e of entries) if (e.action === 'signal') candidates.add(e.candidate);
  return { entries, candidates: [...candidates], scannedAt: snap.scannedAt };
}

/** The entries that will be signalled. */
export function toSignal(plan: Plan): PlanEntry[] {
  return plan.entries.filter((e) => e.action === 'signal');
}

/** The engine's input for a plan: the identity of every process to signal. */
export function planTargets(plan: Plan): TerminateTarget[] {
  return toSignal(plan).map((e) => ({ pid: e.pid, startTicks: e.startTicks }));
}

/**
 * What the engine must leave running for a plan (TerminateOptions.spare): every skipped entry
 * (kept, spared by --port/--holds, refused by the guard), so it is not reached again as a member
 * of a target's tree or a child adopted during the freeze.
 */
export function planSpare(plan: Plan): SpareTarget[] {
  return plan.entries.filter((e) => e.action === 'skip').map((e) => ({ pid: e.pid, startTicks: e.startTicks, reason: e.reason }));
}

/**
 * How a plan exceeds `--max`, or null when it does not: the processes it would signal and the
 * `--max` acting on all of it needs. `--max` guards acting, not looking: a dry run shows the plan
 * and says this; acting refuses (checkPlanSize).
 */
export function planOverMax(plan: Plan, max: number): { count: number; max: number } | null {
  const count = toSignal(plan).length;
  return count > max ? { count, max } : null;
}

export { DEFAULT_PLAN_MAX } from '../defaults.js';

/** Refuses (UsageError) a plan that would signal more than `max` processes. */
export function checkPlanSize(plan: Plan, max: number): void {
  const over = planOverMax(plan, max);
  if (over) {
    throw new UsageError(`the plan would signal ${over.count} processes, more than --max ${max}: narrow it with --args, --match, --older-than or --target, or raise --max (--max ${over.count} takes all of it; sweep -n shows the plan). Nothing was signalled`);
  }
}

/** Children of every process in a snapshot, by parent pid, in pid order. */
export function childrenOf(snap: Snapshot): Map<number, ProcessInfo[]> {
  const map = new Map<number, ProcessInfo[]>();
  for (const p of snap.processes.values()) {
    const list = map.get(p.ppid);
    if (list) list.push(p);
    else map.set(p.ppid, [p]);
  }
  for (const list of map.values()) list.sort((a, b) => a.pid - b.pid);
  return map;
}
