/**
 * The library's sweep(): `procsweep sweep -y` as one call, planned by decide/sweep-plan.ts and
 * executed by execute.ts like every other action.
 */
import type { ExecutionReport } from './execution-report.js';
import { buildExecutionReport } from './execution-report.js';
import { closeAuditLog, openAuditLog } from './audit-log.js';
import { createContext, type CommonOptions } from '../read/context.js';
import { executePlan, type ExecuteHooks } from './execute.js';
import { defaultLockPath, withLock } from './lock.js';
import { checkPlanSize, DEFAULT_PLAN_MAX, toSignal } from '../decide/plan.js';
import { scanWith } from '../read/scan.js';
import { RunStoppedError } from '../errors.js';
import { planSweepOf, sweepTargets } from '../decide/sweep-plan.js';

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
 * would exit 2 / 3; a survivor is a report outcome, not an error. A run that stopped on an error
 * after its first signal throws RunStoppedError (an EnvironmentError) carrying the report (its
 * `error` set) and `auditFailed`, once the audit log has its records.
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
  try {
    return await withLock(opts.lockFile ?? defaultLockPath(), { wait: opts.waitLock }, async () => {
      const made = await plan();
      checkPlanSize(made.plan, opts.max ?? DEFAULT_PLAN_MAX);
      if (toSignal(made.plan).length === 0) return { report: buildExecutionReport(made.plan, { results: [], durationMs: 0 }), auditFailed: null };
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
      if (report.error !== undefined) throw new RunStoppedError(report, auditFailed);
      return { report, auditFailed };
    });
  } finally {
    // Written logs are closed already; a refused plan or a throw must not leave the fd open in a long-lived caller.
    if (log) closeAuditLog(log);
  }
}
