import { createContext, type CommonOptions, type Context } from '../read/context.js';
import { holdersOf } from '../read/scan.js';
import { keptUnder } from '../decide/spare.js';
import { UsageError } from '../errors.js';
import { orThrow } from '../act/terminate.js';
import { executeTargets, type ExecuteHooks } from '../act/execute.js';
import type { Snapshot } from '../types.js';
import { executeClean, killRefusal, planClean, type CleanItem, type CleanOptions } from './clean.js';
import { readPidfiles } from './read.js';
import type { PidfileEntry } from './types.js';

/** The records of a context, judged against one snapshot. */
export interface OpenRecords {
  ctx: Context;
  snapshot: Snapshot;
  entries: PidfileEntry[];
  /** The named pid dirs and registries that do not exist. */
  missing: string[];
}

/**
 * Resolves options, reads the process table and judges every pidfile and registry entry.
 * Throws UsageError when no pid dir or registry is given (from options or config).
 */
export async function openRecords(opts: CommonOptions, onWarning?: (message: string) => void): Promise<OpenRecords> {
  const ctx = await createContext(opts);
  if (ctx.pidDirs.length === 0 && ctx.registries.length === 0) {
    throw new UsageError('no records to check: give --pid-dir DIR or --registry FILE (or pidDirs / registries in the config)');
  }
  const snapshot = await ctx.backend.snapshot();
  const missing: string[] = [];
  const entries = await readPidfiles(ctx, snapshot, { onWarning, onMissing: (p) => missing.push(p) });
  return { ctx, snapshot, entries, missing };
}

/** What `cleanStale` does beyond the common options: the `pidfiles clean` switches. */
export interface CleanStaleOptions extends CommonOptions {
  /** Terminate live entries' process trees first (TERM, grace, KILL, verified), then remove their records. */
  kill?: boolean;
  /** Also remove records that do not parse as a pid. */
  removeInvalid?: boolean;
  /** Plan and check, change nothing, signal nothing. */
  dryRun?: boolean;
  /** TERM's grace before KILL, in ms (default DEFAULT_GRACE_MS, escalation/timing.ts). */
  graceMs?: number;
  onWarning?: (message: string) => void;
}

/**
 * Plans `pidfiles clean` over judged records: with `kill`, a live record's process may be
 * terminated only inside the context's narrowing (`--match`, `--args`, `--user`, `--port` /
 * `--holds`; see killRefusal). The one planner of the CLI and cleanStale().
 */
export async function planRecordsClean(ctx: Context, snapshot: Snapshot, entries: readonly PidfileEntry[], o: CleanOptions): Promise<CleanItem[]> {
  const holders = ctx.held ? (await holdersOf(ctx)).selected : undefined;
  const filter = { signatures: ctx.signatures, args: ctx.args, uid: ctx.uid, runWorkers: ctx.knownSignatures === undefined || ctx.knownSignatures === ctx.signatures, holders };
  return planClean(entries, o, (e) => killRefusal(e, snapshot, filter));
}

/** How to execute a clean plan for a context. */
export interface RecordsCleanOptions extends ExecuteHooks {
  dryRun?: boolean;
  /** TERM's grace before KILL, in ms (the engine's default when absent). */
  graceMs?: number;
}

/**
 * Executes a clean plan: `kill` items' processes through the core executor (executeTargets,
 * with the snapshot the plan was judged on), leaving kept processes under them running
 * (keptUnder), then the records removed. The one executor of the CLI and cleanStale().
 */
export function executeRecordsClean(ctx: Context, snapshot: Snapshot, plan: readonly CleanItem[], o: RecordsCleanOptions = {}): Promise<CleanItem[]> {
  return executeClean(plan, {
    dryRun: o.dryRun,
    backend: ctx.backend,
    graceMs: o.graceMs,
    // A run stopped by an error is thrown: the clean stops there, as before.
    terminate: async (targets, t) => orThrow((await executeTargets(targets, t.spare ?? [], { ...o, backend: ctx.backend, snapshot, graceMs: t.graceMs })).run),
    spareUnder: (pids) => keptUnder(snapshot, pids, ctx.keep ?? [], ctx.backend.ownerPorts?.()),
  });
}

/**
 * A supervisor's start-up step, made safe: `procsweep pidfiles clean [--kill]` as one call.
 * Stale (dead, reused) records go; with `kill`, the workers a crashed predecessor left are
 * terminated with identity checks and verification, and only then are their records removed.
 * Unsafe records (symlinks, planted files) are never acted on.
 */
export async function cleanStale(opts: CleanStaleOptions): Promise<CleanItem[]> {
  const { ctx, snapshot, entries } = await openRecords(opts, opts.onWarning);
  const plan = await planRecordsClean(ctx, snapshot, entries, { removeInvalid: opts.removeInvalid, kill: opts.kill });
  return executeRecordsClean(ctx, snapshot, plan, { dryRun: opts.dryRun, graceMs: opts.graceMs, onWarning: opts.onWarning });
}
