/** Which parts of a frozen batch a whole-tree signal may take at once (see the engine's kill step). */
import type { EngineOps } from '../../read/backend/ops.js';
import type { Look, Track } from './types.js';

const stopped = (l: Look): boolean => l.kind === 'alive' && (l.st.state === 'T' || l.st.state === 't');

/**
 * The trees of `batch` (processes in play, by pid) that are safe to signal whole: the root and
 * every live descendant the table shows are in the batch, still the planned process, and
 * stopped. A stopped process cannot fork, so a walker that starts at the root right after finds
 * exactly these members. Trees of one process are left out (signalled directly). Root first.
 */
export function frozenTrees(batch: ReadonlyMap<number, Track>, table: Pick<EngineOps, 'pids' | 'stat'>, look: (t: Track) => Look): Track[][] {
  const kids = new Map<number, number[]>();
  const parent = new Map<number, number>();
  for (const pid of table.pids()) {
    const st = table.stat(pid);
    if (!st || st.state === 'Z' || st.state === 'X') continue; // a zombie cannot act on a signal anyway
    parent.set(pid, st.ppid);
    const list = kids.get(st.ppid);
    if (list) list.push(pid);
    else kids.set(st.ppid, [pid]);
  }
  const out: Track[][] = [];
  for (const root of batch.values()) {
    const up = parent.get(root.pid);
    if (up === undefined || batch.has(up)) continue; // gone, or inside a bigger tree
    const members: Track[] = [];
    const seen = new Set<number>();
    let whole = true;
    for (const stack = [root.pid]; whole && stack.length > 0; ) {
      const pid = stack.pop()!;
      const t = batch.get(pid);
      if (!t || seen.has(pid) || !stopped(look(t))) whole = false;
      else {
        seen.add(pid);
        members.push(t);
        stack.push(...(kids.get(pid) ?? []));
      }
    }
    if (whole && members.length > 1) out.push(members);
  }
  return out;
}
