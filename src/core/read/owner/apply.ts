import type { Finding, Flag, ProcessInfo, Snapshot } from '../../types.js';
import { keptBy, type KeepRule } from './keep.js';
import { resolveOwners, type OwnerPorts, type OwnerSubject, type ResolvedOwner } from './resolve.js';
import { hasSelector, selects, type OwnerSelector } from './select.js';
import type { Evidence, OwnerKind } from './types.js';

/** What ownership adds to classification: the evidence ports, keep rules and owner selectors. */
export interface OwnershipOptions {
  ports: OwnerPorts;
  keep?: readonly KeepRule[];
  select?: OwnerSelector;
  /** Whether a process adopts orphans (PID 1 aside): classify's reaper rule. Without it only PID 1 does. */
  isReaper?: (p: ProcessInfo) => boolean;
}

/** One matched finding with the facts classify already knows about it. */
export interface OwnershipInput {
  finding: Finding;
  supervisor: OwnerSubject['supervisor'];
  record: OwnerSubject['record'];
  parentOwns: boolean;
}

/** Owners whose death or replacement leaves a worker `abandoned`. */
const SUPERVISING: ReadonlySet<OwnerKind> = new Set(['pm2', 'supervisord', 'mediamtx', 'systemd', 'procsweep-run']);
/** Owners that hand out one slot per worker: a second worker in the slot replaced the first. */
const SLOTTED: ReadonlySet<OwnerKind> = new Set(['pm2', 'supervisord', 'mediamtx']);

function add(f: Finding, flag: Flag, reason: string): void {
  if (!f.flags.includes(flag)) f.flags.push(flag);
  f.reasons[flag] = reason;
}
function drop(f: Finding, flag: Flag): void {
  f.flags = f.flags.filter((x) => x !== flag);
  delete f.reasons[flag];
}
const label = (p: ProcessInfo): string => `${p.pid} (${p.argv.length ? p.argv[0].split('/').pop() : p.comm})`;

/**
 * Finds the owner of every matched finding and applies what follows from it (design.md
 * section 4): `--unit`/`--container`/`--owner` selection, `kept`, `abandoned` (owner gone, or
 * the worker replaced in its owner's slot), and `tracked` only while a live owner claims it.
 * Returns the findings the selectors leave out and each finding's owner key (for `duplicate`).
 */
export function applyOwnership(snap: Snapshot, inputs: readonly OwnershipInput[], opts: OwnershipOptions, tracking: boolean): { unselected: Set<number>; keys: Map<number, string> } {
  const evidence = new Map<number, Evidence>();
  const subjects: OwnerSubject[] = [];
  for (const i of inputs) {
    const p = i.finding.proc;
    const ev = p.state === 'Z' ? { cgroup: null, env: null } : opts.ports.evidence(p);
    evidence.set(p.pid, ev);
    subjects.push({ proc: p, evidence: ev, supervisor: i.supervisor, record: i.record, parentOwns: i.parentOwns });
  }
  const owners = resolveOwners(snap, subjects, opts.ports, opts.isReaper);
  const unselected = new Set<number>();
  const keys = new Map<number, string>();
  const live: Finding[] = [];
  for (const i of inputs) {
    const f = i.finding;
    const r = owners.get(f.proc.pid) ?? null;
    f.owner = r?.owner ?? null;
    // Kept before the selector: a process left out by --unit/--container/--owner is still kept
    // (the engine then spares it even inside a planned tree).
    const kept = keptBy(f.proc, evidence.get(f.proc.pid) ?? null, opts.keep ?? []);
    if (kept) add(f, 'kept', kept);
    if (hasSelector(opts.select) && !selects(opts.select, evidence.get(f.proc.pid) ?? null, f.owner)) {
      unselected.add(f.proc.pid);
      continue;
    }
    live.push(f);
    if (r?.key) keys.set(f.proc.pid, r.key);
    if (f.owner && f.owner.alive === false && SUPERVISING.has(f.owner.kind)) add(f, 'abandoned', f.owner.reason);
  }

  // A kept restart loop keeps its worker: sweeping the worker alone would only respawn it.
  const byPid = new Map(live.map((f) => [f.proc.pid, f]));
  for (const f of live) {
    if (f.flags.includes('kept')) continue;
    const seen = new Set<number>();
    for (let a = snap.processes.get(f.proc.ppid); a && a.pid > 1 && !seen.has(a.pid); a = snap.processes.get(a.ppid)) {
      seen.add(a.pid);
      const k = byPid.get(a.pid);
      if (k?.flags.includes('kept')) {
        add(f, 'kept', `its ancestor ${label(a)} is kept (${k.reasons.kept})`);
        break;
      }
    }
  }

  markReplaced(live, keys, owners);

  for (const f of live) {
    if (f.flags.includes('abandoned') && f.flags.includes('tracked')) {
      const was = f.reasons.tracked;
      drop(f, 'tracked');
      add(f, 'untracked', `${was}, but its owner is gone: ${f.reasons.abandoned}`);
    } else if (tracking && f.flags.includes('untracked') && f.owner?.alive === true && SUPERVISING.has(f.owner.kind)) {
      drop(f, 'untracked');
      add(f, 'tracked', `claimed by its live owner: ${f.owner.reason}`);
    }
  }
  return { unselected, keys };
}

/**
 * Two app processes in one owner slot (PM2 app id, supervisord program, MediaMTX path) of one
 * live daemon: the workers under the older are `abandoned`. Workers are grouped by the daemon's
 * direct child they descend from, so the several ffmpegs one app spawns (one per camera) are
 * one app process, never replacements of each other; a daemon that is not alive replaces nothing.
 */
function markReplaced(findings: readonly Finding[], keys: Map<number, string>, owners: ReadonlyMap<number, ResolvedOwner>): void {
  const slots = new Map<string, Map<number, { branch: ProcessInfo; members: Finding[] }>>();
  for (const f of findings) {
    const key = keys.get(f.proc.pid);
    const branch = owners.get(f.proc.pid)?.branch ?? null;
    if (!key || !branch || !f.owner || f.owner.alive !== true || !SLOTTED.has(f.owner.kind) || f.proc.state === 'Z') continue;
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = new Map()));
    const b = slot.get(branch.pid);
    if (b) b.members.push(f);
    else slot.set(branch.pid, { branch, members: [f] });
  }
  for (const slot of slots.values()) {
    if (slot.size < 2) continue;
    const branches = [...slot.values()];
    // Without every start time the order is unknown: nothing is called replaced.
    if (branches.some((b) => b.branch.startTicks === null)) continue;
    branches.sort((a, b) => a.branch.startTicks! - b.branch.startTicks! || a.branch.pid - b.branch.pid);
    const newest = branches[branches.length - 1].branch;
    for (const old of branches.slice(0, -1)) {
      if (old.branch.startTicks === newest.startTicks) continue;
      for (const f of old.members) {
        if (f.flags.includes('abandoned')) continue;
        add(f, 'abandoned', `${f.owner!.reason}; replaced: the same slot now runs as PID ${newest.pid}, and ${old.branch.pid === f.proc.pid ? 'this older one' : `this one's older app process ${label(old.branch)}`} was left behind`);
      }
    }
  }
}
