import type { Finding, Flag, ProcessInfo, Snapshot } from '../types.js';
import { keptBy, type KeepRule } from './keep.js';
import { resolveOwners, type OwnerPorts, type OwnerSubject } from './resolve.js';
import { hasSelector, selects, type OwnerSelector } from './select.js';
import type { Evidence, OwnerKind } from './types.js';

/** What ownership adds to classification: the evidence ports, keep rules and owner selectors. */
export interface OwnershipOptions {
  ports: OwnerPorts;
  keep?: readonly KeepRule[];
  select?: OwnerSelector;
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
  const owners = resolveOwners(snap, subjects, opts.ports);
  const unselected = new Set<number>();
  const keys = new Map<number, string>();
  const live: Finding[] = [];
  for (const i of inputs) {
    const f = i.finding;
    const r = owners.get(f.proc.pid) ?? null;
    f.owner = r?.owner ?? null;
    if (hasSelector(opts.select) && !selects(opts.select, evidence.get(f.proc.pid) ?? null, f.owner)) {
      unselected.add(f.proc.pid);
      continue;
    }
    live.push(f);
    if (r?.key) keys.set(f.proc.pid, r.key);
    const kept = keptBy(f.proc, evidence.get(f.proc.pid) ?? null, opts.keep ?? []);
    if (kept) add(f, 'kept', kept);
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

  markReplaced(snap, live, keys);

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

/** Two workers in one owner slot (PM2 app id, supervisord program, MediaMTX path): the older are `abandoned`. */
function markReplaced(snap: Snapshot, findings: readonly Finding[], keys: Map<number, string>): void {
  const slots = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = keys.get(f.proc.pid);
    if (!key || !f.owner || !SLOTTED.has(f.owner.kind) || f.proc.state === 'Z') continue;
    const list = slots.get(key);
    if (list) list.push(f);
    else slots.set(key, [f]);
  }
  for (const members of slots.values()) {
    if (members.length < 2) continue;
    const inSlot = new Set(members.map((m) => m.proc.pid));
    // Only the top of each tree counts: a PM2 app's sh -c loop and its ffmpeg are one worker.
    const tops = members.filter((m) => {
      const seen = new Set<number>();
      for (let a = snap.processes.get(m.proc.ppid); a && a.pid > 1 && !seen.has(a.pid); a = snap.processes.get(a.ppid)) {
        seen.add(a.pid);
        if (inSlot.has(a.pid)) return false;
      }
      return true;
    });
    const groups = new Map<string, Finding[]>();
    for (const t of tops) {
      const g = `${t.signature}\u0000${t.role}`;
      groups.set(g, [...(groups.get(g) ?? []), t]);
    }
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      g.sort((a, b) => (a.proc.startTicks ?? -1) - (b.proc.startTicks ?? -1) || a.proc.pid - b.proc.pid);
      const newest = g[g.length - 1];
      for (const old of g.slice(0, -1)) {
        if (old.flags.includes('abandoned')) continue;
        add(old, 'abandoned', `${old.owner!.reason}; replaced: the same slot now runs as PID ${newest.proc.pid}, and this older one was left behind`);
      }
    }
  }
}
