/**
 * The one function that makes a sweep plan: `sweep`, `watch --sweep` and the library's sweep()
 * all plan with it, so they cannot drift apart.
 */
import type { Context } from '../read/context.js';
import { UsageError } from '../errors.js';
import { guardContext } from './guard.js';
import { spareUnmatchedHolders } from '../read/held/spare.js';
import { planWithExactUids } from '../read/exact-uids.js';
import { parseSweepTargets, planSweep, type Plan } from './plan.js';
import type { ScanResult } from '../read/scan.js';
import { matchProcess } from './signatures.js';
import { checkUntrackedTarget, DEFAULT_TARGETS } from './sweep-targets.js';
import type { Flag, Snapshot } from '../types.js';

/**
 * The flags `--target` names select (default: orphans and abandoned workers). `long-lived`
 * needs an age; `all` selects every target. UsageError on a bad name.
 */
export function sweepTargets(names: readonly string[] | undefined, olderThanMs: number | undefined): Flag[] {
  if (names?.includes('long-lived') && olderThanMs === undefined) {
    throw new UsageError('--target long-lived needs --older-than DUR: the age above which a worker counts as long-lived');
  }
  return parseSweepTargets(names ?? [...DEFAULT_TARGETS]);
}

/** What a sweep plan takes beyond the scan. */
export interface SweepPlanFor {
  /** The flags that make a matched process a candidate (sweepTargets). */
  targets: readonly Flag[];
  /** Only candidates running longer than this (ms). */
  olderThanMs?: number;
  /** `untracked` was asked for by name: without records that is bad input (checkUntrackedTarget). */
  untrackedNamed?: boolean;
}

/**
 * The sweep plan of a scan: candidates with their trees (restart-loop wrappers included, even
 * when --args leaves their own command line out), the guard applied, exact uids read where the
 * plan needs them, and unmatched --port/--holds holders spared. Returns the snapshot the plan
 * was made on (with those owners), which the engine must be given.
 */
export function planSweepOf(ctx: Context, scan: ScanResult, o: SweepPlanFor): { plan: Plan; snapshot: Snapshot } {
  checkUntrackedTarget(o.targets, o.untrackedNamed ?? false, scan.tracking);
  const owned = planWithExactUids(ctx.backend, scan.snapshot, (s) =>
    planSweep(s, scan.findings, { targets: o.targets, olderThanMs: o.olderThanMs, guard: guardContext(s), unfiltered: (p) => matchProcess(ctx.signatures, p) }));
  return { plan: spareUnmatchedHolders(owned.plan, scan.holders, scan.findings), snapshot: owned.snapshot };
}
