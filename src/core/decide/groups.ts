/** kill-group and kill-tree planning over a fresh scan: the one planner of both commands. */
import type { Context } from '../read/context.js';
import { UsageError } from '../errors.js';
import { effectiveUid, guardContext, guardReason } from './guard.js';
import { spareUnmatchedHolders } from '../read/held/spare.js';
import { planGroups, type Plan } from './plan.js';
import { scanWith, type ScanResult } from '../read/scan.js';

/** What a kill-group / kill-tree plan is made of. */
export interface GroupsPlanFor {
  /** The PIDs (or PGIDs with byPgid) given; empty when `--port` / `--holds` select the workers. */
  ids: readonly number[];
  /** The ids are process group ids. */
  byPgid?: boolean;
  /** `kill-tree`: each PID and its descendants only, not the rest of its group. */
  treeOnly?: boolean;
}

/**
 * Scans and plans kill-group (each PID's process group plus every member's tree) or kill-tree
 * (each PID and its descendants). With `--port` / `--holds` in the context, the matched holders'
 * groups or trees (never an unmatched holder's, which is spared even inside a planned tree).
 * UsageError for a missing, protected or doubly given selection: nothing is signalled.
 */
export async function planGroupsOf(ctx: Context, o: GroupsPlanFor): Promise<{ plan: Plan; scan: ScanResult }> {
  const command = o.treeOnly ? 'kill-tree' : 'kill-group';
  if (o.ids.length === 0 && !ctx.held) throw new UsageError(`give the PID of a worker (e.g. procsweep ${command} 4224), or select workers with --port or --holds`);
  if (o.ids.length > 0 && ctx.held) throw new UsageError(`give PIDs or --port/--holds, not both: with --port or --holds, ${command} acts on the ${o.treeOnly ? 'trees' : 'groups'} of the matched workers that hold them`);
  // Not root: the guard judges the owner of every process, so read every owner. Root: the guard
  // ignores owners, and they stay unknown (user null) where the fast scan did not need them.
  const scan = await scanWith(ctx, effectiveUid() === 0 ? {} : { snapshot: await ctx.backend.snapshot() });
  const { snapshot, findings } = scan;
  const guard = guardContext(snapshot);
  const ids = [...o.ids];
  // --port/--holds: the matched holders' groups (never an unmatched holder's).
  if (ctx.held) for (const f of findings) if (f.signature && f.proc.state !== 'Z' && !guardReason(f.proc, guard)) ids.push(o.byPgid && f.proc.pgid !== null ? f.proc.pgid : f.proc.pid);
  const plan = planGroups(snapshot, findings, [...new Set(ids)], { byPgid: o.byPgid, treeOnly: o.treeOnly, guard });
  return { plan: spareUnmatchedHolders(plan, scan.holders, findings), scan };
}
