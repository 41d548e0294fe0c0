import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { actionExitCode, auditLines, buildActionReport, type ActionReport } from '../core/action-report.js';
import type { Context } from '../core/context.js';
import { EnvironmentError } from '../core/errors.js';
import { defaultLockPath, withLock } from '../core/lock.js';
import { planSpare, planTargets, type Plan } from '../core/plan.js';
import type { PidfileEntry } from '../core/pidfiles/types.js';
import type { ResourceReport } from '../core/held/report.js';
import { stillHeld } from './held.js';
import { terminate, type SpareTarget, type TerminateReport, type TerminateTarget } from '../core/terminate.js';
import type { Snapshot } from '../core/types.js';
import type { ProgressCounts } from '../render/plan.js';
import type { CommandEnv } from './common.js';
import { escapeText } from '../render/escape.js';
import type { Interruption } from './interrupt.js';
import { writeLine, writeWarning } from './io.js';

/** An open `--log` file: opened before anything is signalled, so a bad path stops the run first. */
export interface AuditLog {
  path: string;
  fd: number;
  /** Why writing the records failed (a full disk), once it has; null while all is well. */
  failed: string | null;
}

/** Opens the audit log for appending; EnvironmentError (exit 3) when it cannot be. */
export function openAuditLog(path: string): AuditLog {
  try {
    return { path, fd: openSync(path, 'a', 0o640), failed: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError(`cannot open the audit log ${path} (${code}): fix --log. Nothing was signalled`);
  }
}

/** How to execute a plan. */
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
 * Runs the engine over targets: a progress line on stderr when it is a terminal, and SIGINT /
 * SIGTERM handled by `interrupt` (the first lets the run end, the second SIGKILLs at once). It
 * stays armed until `interrupt.summary()` after the report.
 */
export async function runEngine(env: CommandEnv, ctx: Context, targets: TerminateTarget[], snapshot: Snapshot, o: { graceMs: number; signal: NodeJS.Signals; interrupt: Interruption; spare?: readonly SpareTarget[] }): Promise<TerminateReport> {
  const { progressLine } = await import('../render/plan.js');
  const counts: ProgressCounts = { total: targets.length, terminated: 0, killed: 0, escalated: 0, other: 0, phase: 'freeze', killAt: null };
  const tty = env.io.stderrIsTTY;
  let last = 0;
  const draw = (force = false): void => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - last < 80) return;
    last = now;
    env.io.stderr.write(`\r\x1b[K${progressLine({ ...counts, now })}`);
  };
  // On a terminal the grace is followed live: the countdown to SIGKILL ticks even while no
  // process changes, so 200 TERM-ignoring workers do not look like a hang.
  let ticker: NodeJS.Timeout | null = null;
  o.interrupt.arm();
  try {
    return await terminate(targets, {
      backend: ctx.backend,
      snapshot,
      graceMs: o.graceMs,
      signal: o.signal,
      hurry: o.interrupt.hurry,
      spare: o.spare,
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

/**
 * Executes a plan with the engine (see runEngine), removes the live pidfile and registry
 * records of the processes it ended (killing a tracked process removes its record), then
 * writes the audit log.
 */
export async function executePlan(env: CommandEnv, ctx: Context, plan: Plan, snapshot: Snapshot, o: ActOptions): Promise<ActionReport> {
  const run = await runEngine(env, ctx, planTargets(plan), snapshot, { ...o, spare: planSpare(plan) });
  let removed: string[] = [];
  if (o.records && o.records.length > 0) {
    const { removeRecordsOfEnded } = await import('../core/pidfiles/index.js');
    removed = await removeRecordsOfEnded(o.records, run.results);
  }
  const report = buildActionReport(plan, run, removed);
  if (o.log) {
    o.log.failed = appendAudit(o.log, auditLines(report, o.command));
    if (o.log.failed) {
      const n = report.targets.length;
      writeWarning(env.io.stderr, `could not write the audit log ${o.log.path} (${o.log.failed}): its ${n} record${n === 1 ? ' is' : 's are'} missing, so the report on standard output is this run's only record; free space and check --log`);
    }
  }
  return report;
}

/**
 * Appends the audit records and closes the log. A failed write (ENOSPC on a full disk, EIO)
 * returns its code instead of throwing: what was done has been done, and the report must still
 * be printed. A partial write is cut back so the log keeps only whole lines, unless something
 * else has appended meanwhile.
 */
function appendAudit(log: AuditLog, text: string): string | null {
  const buf = Buffer.from(text);
  let size: number | null = null;
  let off = 0;
  try {
    size = fstatSync(log.fd).size;
    while (off < buf.length) off += writeSync(log.fd, buf, off);
    return null;
  } catch (err) {
    try {
      if (size !== null && off > 0 && fstatSync(log.fd).size === size + off) ftruncateSync(log.fd, size);
    } catch {
      /* leave it as it is */
    }
    return (err as NodeJS.ErrnoException).code ?? String(err);
  } finally {
    try {
      closeSync(log.fd);
    } catch {
      /* nothing more to do */
    }
  }
}

/**
 * Prints a report (JSON, or the human table and summary) and returns the exit code: 1 when a
 * target survived or failed or the audit log could not be written, else 0; after a run that
 * `interrupt` caught a signal in, says what it left and returns 128 + the signal's number.
 */
export async function printReport(env: CommandEnv, report: ActionReport, o: { interrupt?: Interruption; log?: AuditLog | null } = {}): Promise<number> {
  if (env.json) {
    writeLine(env.io.stdout, JSON.stringify(report, null, 2));
  } else {
    const { palette } = await import('../render/palette.js');
    const { renderReport } = await import('../render/plan.js');
    writeLine(env.io.stdout, renderReport(report, env.io.columns, palette(env.colorOut, env.unicode)));
    const n = report.pidfilesRemoved.length;
    if (n > 0) writeLine(env.io.stdout, `Removed the ${n === 1 ? 'record' : `${n} records`} of the ended processes: ${report.pidfilesRemoved.map(escapeText).join(', ')}`);
  }
  if (report.dryRun) return 0;
  // A selected port or path still held is something left, as a survivor is.
  const acted = o.log?.failed ? 1 : actionExitCode(report);
  const code = stillHeld(report.resources) ? Math.max(1, acted) : acted;
  if (!o.interrupt) return code;
  const ended = report.targets.filter((t) => t.outcome === 'terminated' || t.outcome === 'killed').length;
  o.interrupt.summary(ended, report.targets.filter((t) => t.outcome === 'survived' || t.outcome === 'failed').map((t) => t.pid));
  return o.interrupt.exitCode(code);
}

/** Prints a plan: JSON (the dry-run report) or the trees; `toStderr` for the plan shown before a prompt. */
export async function printPlan(env: CommandEnv, plan: Plan, o: { dryRun: boolean; signal: string; graceMs: number; toStderr?: boolean; backend?: string; ports?: ReadonlyMap<number, string> }, resources?: ResourceReport[]): Promise<void> {
  if (env.json && !o.toStderr) {
    const report = buildActionReport(plan, null);
    if (resources) report.resources = resources;
    writeLine(env.io.stdout, JSON.stringify(report, null, 2));
    return;
  }
  const { palette } = await import('../render/palette.js');
  const { renderPlan } = await import('../render/plan.js');
  const stream = o.toStderr ? env.io.stderr : env.io.stdout;
  const width = o.toStderr ? stderrWidth(env) : env.io.columns;
  const text = renderPlan(plan, width, palette(o.toStderr ? env.colorErr : env.colorOut, env.unicode), o);
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
