import type { Command } from 'commander';
import { createContext, type Context } from '../../core/read/context.js';
import { formatDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { watch, type TickJob } from '../../core/watch/loop.js';
import { pidfilesTickLine } from '../../core/watch/json-lines.js';
import type { LoopOptions, PidfilesWatchOptions, WatchOptions } from '../commands/watch.js';
import { parseExpect } from '../watch/expect.js';
import { commandEnv, commonOptions, type CommandEnv } from '../common.js';
import { runLoop, type LoopSetup } from '../watch/loop.js';

function checkLoop(o: LoopOptions): void {
  if (o.interval <= 0) throw new UsageError('--interval must be longer than 0');
}

/** Where a loop's output goes: the terminal facts, cadence and metrics options. */
function loopOutput(o: LoopOptions, env: CommandEnv): Pick<LoopSetup, 'env' | 'intervalMs' | 'metricsFile' | 'metricsPort' | 'metricsHost'> {
  return { env, intervalMs: o.interval, metricsFile: o.metricsFile, metricsPort: o.metricsPort, metricsHost: o.metricsHost };
}

function needRecords(ctx: Context, what: string): void {
  if (ctx.pidDirs.length === 0 && ctx.registries.length === 0) {
    throw new UsageError(`${what} needs records to watch: give --pid-dir DIR or --registry FILE (or pidDirs / registries in the config)`);
  }
}

/**
 * What the dashboard says of its scope and of acting: the scoping options as typed, the command
 * that acts (`words` plus that scope) for its legend, and, for `watch` without --sweep, the
 * scoped `sweep` its `k` runs (none when sweep would not accept the scope: it would act on more).
 */
async function scoped(cmd: Command | undefined, words: string[] | null, key: string[] | null, lockFile?: string): Promise<Pick<LoopSetup, 'scope' | 'act' | 'actKey'>> {
  const { givenOptions } = await import('../given.js');
  const { nextCommandFor, scopeWords } = await import('../hint.js');
  const given = givenOptions(cmd);
  const next = nextCommandFor(cmd);
  const lock = lockFile === undefined ? [] : ['--lock-file', lockFile];
  const shown = key ? next([...key, ...lock]) : null;
  const argv = key ? [...key, ...lock, ...given.flatMap((g) => (g.value === null ? [g.flag] : [g.flag, g.value]))] : [];
  return { scope: scopeWords(given), act: words ? next(words) : null, actKey: shown ? { argv, shown } : null };
}

/** `procsweep watch`: options -> context -> tick jobs -> watch loop (dashboard or JSON lines, metrics) -> exit code. */
export async function runWatch(o: WatchOptions, cmd?: Command): Promise<number> {
  const env = commandEnv(o);
  checkLoop(o);
  if (o.window <= 0) throw new UsageError('--window must be longer than 0');
  // --lock-file is the lock of --sweep, or without it of the sweep the dashboard's k runs.
  if (!o.sweep && o.olderThan !== undefined) throw new UsageError('--older-than only applies with --sweep');
  if (o.sweep && !o.yes) {
    throw new UsageError('watch --sweep terminates orphans on every scan without asking: add --yes (-y) to confirm. Nothing was signalled');
  }
  const expect = new Map((o.expect ?? []).map(parseExpect));
  const ctx = await createContext(commonOptions(o));
  const known = ctx.signatures.map((s) => s.name);
  for (const name of expect.keys()) {
    if (!known.includes(name)) throw new UsageError(`--expect: unknown signature '${name}'; known: ${known.join(', ')}`);
  }
  if (o.cleanPidfiles) needRecords(ctx, '--clean-pidfiles');

  const jobs: TickJob[] = [];
  const notes: string[] = [];
  let frozen = false;
  if (o.sweep) {
    const { sweepJob } = await import('../../core/watch/tick-jobs.js');
    const { defaultLockPath } = await import('../../core/act/lock.js');
    jobs.push(sweepJob({ lockPath: o.lockFile ?? defaultLockPath(), olderThanMs: o.olderThan, graceMs: o.grace, max: o.max, onFrozen: (f) => (frozen = f) }));
    notes.push(`sweeping orphans${o.olderThan !== undefined ? ` older than ${formatDuration(o.olderThan)}` : ''}`);
  }
  if (o.cleanPidfiles) {
    const { cleanPidfilesJob } = await import('../../core/watch/tick-jobs.js');
    jobs.push(cleanPidfilesJob());
    notes.push('cleaning pidfiles');
  }
  return runLoop({
    ...loopOutput(o, env),
    ...(await scoped(cmd, o.sweep ? null : ['sweep', '-n'], o.sweep ? null : ['sweep'], o.lockFile)),
    notes,
    extras: () => ({ expect }),
    frozen: () => frozen,
    run: (signal) => watch(ctx, { intervalMs: o.interval, count: o.count, signal, expect, thresholds: { windowMs: o.window }, jobs }),
  });
}

/** `procsweep pidfiles watch`: the records only, judged and (unless --dry-run) cleaned every interval. */
export async function runPidfilesWatch(o: PidfilesWatchOptions, cmd?: Command): Promise<number> {
  const env = commandEnv(o);
  checkLoop(o);
  const ctx = await createContext(commonOptions(o));
  needRecords(ctx, 'pidfiles watch');
  const jobs: TickJob[] = [];
  if (!o.dryRun) {
    const { cleanPidfilesJob } = await import('../../core/watch/tick-jobs.js');
    jobs.push(cleanPidfilesJob({ removeInvalid: o.removeInvalid }));
  }
  const { renderPidfilesDashboard } = await import('../../render/dashboard.js');
  return runLoop({
    ...loopOutput(o, env),
    ...(await scoped(cmd, o.dryRun ? ['pidfiles', 'clean', '-n'] : null, null)),
    notes: [o.dryRun ? 'dry run: nothing is removed' : `removing dead and reused${o.removeInvalid ? ' and invalid' : ''} records`],
    extras: () => ({}),
    run: (signal) => watch(ctx, { intervalMs: o.interval, count: o.count, signal, jobs, pidfilesOnly: true }),
    tickLine: pidfilesTickLine,
    dashboard: renderPidfilesDashboard,
  });
}
