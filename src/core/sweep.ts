/**
 * Sweeping as one core path: the one function that makes a sweep plan (`sweep` and
 * `watch --sweep` both plan with it, so they cannot drift apart), and the library's sweep().
 */
import type { ExecutionReport } from './execution-report.js';
import { buildExecutionReport } from './execution-report.js';
import { closeAuditLog, openAuditLog } from './audit-log.js';
import { createContext, type CommonOptions, type Context } from './context.js';
import { UsageError } from './errors.js';
import { executePlan, type ExecuteHooks } from './execute.js';
import { guardContext } from './guard.js';
import { spareUnmatchedHolders } from './held/spare.js';
import { defaultLockPath, withLock } from './lock.js';
import { planWithExactUids } from './exact-uids.js';
import { checkPlanSize, DEFAULT_PLAN_MAX, parseSweepTargets, planSweep, toSignal, type Plan } from './plan.js';
import { scanWith, type ScanResult } from './scan.js';
import { matchProcess } from './signatures.js';
import { checkUntrackedTarget, DEFAULT_TARGETS } from './sweep-targets.js';
import type { Flag, Snapshot } from './types.js';

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

/** The library's sweep(): `procsweep sweep -y` as one call. */
export interface SweepOptions extends CommonOptions, ExecuteHooks {
  /** `--target` names (orphans, abandoned, detached, untracked, duplicates, long-lived, all); default orphans and abandoned. */
  targets?: readonly string[];
  /** Only candidates running longer than this, in ms (`--older-than`). */
  olderThanMs?: number;
  /** How long SIGTERM gets before SIGKILL, in ms (the engine's default when absent). */
  graceMs?: number;
  /** Refuse (UsageError) a plan that would signal more processes than this (default 500, `--max`). */
  max?: number;
  /** Plan only: the report's targets are `planned` or `skipped`; nothing is signalled or written. */
  dryRun?: boolean;
  /** The sweep lock (default defaultLockPath()). */
  lockFile?: string;
  /** Wait for a sweep lock another procsweep holds instead of failing (EnvironmentError). */
  waitLock?: boolean;
  /** A JSON-lines audit log to append one record per target to (`--log`). */
  log?: string;
  onWarning?: (message: string) => void;
}

/** What sweep() did: the report (as `sweep --json` prints it), and why the audit log could not be written, if it could not. */
export interface SweepResult {
  report: ExecutionReport;
  auditFailed: string | null;
}

/**
 * Scans, plans and (unless dryRun) executes a sweep under the one-sweep-at-a-time lock, exactly
 * as `procsweep sweep -y` does: the guard, keep rules, tree and wrapper handling, the records of
 * the ended processes removed, the audit log. Throws UsageError / EnvironmentError as the CLI
 * would exit 2 / 3; a survivor is a report outcome, not an error.
 */
export async function sweep(opts: SweepOptions = {}): Promise<SweepResult> {
  const targets = sweepTargets(opts.targets, opts.olderThanMs);
  const ctx = await createContext(opts);
  const plan = async () => {
    const scan = await scanWith(ctx, { maxAgeMs: opts.olderThanMs, onWarning: opts.onWarning });
    return { scan, ...planSweepOf(ctx, scan, { targets, olderThanMs: opts.olderThanMs, untrackedNamed: opts.targets?.includes('untracked') }) };
  };
  if (opts.dryRun) return { report: buildExecutionReport((await plan()).plan, null), auditFailed: null };
  const log = opts.log ? openAuditLog(opts.log) : null;
  let written = false;
  try {
    return await withLock(opts.lockFile ?? defaultLockPath(), { wait: opts.waitLock }, async () => {
      const made = await plan();
      checkPlanSize(made.plan, opts.max ?? DEFAULT_PLAN_MAX);
      if (toSignal(made.plan).length === 0) return { report: buildExecutionReport(made.plan, { results: [], durationMs: 0 }), auditFailed: null };
      written = true;
      const { report, auditFailed } = await executePlan(made.plan, {
        backend: ctx.backend,
        snapshot: made.snapshot,
        graceMs: opts.graceMs,
        records: made.scan.pidfiles,
        audit: log && { log, command: 'sweep' },
        onPhase: opts.onPhase,
        onProgress: opts.onProgress,
        onWarning: opts.onWarning,
        hurry: opts.hurry,
      });
      return { report, auditFailed };
    });
  } finally {
    if (log && !written) closeAuditLog(log);
  }
}
