import { constants } from 'node:os';

/** When `procsweep run` starts CMD again after it exits. */
export type RestartPolicy = 'never' | 'on-failure' | 'always';

/** The restart policies, in help order. */
export const RESTART_POLICIES: readonly RestartPolicy[] = ['never', 'on-failure', 'always'];

/** How one child ended, as Node reports it: an exit code or the signal that killed it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A signal's number (SIGTERM -> 15), or null for a name the platform does not know. */
export function signalNumber(signal: NodeJS.Signals): number | null {
  return (constants.signals as Record<string, number | undefined>)[signal] ?? null;
}

/** The exit status a shell would report: the exit code, or 128 + the signal number for a signal death. */
export function exitStatus(exit: ChildExit): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? signalNumber(exit.signal) : null;
  return n === null ? 255 : 128 + n;
}

/** What to do after a child exited. */
export type RestartDecision = 'restart' | 'done' | 'give-up';

/**
 * Pure restart rule. `never` is done after the first exit; `on-failure` restarts on a non-zero
 * status (signal deaths included); `always` restarts on any exit. Once `restarts` has reached
 * `maxRestarts` (null = no limit), an exit that would restart gives up instead. A run that is
 * stopping never restarts.
 */
export function restartDecision(policy: RestartPolicy, status: number, restarts: number, maxRestarts: number | null, stopping: boolean): RestartDecision {
  if (stopping || policy === 'never') return 'done';
  if (policy === 'on-failure' && status === 0) return 'done';
  if (maxRestarts !== null && restarts >= maxRestarts) return 'give-up';
  return 'restart';
}
