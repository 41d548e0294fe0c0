/**
 * The one path that acts on a plan: the engine over the plan's targets (what the plan skips is
 * spared), then the removal of the pidfile and registry records of the processes that ended,
 * then the audit log. sweep, kill-group, kill-tree, `watch --sweep`, `pidfiles clean --kill`
 * (through executeTargets) and the library's sweep() and cleanStale() all run it; progress
 * reaches the caller through the hooks, and this module knows nothing of terminals.
 */
import { buildExecutionReport, type ExecutionReport } from './execution-report.js';
import { appendAudit, auditLines, type AuditLog } from './audit-log.js';
import type { Backend } from '../read/backend/index.js';
import type { EngineOps } from '../read/backend/ops.js';
import type { GuardContext } from '../decide/guard.js';
import { planSpare, planTargets, type Plan } from '../decide/plan.js';
import { removeRecordsOfEnded } from '../pidfiles/clean.js';
import type { PidfileEntry } from '../pidfiles/types.js';
import { terminate, type Phase, type SpareTarget, type TargetResult, type TerminateReport, type TerminateTarget } from './terminate.js';
import type { Snapshot } from '../types.js';

/** How a run reports its progress and is hurried: the engine's callbacks, passed through. */
export interface ExecuteHooks {
  /** Called when an engine phase starts, with the number of processes still in play. */
  onPhase?: (phase: Phase, pending: number) => void;
  /** Called once per process when its outcome is final. */
  onProgress?: (r: TargetResult) => void;
  /** A line worth telling the operator (the thaw watchdog could not start). */
  onWarning?: (message: string) => void;
  /** Aborting it cuts the grace short: SIGKILL at once, then verification (a second Ctrl-C). */
  hurry?: AbortSignal;
}

/** How to run the engine over targets. Only `backend` is required. */
export interface ExecuteOptions extends ExecuteHooks {
  backend: Backend;
  /** The snapshot the plan was made from (tree expansion, the guard); read when absent. */
  snapshot?: Snapshot;
  /** How long the first signal gets before SIGKILL, in ms (the engine's default when absent). */
  graceMs?: number;
  /** The first signal (default SIGTERM). */
  signal?: NodeJS.Signals;
  /** The judged pidfile and registry records: the live ones whose process ended are removed. */
  records?: readonly PidfileEntry[];
  /** The process table and clock to act through (tests pass a fake); the backend's when absent. */
  ops?: EngineOps;
  /** How long SIGKILL gets to take effect before `survived`, in ms (the engine's default when absent). */
  killWaitMs?: number;
  /** Who procsweep is (what the guard protects); derived from the snapshot when absent. */
  guard?: GuardContext;
}

/** What executeTargets did: the engine's report and the records it removed (paths, or `registry#task_id`). */
export interface TargetsRun {
  run: TerminateReport;
  removed: string[];
}

/**
 * Runs the engine over targets, leaving `spare` (and everything under it) running, then removes
 * the live records whose process ended (same PID and start time as when judged): killing a
 * tracked process removes its record. The base of executePlan; `pidfiles clean --kill` calls it
 * directly, with no sweep plan.
 */
export async function executeTargets(targets: TerminateTarget[], spare: readonly SpareTarget[], o: ExecuteOptions): Promise<TargetsRun> {
  const run = await terminate(targets, {
    backend: o.backend,
    snapshot: o.snapshot,
    graceMs: o.graceMs,
    signal: o.signal,
    spare,
    ops: o.ops,
    killWaitMs: o.killWaitMs,
    guard: o.guard,
    hurry: o.hurry,
    onPhase: o.onPhase,
    onProgress: o.onProgress,
    onWarning: o.onWarning,
  });
  const removed = o.records && o.records.length > 0 ? await removeRecordsOfEnded(o.records, run.results) : [];
  return { run, removed };
}

/** How to execute a plan: the engine's options, the audit log, and which of its targets to take. */
export interface PlanExecuteOptions extends ExecuteOptions {
  /** `--log`: one record per target is appended after the run, then the log is closed. */
  audit?: { log: AuditLog; command: string } | null;
  /** Only the plan's targets this accepts (watch leaves out the ones it gave up on); all when absent. The others are spared, subtree and all, even inside another target's tree. */
  only?: (t: TerminateTarget) => boolean;
}

/** The reason of a target that `only` left out of the run (it and its subtree stay as they are). */
export const LEFT_OUT = 'left out of this run (given up on earlier)';

/** An executed plan: the report (sweep / kill-group JSON), the engine's own results, and the audit write's failure. */
export interface PlanRun {
  report: ExecutionReport;
  run: TerminateReport;
  /** Why the audit log could not be written (ENOSPC), or null: what was done is done, the report stands. */
  auditFailed: string | null;
}

/**
 * Executes a plan: the engine over its targets with its skipped entries spared, the records of
 * the processes that ended removed, the report built, and the audit log (when given) written.
 * A failed audit write is returned, not thrown (also left in `audit.log.failed`).
 */
export async function executePlan(plan: Plan, o: PlanExecuteOptions): Promise<PlanRun> {
  const all = planTargets(plan);
  const targets = o.only ? all.filter(o.only) : all;
  // A target `only` leaves out is spared too, or another target's tree would take it back in.
  const left = o.only ? all.filter((t) => !o.only!(t)).map((t) => ({ pid: t.pid, startTicks: t.startTicks, reason: LEFT_OUT })) : [];
  const { run, removed } = await executeTargets(targets, [...planSpare(plan), ...left], o);
  const report = buildExecutionReport(plan, run, removed);
  let auditFailed: string | null = null;
  if (o.audit) {
    auditFailed = appendAudit(o.audit.log, auditLines(report, o.audit.command));
    o.audit.log.failed = auditFailed;
  }
  return { report, run, auditFailed };
}
