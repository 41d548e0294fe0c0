import type { ExecutionReport } from './act/execution-report.js';

/** Base of every error procsweep raises on purpose; `exitCode` is what the CLI exits with. */
export class ProcsweepError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input from the caller: an option, a regex, a duration, a config key (exit 2). */
export class UsageError extends ProcsweepError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The exit status when the environment stopped the command (EnvironmentError, a run that stopped on an error). */
export const ENVIRONMENT_EXIT = 3;

/** The environment stopped the command: no /proc and no fallback, a held lock, an unreadable file (exit 3). */
export class EnvironmentError extends ProcsweepError {
  constructor(message: string) {
    super(message, ENVIRONMENT_EXIT);
  }
}

/**
 * What the library's sweep() throws when its run stopped on an error after the first signal
 * (the CLI's exit 3, as an EnvironmentError): `report` says what was done, every process not
 * finished `failed` with why; `message` is the error it stopped on (the report's `error`).
 */
export class RunStoppedError extends EnvironmentError {
  readonly report: ExecutionReport;
  /** Why the audit log could not be written as well (sweep()'s `auditFailed`), or null. */
  readonly auditFailed: string | null;
  constructor(report: ExecutionReport, auditFailed: string | null = null) {
    super(report.error ?? 'the run stopped on an error');
    this.report = report;
    this.auditFailed = auditFailed;
  }
}

/** The operator cancelled at a prompt (Ctrl-C, a closed terminal) before anything was done (exit 130, as for SIGINT). */
export class CancelledError extends ProcsweepError {
  constructor(message: string) {
    super(message, 130);
  }
}

/** True for the errno codes that mean "the process went away while we looked". */
export function isVanished(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}
