import { processName, selfAndAncestors } from './classify.js';
import type { ProcessInfo, Snapshot } from '../types.js';

/** Who procsweep is, as far as the guard needs it: what it must never signal. */
export interface GuardContext {
  /** procsweep's own pid. */
  selfPid: number;
  /** procsweep and every ancestor of it. */
  lineage: Set<number>;
  /**
   * procsweep's process group and session; null when unknown (then the rule cannot apply). 0 means
   * outside this PID namespace (procsweep entered it with nsenter): not a group or session it shares.
   */
  pgid: number | null;
  sid: number | null;
  /** procsweep's effective uid; 0 lifts the other-users rule; null (unknown) keeps it for everyone. */
  uid: number | null;
}

/** The process facts the guard looks at. */
export type Guarded = Pick<ProcessInfo, 'pid' | 'ppid' | 'pgid' | 'sid' | 'uid' | 'kernelThread' | 'comm' | 'argv'>;

/** The guard context from a snapshot that holds procsweep itself (the live table, or a fixture). */
export function guardContext(snap: Snapshot, uid: number | null = effectiveUid()): GuardContext {
  const self = snap.processes.get(snap.selfPid);
  return { selfPid: snap.selfPid, lineage: selfAndAncestors(snap), pgid: self?.pgid ?? null, sid: self?.sid ?? null, uid };
}

/** This process's effective uid, or null where the platform has none. */
export function effectiveUid(): number | null {
  return typeof process.geteuid === 'function' ? process.geteuid() : null;
}

/**
 * Why a process may never be signalled (design.md section 5), or null when it may. Pure. The
 * order matters only for the message: the most fundamental reason is named.
 */
export function guardReason(p: Guarded, g: GuardContext): string | null {
  if (p.pid <= 0) return `PID ${p.pid} is not a process`;
  if (p.pid === 1) return 'PID 1 is the init of this system or container: never signalled';
  // PF_KTHREAD decides (the reader's kernelThread), not the number: a PID namespace's PID 2 is
  // an ordinary process (a container's restart loop), and the host's kthreadd carries the flag.
  if (p.kernelThread) return `PID ${p.pid} is a kernel thread: never signalled`;
  if (p.pid === g.selfPid) return 'this is procsweep itself';
  if (g.lineage.has(p.pid)) return `PID ${p.pid} (${processName(p)}) is an ancestor of procsweep: signalling it would take procsweep (and your shell) down`;
  if (g.pgid !== null && g.pgid > 0 && p.pgid === g.pgid) {
    return `PID ${p.pid} is in procsweep's own process group ${g.pgid}: start the worker in its own group (setsid) or run procsweep from elsewhere`;
  }
  if (g.sid !== null && g.sid > 0 && p.sid === g.sid) {
    return `PID ${p.pid} is in procsweep's own session ${g.sid} (the terminal or service it runs from): run procsweep from another terminal, or start the worker with setsid`;
  }
  if (g.uid !== 0) {
    if (p.uid === null) return `the owner of PID ${p.pid} is unknown: only root may signal it`;
    if (g.uid === null || p.uid !== g.uid) return `PID ${p.pid} belongs to uid ${p.uid}, not to you: run as root or as that user`;
  }
  return null;
}
