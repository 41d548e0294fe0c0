/** The CLI side of executing a plan: confirm, show engine progress, print the report, audit, exit code. */
import { executionExitCode, buildExecutionReport, type ExecutionReport } from '../core/act/execution-report.js';
import { auditFailedMessage, type AuditLog } from '../core/act/audit-log.js';
import type { Context } from '../core/read/context.js';
import { executePlan, type ExecuteHooks } from '../core/act/execute.js';
import { defaultLockPath, withLock } from '../core/act/lock.js';
import { toSignal, type Plan } from '../core/decide/plan.js';
import type { PidfileEntry } from '../core/pidfiles/types.js';
import type { ResourceReport } from '../core/read/held/report.js';
import { stillHeld } from './held.js';
import { SIGNALLED_OUTCOMES, UNENDED_OUTCOMES } from '../core/act/outcomes.js';
import type { Snapshot } from '../core/types.js';
import { progressLine, type ProgressCounts } from '../render/progress.js';
import type { CommandEnv } from './common.js';
import { escapeText } from '../render/escape.js';
import type { Interruption } from './interrupt.js';
import { writeLine, writeWarning } from './io.js';

/**
 * Runs `fn` (a core executor) with the engine's progress wired to the terminal: a live line on
 * stderr when it is a terminal (the grace counts down to SIGKILL even while no process changes,
 * so 200 TERM-ignoring workers do not look like a hang), SIGINT / SIGTERM handled by `interrupt`
 * (the first lets the run end, the second SIGKILLs at once), warnings on stderr. `interrupt`
 * stays armed until `interrupt.summary()` after the report.
 */
export async function withEngineProgress<T>(env: CommandEnv, o: { graceMs: number; interrupt: Interruption; total: number }, fn: (hooks: ExecuteHooks) => Promise<T>): Promise<T> {
  const counts: ProgressCounts = { total: o.total, terminated: 0, killed: 0, escalated: 0, other: 0, phase: 'freeze', killAt: null };
  const tty = env.io.stderrIsTTY;
  let last = 0;
  const draw = (force = false): void => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - last < 80) return;
    last = now;
    env.io.stderr.write(`\r\x1b[K${progressLine({ ...counts, now })}`);
  };
  let ticker: NodeJS.Timeout | null = null;
  o.interrupt.arm();
  try {
    return await fn({
      hurry: o.interrupt.hurry,
      onWarning: (m) => writeWarning(env.io.stderr, m),
      onPhase: (phase, pending) => {
        o.interrupt.onPhase(phase);
        counts.phase = phase;
        if (phase === 'wait') {
          counts.killAt = Date.now() + o.graceMs;
          if (tty && !ticker) ticker = setInterval(() => draw(true), 100).unref();
        }
        if (phase === 'kill') counts.escalated = pending;
        if (phase !== 'wait' && ticker) {
          clearInterval(ticker);
          ticker = null;
        }
        draw(true);
      },
      onProgress: (r) => {
        if (r.outcome === 'terminated') counts.terminated++;
        else if (r.outcome === 'killed') counts.killed++;
        else counts.other++;
        counts.total = Math.max(counts.total, counts.terminated + counts.killed + counts.other);
        draw();
      },
    });
  } finally {
    if (ticker) clearInterval(ticker);
    o.interrupt.onPhase('done');
    if (tty) env.io.stderr.write('\r\x1b[K');
  }
}

/** How the CLI executes a plan. */
export interface ActOptions {
  command: string;
  graceMs: number;
  signal: NodeJS.Signals;
  log: AuditLog | null;
  /** The judged pidfile and registry records (from the scan), when pid dirs or registries were given. */
  records?: PidfileEntry[];
  /** Catches SIGINT / SIGTERM during the run; its exit code and summary follow the report. */
  interrupt: Interruption;
}

/**
 * Executes a plan through the core executor (executePlan: engine, records of the ended
 * processes, audit log) with the progress line and interrupt handling, and warns when the audit
 * log could not be written (the report is then the run's only record; printReport exits 1).
 */
export async function runPlan(env: CommandEnv, ctx: Context, plan: Plan, snapshot: Snapshot, o: ActOptions): Promise<ExecutionReport> {
  const total = toSignal(plan).length;
  const { report } = await withEngineProgress(env, { graceMs: o.graceMs, interrupt: o.interrupt, total }, (hooks) =>
    executePlan(plan, { ...hooks, backend: ctx.backend, snapshot, graceMs: o.graceMs, signal: o.signal, records: o.records, audit: o.log && { log: o.log, command: o.command } }));
  if (o.log?.failed) writeWarning(env.io.stderr, auditFailedMessage(o.log, report.targets.length));
  return report;
}

/**
 * Prints a report (JSON, or the human table and summary) and returns the exit code: 1 when a
 * target survived or failed or the audit log could not be written, else 0; after a run that
 * `interrupt` caught a signal in, says what it left and returns 128 + the signal's number. A run
 * that stopped on an error (`report.error`) is reported all the same, then its error line
 * follows on stderr and the code is 3, as for any error of the environment.
 */
export async function printReport(env: CommandEnv, report: ExecutionReport, o: { interrupt?: Interruption; log?: AuditLog | null } = {}): Promise<number> {
  if (env.json) {
    writeLine(env.io.stdout, JSON.stringify(report, null, 2));
  } else {
    const { loadPalette } = await import('../render/load-palette.js');
    const { renderReport } = await import('../render/plan.js');
    writeLine(env.io.stdout, renderReport(report, env.io.columns, await loadPalette(env.colorOut, env.unicode)));
    const n = report.pidfilesRemoved.length;
    if (n > 0) writeLine(env.io.stdout, `Removed the ${n === 1 ? 'record' : `${n} records`} of the ended processes: ${report.pidfilesRemoved.map(escapeText).join(', ')}`);
  }
  if (report.dryRun) return 0;
  const acted = executionExitCode(report);
  // A selected port or path still held, or an unwritten audit log, is something left, as a survivor is.
  const code = o.log?.failed || stillHeld(report.resources) ? Math.max(1, acted) : acted;
  if (o.interrupt) {
    const ended = report.targets.filter((t) => SIGNALLED_OUTCOMES.has(t.outcome)).length;
    o.interrupt.summary(ended, report.targets.filter((t) => UNENDED_OUTCOMES.has(t.outcome)).map((t) => t.pid));
  }
  if (report.error !== undefined) {
    writeLine(env.io.stderr, `procsweep: ${escapeText(report.error)}`);
    return code;
  }
  return o.interrupt ? o.interrupt.exitCode(code) : code;
}

/** Prints a plan: JSON (the dry-run report) or the trees; `toStderr` for the plan shown before a prompt. */
export async function printPlan(env: CommandEnv, plan: Plan, o: { dryRun: boolean; signal: string; graceMs: number; toStderr?: boolean; backend?: string; ports?: ReadonlyMap<number, string> }, resources?: ResourceReport[]): Promise<void> {
  if (env.json && !o.toStderr) {
    const report = buildExecutionReport(plan, null);
    if (resources) report.resources = resources;
    writeLine(env.io.stdout, JSON.stringify(report, null, 2));
    return;
  }
  const { loadPalette } = await import('../render/load-palette.js');
  const { renderPlan } = await import('../render/plan.js');
  const stream = o.toStderr ? env.io.stderr : env.io.stdout;
  const width = o.toStderr ? stderrWidth(env) : env.io.columns;
  const text = renderPlan(plan, width, await loadPalette(o.toStderr ? env.colorErr : env.colorOut, env.unicode), o);
  if (text) writeLine(stream, text);
}

/** Width of stderr when it is a terminal (prompts and the plan shown before them), else null. */
export function stderrWidth(env: CommandEnv): number | null {
  return env.io.stderrIsTTY ? (env.io.stderr as NodeJS.WriteStream).columns || 80 : null;
}

/** Runs `fn` holding the one-sweep-at-a-time lock (`--lock-file`, `--wait-lock`): every command that signals or removes takes it. */
export async function withSweepLock<T>(env: CommandEnv, o: { lockFile?: string; waitLock?: boolean }, fn: () => Promise<T>): Promise<T> {
  const lockPath = o.lockFile ?? defaultLockPath();
  return withLock(lockPath, {
    wait: o.waitLock,
    onWait: (_h, who) => writeLine(env.io.stderr, `procsweep: waiting for the sweep lock ${lockPath}, held by ${escapeText(who)}`),
  }, fn);
}
