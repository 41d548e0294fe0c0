/** The dashboard's `k`: the scoped sweep run in the foreground of the terminal, then back. */
import { spawn } from 'node:child_process';
import type { CliIO } from '../io.js';

/**
 * Runs procsweep with `argv` (`sweep --args X ...`) as a child in this terminal and resolves
 * with its exit status. The child is the sweep command itself, so its plan, guard, picker and
 * confirm are exactly sweep's; its guard keeps this watch (an ancestor) out of the plan.
 */
export function runForeground(argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], { stdio: 'inherit' });
    child.on('error', () => resolve(3));
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

/**
 * Waits for one key on a terminal's stdin (raw mode, restored after); null when stdin is not a
 * terminal, or when `cancel` aborts first (the watch ended meanwhile).
 */
export function oneKey(io: CliIO, cancel?: AbortSignal): Promise<string | null> {
  const input = io.stdin as NodeJS.ReadStream;
  if (!io.stdinIsTTY || typeof input.setRawMode !== 'function' || cancel?.aborted) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (key: string | null): void => {
      input.off('data', onData);
      cancel?.removeEventListener('abort', onAbort);
      input.setRawMode(false);
      input.pause();
      resolve(key);
    };
    const onData = (b: Buffer): void => done(b.toString('latin1').charAt(0));
    const onAbort = (): void => done(null);
    input.setRawMode(true);
    input.once('data', onData);
    cancel?.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}
