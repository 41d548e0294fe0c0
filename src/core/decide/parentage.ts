import type { ProcessInfo, Snapshot } from '../types.js';

/** What plain parentage says about a process whose parent is PID 1 or a reaper. */
export type Parentage =
  | { flag: 'orphan' | 'detached'; reason: string }
  /** Its parent is alive and started it on purpose (a container init's own child): no flag. */
  | { flag: null; reason: string };

/**
 * The parentage verdict (design.md section 4) for a process whose parent adopts orphans. `by`
 * names the parent for the reason, `name` tells a process's name. Session and group ids of 0
 * mean "outside this PID namespace": never the same as anything, never gone.
 */
export function judgeParentage(snap: Snapshot, p: ProcessInfo, by: string, name: (pid: number) => string): Parentage {
  if (p.sid === null) {
    // Without the session (portable backend) a daemon cannot be told from an orphan: the safe
    // reading is the one that is not swept by default.
    return { flag: 'detached', reason: `parent is ${by}; its session is unknown to the ${snap.backend} backend, so it is treated as detached; not swept unless --target detached` };
  }
  if (p.sid === p.pid) {
    return { flag: 'detached', reason: `parent is ${by} and it leads its own session: a daemon or a child started detached; not swept unless --target detached` };
  }
  const parent = snap.processes.get(p.ppid);
  const parentAlive = parent !== undefined && parent.state !== 'Z';
  if (parentAlive && p.sid === parent.pid && parent.sid === parent.pid) {
    return { flag: null, reason: `its parent ${by} leads its session and is alive: a container init or supervisor with its own child, not a lost one` };
  }
  if (parentAlive && p.sid === parent.sid && (p.pgid === p.pid || (p.pgid !== null && p.pgid > 0 && p.pgid === parent.pgid && parent.pgid === parent.pid))) {
    const where = p.sid === 0 ? 'the session outside this PID namespace it shares with it' : `its session ${p.sid}`;
    return { flag: null, reason: `its parent ${by} is alive, in ${where}, and started it in ${p.pgid === p.pid ? 'a process group of its own' : 'its own process group'}, as a container init (tini, docker-init) starts its command` };
  }
  if (p.sid === 0) {
    return { flag: 'orphan', reason: `parent is ${by}; its session began outside this PID namespace (reads 0), and ${parentAlive ? 'that parent did not start it' : 'its parent is gone'}` };
  }
  const leader = snap.processes.get(p.sid);
  return { flag: 'orphan', reason: `parent is ${by}; ${leader && leader.state !== 'Z' ? `session leader ${name(p.sid)} is still alive` : `session leader ${p.sid} is gone`}` };
}
