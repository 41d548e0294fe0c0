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
 * A run that stopped on an error after it had signalled processes (exit 3, as an
 * EnvironmentError): `report` says what was done, every process it did not finish `failed` with
 * why. `message` is the error it stopped on (the report's `error`).
 */
export class RunStoppedError<R = unknown> extends EnvironmentError {
  readonly report: R;
  /** Why the audit log could not be written as well (sweep()'s `auditFailed`), or null. */
  readonly auditFailed: string | null;
  constructor(message: string, report: R, auditFailed: string | null = null) {
    super(message);
    this.report = report;
    this.auditFailed = auditFailed;
  }
}

/** Throws RunStoppedError (carrying the report) when a report says its run stopped on an error; else returns it. */
export function unlessStopped<R extends { error?: string }>(report: R, auditFailed: string | null = null): R {
  if (report.error !== undefined) throw new RunStoppedError(report.error, report, auditFailed);
  return report;
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
