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

/** The environment stopped the command: no /proc and no fallback, a held lock, an unreadable file (exit 3). */
export class EnvironmentError extends ProcsweepError {
  constructor(message: string) {
    super(message, 3);
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
