import { constants } from 'node:os';
import type { Phase } from '../core/act/terminate.js';
import type { CommandEnv } from './common.js';
import { writeLine } from './io.js';

/** The signals that interrupt a run of the engine. */
const STOPS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * SIGINT / SIGTERM while the engine runs (sweep, kill-group, pidfiles clean --kill). The first
 * lets the run go on (TERM, grace, KILL, verify), so nothing is left stopped and the report is
 * printed; the second cuts the grace short (`hurry`): SIGKILL now, verification, report. Either
 * way the command then exits 128 + the signal's number (130 for Ctrl-C).
 */
export class Interruption {
  /** The first stop signal received, or null. */
  signal: NodeJS.Signals | null = null;
  private readonly controller = new AbortController();
  private phase: Phase | 'done' | null = null;
  private waitFrom = 0;
  private count = 0;
  private readonly handler = (sig: NodeJS.Signals): void => this.received(sig);

  constructor(
    private readonly env: CommandEnv,
    private readonly graceMs: number,
  ) {}

  /** Aborted by the second signal: the engine's `hurry`. */
  get hurry(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts catching SIGINT and SIGTERM (call before the first signal is sent). */
  arm(): void {
    for (const s of STOPS) process.on(s, this.handler);
  }

  /** Stops catching them. */
  disarm(): void {
    for (const s of STOPS) process.off(s, this.handler);
  }

  /** The engine's phase, for the messages; 'done' once it has returned. */
  onPhase(p: Phase | 'done'): void {
    this.phase = p;
    if (p === 'wait') this.waitFrom = Date.now();
  }

  private say(text: string): void {
    writeLine(this.env.io.stderr, `\nprocsweep: ${text}`);
  }

  private received(sig: NodeJS.Signals): void {
    this.count++;
    this.signal ??= sig;
    if (this.phase === 'done') {
      this.say(`${sig}: the run is over; printing the report`);
      return;
    }
    if (this.phase === 'kill' || this.phase === 'verify') {
      this.say(`${sig}: SIGKILL is sent; verifying that every target is gone (at most a second or two), then the report`);
      return;
    }
    if (this.count === 1) {
      const left = this.phase === 'wait' ? Math.max(0, this.graceMs - (Date.now() - this.waitFrom)) : this.graceMs;
      this.say(`${sig}: finishing the run so no process is left stopped: the grace ends in ${Math.ceil(left / 1000)}s, then SIGKILL and verification. Press Ctrl-C again (or send ${sig} again) to SIGKILL now`);
      return;
    }
    if (!this.controller.signal.aborted) {
      this.say(`${sig} again: cutting the grace short: SIGKILL now, then verification and the report`);
      this.controller.abort();
    }
  }

  /** The exit code: 128 + the signal's number once interrupted, else `code`. */
  exitCode(code: number): number {
    if (this.signal === null) return code;
    return 128 + (constants.signals[this.signal] ?? 2);
  }

  /** After the report: stops catching signals, and says whether the run was interrupted and what it left running (pids). */
  summary(ended: number, left: readonly number[]): void {
    this.disarm();
    if (this.signal === null) return;
    const what = left.length === 0 ? 'nothing was left running' : `left running: ${left.join(', ')} (see the report)`;
    writeLine(this.env.io.stderr, `procsweep: interrupted by ${this.signal}: ${ended} process${ended === 1 ? '' : 'es'} ended, ${what}`);
  }
}
