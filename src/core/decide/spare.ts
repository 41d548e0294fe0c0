import type { OwnerPorts } from '../read/owner/resolve.js';
import { keptBy, type KeepRule } from '../read/owner/keep.js';
import { childrenOf } from './plan.js';
import type { SpareTarget } from '../act/terminate.js';
import type { Snapshot } from '../types.js';

/**
 * The kept processes (keep rules, PROCSWEEP_KEEP=1) under the given roots, for callers with no
 * sweep plan to take TerminateOptions.spare from (pidfiles clean --kill): the engine leaves them
 * and their subtrees running. Reads the environment only of the roots' descendants.
 */
export function keptUnder(snap: Snapshot, roots: readonly number[], rules: readonly KeepRule[], ports?: OwnerPorts): SpareTarget[] {
  const children = childrenOf(snap);
  const out: SpareTarget[] = [];
  const seen = new Set<number>(roots);
  const stack = [...roots];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      const why = c.state === 'Z' ? null : keptBy(c, ports?.evidence(c) ?? null, rules);
      if (why) out.push({ pid: c.pid, startTicks: c.startTicks, reason: `kept: ${why}` });
      else stack.push(c.pid);
    }
  }
  return out;
}
