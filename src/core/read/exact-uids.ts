/** Exact uids (the user that owns a process, from its status file) where the fast scan left them unknown: a plan needs them for the guard and the audit log. Not to be confused with a worker's owner (core/read/owner/: its supervisor). */
import type { Backend } from './backend/index.js';
import type { Plan } from '../decide/plan.js';
import type { ProcessInfo, Snapshot } from '../types.js';

/**
 * The snapshot with exact uids (effective uid, from the status file) for the given pids whose
 * uid the fast scan left unknown (it reads it for candidates only). The guard and the audit log
 * need the owner of every process a plan may signal; a process that changed meanwhile keeps null.
 */
export function withExactUids(backend: Backend, snap: Snapshot, pids: Iterable<number>): Snapshot {
  let processes: Map<number, ProcessInfo> | null = null;
  for (const pid of pids) {
    const p = snap.processes.get(pid);
    if (!p || p.uid !== null || p.kernelThread) continue;
    const uid = backend.exactUid?.(p) ?? null;
    if (uid === null) continue;
    processes ??= new Map(snap.processes);
    processes.set(pid, { ...p, uid });
  }
  return processes ? { ...snap, processes } : snap;
}

/** Makes a plan, then remakes it once with exact uids for its processes whose uid was unknown. */
export function planWithExactUids(backend: Backend, snap: Snapshot, make: (s: Snapshot) => Plan): { plan: Plan; snapshot: Snapshot } {
  const first = make(snap);
  const unknown = first.entries.filter((e) => e.uid === null).map((e) => e.pid);
  if (unknown.length === 0) return { plan: first, snapshot: snap };
  const snapshot = withExactUids(backend, snap, unknown);
  return snapshot === snap ? { plan: first, snapshot } : { plan: make(snapshot), snapshot };
}
