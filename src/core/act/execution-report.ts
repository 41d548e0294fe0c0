/** The report of executing a plan (`sweep`, `kill-group`, `kill-tree` and library `sweep()` JSON, design.md section 7): each target and its outcome, the summary counts, the exit code. */
import type { Outcome, TargetResult } from './terminate.js';
import type { Plan, PlanEntry } from '../decide/plan.js';
import type { Flag } from '../types.js';
import type { ResourceReport } from '../read/held/report.js';
import { OUTCOME_TABLE, UNENDED_OUTCOMES, type OutcomeKey } from './outcomes.js';
import { userName } from '../read/users.js';
import { ENVIRONMENT_EXIT } from '../errors.js';

/** A target's outcome in a report; `planned` only appears in a dry run. */
export type ReportOutcome = Outcome | 'planned';

/** One process in the `sweep` / `kill-group` JSON report (design.md section 7). */
export interface ExecutionTarget {
  pid: number;
  ppid: number | null;
  argv: string[];
  signature: string | null;
  flags: Flag[];
  outcome: ReportOutcome;
  reason: string;
  signals: string[];
  /** The candidate (or kill-group argument) whose tree brought it in. */
  candidate: number;
  user: string | null;
  startedAt: string | null;
  /** The kernel's name: what a zombie (no argv left) is known by. */
  comm: string;
  /** Why it was picked, per flag (empty for descendants). */
  reasons: Partial<Record<Flag, string>>;
}

/**
 * Counts by outcome (keys from the outcome table), and `leftRunning`: the processes the run
 * leaves running: survivors, failures, and targets the guard or a rule (keep) skipped, which
 * were never signalled. Zombies are not counted: they are not running.
 */
export type ExecutionSummary = { total: number; planned: number } & Record<OutcomeKey, number> & { leftRunning: number };

/** The whole `sweep` / `kill-group` report. */
export interface ExecutionReport {
  dryRun: boolean;
  targets: ExecutionTarget[];
  /** Pidfiles removed along the way (paths). */
  pidfilesRemoved: string[];
  summary: ExecutionSummary;
  durationMs: number;
  /** With `--port` / `--holds`: who held each resource, and who still holds it after acting. */
  resources?: ResourceReport[];
  /** Only when the run stopped on an error after its first signal (the engine's `error`): the CLI exits 3. */
  error?: string;
}

const KEY = Object.fromEntries([['planned', 'planned'], ...OUTCOME_TABLE.map((r) => [r.outcome, r.key])]) as Record<ReportOutcome, keyof ExecutionSummary>;

/** Counts targets by outcome. */
export function summarizeTargets(targets: ReadonlyArray<Pick<ExecutionTarget, 'outcome' | 'pid'>>, zombies: ReadonlySet<number> = new Set()): ExecutionSummary {
  const s = { total: targets.length, planned: 0, ...Object.fromEntries(OUTCOME_TABLE.map((r) => [r.key, 0])), leftRunning: 0 } as ExecutionSummary;
  for (const t of targets) {
    s[KEY[t.outcome]]++;
    if (UNENDED_OUTCOMES.has(t.outcome) || (t.outcome === 'skipped' && !zombies.has(t.pid))) s.leftRunning++;
  }
  return s;
}

function fromEntry(e: PlanEntry, outcome: ReportOutcome, reason: string, signals: string[]): ExecutionTarget {
  return {
    pid: e.pid,
    ppid: e.ppid,
    argv: e.argv,
    signature: e.signature,
    flags: e.flags,
    outcome,
    reason,
    signals,
    candidate: e.candidate,
    user: userName(e.uid),
    startedAt: e.startedAt === null ? null : new Date(e.startedAt).toISOString(),
    comm: e.comm,
    reasons: e.reasons,
  };
}

/**
 * Builds the report. Without results it is the dry run of the plan (`planned` / `skipped`);
 * with the engine's results every plan entry gets its outcome, and processes the engine found
 * on the way (children started after the plan) are added under their candidate.
 */
export function buildExecutionReport(plan: Plan, run: { results: readonly TargetResult[]; durationMs: number; error?: string } | null, pidfilesRemoved: string[] = []): ExecutionReport {
  const byPid = new Map(run?.results.map((r) => [r.pid, r]) ?? []);
  const targets: ExecutionTarget[] = [];
  const seen = new Set<number>();
  for (const e of plan.entries) {
    seen.add(e.pid);
    const r = byPid.get(e.pid);
    if (e.action === 'skip') targets.push(fromEntry(e, 'skipped', e.reason, []));
    else if (!run) targets.push(fromEntry(e, 'planned', e.reason, []));
    else if (r) targets.push(fromEntry(e, r.outcome, r.reason, r.signals));
    else targets.push(fromEntry(e, 'failed', 'the engine did not report it', []));
  }
  const candidateOf = new Map(plan.entries.map((e) => [e.pid, e.candidate]));
  for (const r of run?.results ?? []) {
    if (seen.has(r.pid)) continue;
    const candidate = (r.ppid !== null && candidateOf.get(r.ppid)) || r.pid;
    candidateOf.set(r.pid, candidate);
    targets.push({
      pid: r.pid, ppid: r.ppid, argv: r.argv, signature: null, flags: [], outcome: r.outcome, reason: r.reason, signals: r.signals,
      candidate, user: null, startedAt: null, comm: '', reasons: {},
    });
  }
  const report: ExecutionReport = { dryRun: run === null, targets, pidfilesRemoved, summary: summarizeTargets(targets, new Set(plan.entries.filter((e) => e.state === 'Z').map((e) => e.pid))), durationMs: run?.durationMs ?? 0 };
  if (run?.error !== undefined) report.error = run.error;
  return report;
}

/**
 * Exit status of an acting run: 3 when it stopped on an error (`error`, as an EnvironmentError
 * exits), else 1 when anything is left running (survived, failed, or skipped by the guard or a
 * keep rule), else 0 (design.md section 7).
 */
export function executionExitCode(report: ExecutionReport): 0 | 1 | typeof ENVIRONMENT_EXIT {
  if (report.dryRun) return 0;
  if (report.error !== undefined) return ENVIRONMENT_EXIT;
  return report.summary.leftRunning > 0 ? 1 : 0;
}

/** @deprecated The old name of ExecutionReport. */
export type ActionReport = ExecutionReport;
/** @deprecated The old name of ExecutionTarget. */
export type ActionTarget = ExecutionTarget;
/** @deprecated The old name of ExecutionSummary. */
export type ActionSummary = ExecutionSummary;
/** @deprecated The old name of buildExecutionReport. */
export const buildActionReport = buildExecutionReport;
/** @deprecated The old name of executionExitCode. */
export const actionExitCode = executionExitCode;
