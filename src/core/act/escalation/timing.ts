/**
 * The escalation's timing, in one place: every constant the engine waits by, and the words that
 * tell an operator what it will do (help, dry-run and plan text). Change the timing here.
 */
import { formatSpan } from '../../duration.js';

/** How long the first signal (SIGTERM) gets before SIGKILL, in ms, unless `--grace` says otherwise. */
export const DEFAULT_GRACE_MS = 3000;

/** How long SIGKILL gets to take effect before a process still there is reported `survived`, in ms. */
export const DEFAULT_KILL_WAIT_MS = 1000;

/** The poll while the grace runs: the first sleep, doubling up to the last (ms). */
export const BACKOFF_FIRST_MS = 5;
export const BACKOFF_MAX_MS = 200;

/** How long a freeze waits for a batch to show as stopped (a D-state process stops late), in ms. */
export const STOP_WAIT_MS = 250;
/** The poll while waiting for a stop: the first sleep, doubling up to the last (ms). */
export const STOP_POLL_FIRST_MS = 1;
export const STOP_POLL_MAX_MS = 20;

/** At most this many freeze rounds adopt children started meanwhile (a fork bomb cannot hold the engine). */
export const FREEZE_ROUNDS = 50;

/** What the engine will do, in words: `SIGSTOP, SIGTERM, SIGCONT; SIGKILL after 3s if still alive`. */
export function describeEscalation(signal: string, graceMs: number = DEFAULT_GRACE_MS): string {
  return signal === 'SIGKILL' ? 'SIGSTOP, SIGKILL' : `SIGSTOP, ${signal}, SIGCONT; SIGKILL after ${formatSpan(graceMs)} if still alive`;
}
