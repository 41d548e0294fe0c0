import { TREE_FLAGS } from './flags.js';
import type { Finding, Flag, Snapshot } from '../types.js';

/** The suspect tree a process belongs to: the flagged ancestor whose tree a sweep takes, and that ancestor's tree-taking flags. */
export interface TreeMembership {
  root: number;
  flags: Flag[];
}

/**
 * For every finding without a tree-taking flag of its own, the nearest ancestor that is a matched
 * finding with one (an orphaned `sh -c` wrapper above its ffmpeg): sweep signals the whole tree
 * of that ancestor, so `list --flag orphan` and the table must show the member too. Pure.
 */
export function suspectTrees(snap: Snapshot, findings: readonly Finding[]): Map<number, TreeMembership> {
  const flagged = new Map<number, Flag[]>();
  for (const f of findings) {
    const own = f.signature ? f.flags.filter((x) => TREE_FLAGS.includes(x)) : [];
    if (own.length && f.proc.state !== 'Z') flagged.set(f.proc.pid, own);
  }
  const out = new Map<number, TreeMembership>();
  if (flagged.size === 0) return out;
  for (const f of findings) {
    if (flagged.has(f.proc.pid)) continue;
    const seen = new Set<number>([f.proc.pid]);
    for (let pid = f.proc.ppid; pid > 1 && !seen.has(pid); pid = snap.processes.get(pid)?.ppid ?? 0) {
      seen.add(pid);
      const flags = flagged.get(pid);
      if (flags) {
        out.set(f.proc.pid, { root: pid, flags });
        break;
      }
    }
  }
  return out;
}
