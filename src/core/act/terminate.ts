/**
 * The escalation engine's public entry: terminate(). The engine lives in escalation/ (engine.ts
 * the steps, freeze.ts freeze and thaw, identity.ts the check before every signal, tracks.ts the
 * processes in play, timing.ts every constant it waits by).
 */
import { guardContext } from '../decide/guard.js';
import { EnvironmentError } from '../errors.js';
import { Engine } from './escalation/engine.js';
import type { TerminateOptions, TerminateReport, TerminateTarget } from './escalation/types.js';
export { parseSignal } from './signals.js';
export { OUTCOMES } from './escalation/types.js';
export type { Outcome, Phase, SpareTarget, TargetResult, TerminateOptions, TerminateReport, TerminateTarget } from './escalation/types.js';

/**
 * Terminates targets and their trees (design.md section 5): guard, SIGSTOP parents first so no
 * restart loop can respawn, the first signal, SIGCONT, poll with backoff for the grace period,
 * SIGSTOP + SIGKILL the survivors (and any children they started meanwhile), verify. Every signal
 * is preceded by a re-read of /proc/PID/stat; a changed start time is never signalled. All
 * targets run together, so N targets take about one grace period. The engine acts only through
 * `opts.ops` (default: the backend's `signalOps()`), so a fake table and clock can drive it.
 *
 * A throw mid-run (a portable `ps` failing with EAGAIN) does not lose what was done: what the
 * engine stopped is resumed, every process it had not finished is `failed` with why the run
 * stopped and the signals it was sent, and the report comes back with `error` set. Before the
 * first signal (the seed, the first read) nothing was done: the error is thrown as it came.
 */
export async function terminate(targets: TerminateTarget[], opts: TerminateOptions): Promise<TerminateReport> {
  const ops = opts.ops ?? opts.backend.signalOps();
  const started = ops.now();
  const snapshot = opts.snapshot ?? (await opts.backend.snapshot());
  const engine = new Engine(ops, opts.guard ?? guardContext(snapshot), opts);
  let error: string | undefined;
  try {
    engine.seed(targets, snapshot);
    await engine.run().catch((err: unknown) => {
      if (!engine.signalledAny()) throw err;
      error = (err as Error | undefined)?.message ?? String(err);
    });
  } finally {
    try {
      engine.thawLeftovers();
      if (error !== undefined) engine.stopUnfinished(error);
    } finally {
      // Whatever the above threw (a progress callback), every stat fd and the thaw guard are released.
      engine.releaseAll();
    }
  }
  const report: TerminateReport = { results: engine.results(), durationMs: Math.round(ops.now() - started) };
  if (error !== undefined) report.error = error;
  return report;
}

/** For a caller with no report to carry the error in (run, pidfiles clean --kill): a run that stopped on an error is thrown as EnvironmentError, as before. */
export function orThrow(run: TerminateReport): TerminateReport {
  if (run.error !== undefined) throw new EnvironmentError(run.error);
  return run;
}
