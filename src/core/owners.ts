import type { Backend } from './backend/index.js';
import type { Plan } from './plan.js';
import type { ProcessInfo, Snapshot } from './types.js';

/**
 * The snapshot with exact owners (effective uid, from the status file) for the given pids whose
 * uid the fast scan left unknown (it reads it for candidates only). The guard and the audit log
 * need the owner of every process a plan may signal; a process that changed meanwhile keeps null.
 */
export function withExactOwners(backend: Backend, snap: Snapshot, pids: Iterable<number>): Snapshot {
  let processes: Map<number, ProcessInfo> | null = null;
  for (const pid of pids) {
    const p = snap.processes.get(pid);
    if (!p || p.uid !== null || p.kernelThread) continue;
    const uid = backend.exactOwner(p);
    if (uid === null) continue;
    processes ??= new Map(snap.processes);
    processes.set(pid, { ...p, uid });
  }
  return processes ? { ...snap, processes } : snap;
}

/** Makes a plan, then remakes it once with exact owners for its processes whose owner was unknown. */
export function planWithOwners(backend: Backend, snap: Snapshot, make: (s: Snapshot) => Plan): { plan: Plan; snapshot: Snapshot } {
  const first = make(snap);
  const unknown = first.entries.filter((e) => e.uid === null).map((e) => e.pid);
  if (unknown.length === 0) return { plan: first, snapshot: snap };
  const snapshot = withExactOwners(backend, snap, unknown);
  return snapshot === snap ? { plan: first, snapshot } : { plan: make(snapshot), snapshot };
}
