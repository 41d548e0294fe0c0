/** procsweep's library API: the same read -> decide -> act pipeline as the CLI, without a terminal. */
export { ProcsweepError, UsageError, EnvironmentError, RunStoppedError } from './core/errors.js';
export { parseDuration, formatDuration } from './core/duration.js';
export type { ProcessInfo, Snapshot, Finding, Flag, Role, ProcessIdentity, BackendName } from './core/types.js';
export type { FlagRow, Tone, WatchedFlag, ColumnFlag } from './core/decide/flags.js';
export { ALL_FLAGS, FLAG_TABLE, CHECK_FLAGS, DEFAULT_TARGETS } from './core/decide/flags.js';
export type { OutcomeRow, OutcomeKey } from './core/act/outcomes.js';
export { OUTCOME_TABLE } from './core/act/outcomes.js';
export type { Backend, BackendOptions } from './core/read/backend/index.js';
export type { EngineOps, LiveStat } from './core/read/backend/ops.js';
export { openBackend, ProcfsBackend } from './core/read/backend/index.js';
export { ProcReader } from './core/read/procfs/reader.js';
export { parseStat, parseStatus, parseCmdline } from './core/read/procfs/parse.js';
export type { Signature, SignatureMatch } from './core/decide/signatures.js';
export { BUILTIN_SIGNATURES, matchProcess, parseSignatureSpec, resolveSignatures } from './core/decide/signatures.js';
export type { ClassifyOptions, TrackingIndex, TrackingEntry } from './core/decide/classify.js';
export { classify, DEFAULT_REAPERS, cpuPercent } from './core/decide/classify.js';
export type { Config } from './core/read/config.js';
export { loadConfig, parseConfig } from './core/read/config.js';
export type { CommonOptions, Context } from './core/read/context.js';
export { createContext } from './core/read/context.js';
export type { ScanResult, ScanPassOptions } from './core/read/scan.js';
export { scanWith, holdersOf, unmatchedHolders } from './core/read/scan.js';
export type { Held, HeldSelector, HolderIndex, PortSpec, ResourceHolders, HeldSocket, SocketProto, SocketState } from './core/read/held/index.js';
export { readHeld, findHolders, parsePortSpec, portsText, parseHexAddress, parseIpTable, parseUnixTable } from './core/read/held/index.js';
export type { ResourceReport, HolderRef } from './core/read/held/report.js';
export { spareUnmatchedHolders } from './core/read/held/spare.js';
export type { ListReport, ProcessRecord } from './core/decide/list-report.js';
export { buildListReport, toRecord } from './core/decide/list-report.js';
export type { Outcome, Phase, SpareTarget, TerminateTarget, TargetResult, TerminateOptions, TerminateReport } from './core/act/terminate.js';
export { terminate, parseSignal, OUTCOMES } from './core/act/terminate.js';
export type { GuardContext, Guarded } from './core/decide/guard.js';
export { guardContext, guardReason } from './core/decide/guard.js';
export type { LockHolder, LockOptions } from './core/act/lock.js';
export { withLock, acquireLock, defaultLockPath } from './core/act/lock.js';
export type { Plan, PlanEntry, SweepPlanOptions, GroupPlanOptions, SweepTargetName } from './core/decide/plan.js';
export { planSweep, planGroups, planTargets, planSpare, toSignal, checkPlanSize, planOverMax, parseSweepTargets, SWEEP_TARGETS, DEFAULT_PLAN_MAX } from './core/decide/plan.js';
export type { ExecutionReport, ExecutionTarget, ExecutionSummary, ReportOutcome, ActionReport, ActionTarget, ActionSummary } from './core/act/execution-report.js';
export { buildExecutionReport, executionExitCode, buildActionReport, actionExitCode } from './core/act/execution-report.js';
export type { ExecuteHooks, ExecuteOptions, PlanExecuteOptions, PlanRun, TargetsRun } from './core/act/execute.js';
export { executePlan, executeTargets } from './core/act/execute.js';
export type { AuditLog, AuditRecord } from './core/act/audit-log.js';
export { openAuditLog, auditLines } from './core/act/audit-log.js';
export type { SweepOptions, SweepResult } from './core/act/sweep.js';
export type { SweepPlanFor } from './core/decide/sweep-plan.js';
export { sweep } from './core/act/sweep.js';
export { planSweepOf, sweepTargets } from './core/decide/sweep-plan.js';
export type { GroupsPlanFor } from './core/decide/groups.js';
export { planGroupsOf } from './core/decide/groups.js';
export type { RunSpec, RunEvent, RunResult, ChildInfo, PidfileSpec } from './core/run/supervisor.js';
export { Supervisor } from './core/run/supervisor.js';
export type { DeathLink } from './core/run/launch.js';
export { deathLink, resolveCommand } from './core/run/launch.js';
export type { RestartPolicy, ChildExit } from './core/run/policy.js';
export { exitStatus, restartDecision } from './core/run/policy.js';
export { supervisorIndex, procsweepRunLabel } from './core/run/detect.js';
export type { PidfileEntry, PidfileStatus, PidfileFormat, CleanItem, CleanAction, RemovalResult, PidfileReport, PidfileRecord } from './core/pidfiles/index.js';
export { cleanStale, openRecords, planRecordsClean, executeRecordsClean } from './core/pidfiles/index.js';
export type { CleanStaleOptions, OpenRecords, RecordsCleanOptions } from './core/pidfiles/index.js';
export { readPidfiles, trackingIndex, removeEntries, writePidfile, removeOwnPidfile, planClean, executeClean, buildPidfileReport, START_TOLERANCE_MS } from './core/pidfiles/index.js';

import { createContext, type CommonOptions } from './core/read/context.js';
import { scanWith, type ScanPassOptions, type ScanResult } from './core/read/scan.js';

/**
 * One call for a supervisor: resolve options, read the process table, classify it.
 * `const { findings } = await scan({ match: ['srt-live-transmit'], pidDirs: ['/run/router'] })`.
 */
export async function scan(opts: CommonOptions & Omit<ScanPassOptions, 'snapshot' | 'tracking'> = {}): Promise<ScanResult> {
  const ctx = await createContext(opts);
  return scanWith(ctx, opts);
}

export type { WatchOptions, WatchTick, TickJob, TickJobInput, WatchAction, ActionInput, TickCounts } from './core/watch/loop.js';
export { watch, relevantSubset, DEFAULT_INTERVAL_MS } from './core/watch/loop.js';
export { tickLine, eventLine, pidfilesTickLine, tickRecord, eventRecord, pidfilesTickRecord } from './core/watch/json-lines.js';
export type { SweepJobOptions, CleanJobOptions, SweepActionOptions, CleanActionOptions } from './core/watch/tick-jobs.js';
export { sweepJob, cleanPidfilesJob, sweepAction, cleanPidfilesAction } from './core/watch/tick-jobs.js';
export type { WatchEvent, ProcessEvent, SweptEvent, PidfileRemovedEvent, AlarmEvent } from './core/watch/events.js';
export { WATCH_EVENTS } from './core/watch/events.js';
export type { Alarm, AlarmKind, AlarmSeverity, AlarmThresholds, AlarmRules } from './core/watch/alarms.js';
export { defaultThresholds, defaultRules, ALARM_KINDS } from './core/watch/alarms.js';
export type { AlarmRule } from './core/watch/alarm-rules.js';
export { ALARM_RULES } from './core/watch/alarm-rules.js';
export type { WatchedProcess, SignatureCounts } from './core/watch/watcher.js';
export { Watcher } from './core/watch/watcher.js';
export type { MetricFamily, MetricsServer } from './core/watch/metrics.js';
export { exposition, watchMetrics, writeMetricsFile, serveMetrics } from './core/watch/metrics.js';
