/** `pidfiles clean` as data: plan what to do with each entry (pure), then do it. */
import type { Backend } from '../read/backend/index.js';
import type { SpareTarget } from '../act/terminate.js';
import { matchProcess, type Signature } from '../decide/signatures.js';
import { supervisingRun } from '../run/detect.js';
import { GONE_OUTCOMES } from '../act/outcomes.js';
import type { ProcessIdentity, Snapshot } from '../types.js';
import { removeEntries } from './remove.js';
import { entrySource, type PidfileEntry } from './types.js';

/**
 * What is (to be) done with an entry. Plans: `keep`, `remove`, `kill` (terminate the live
 * process, then remove the record), `never` (unsafe, or a registry that does not parse).
 * After execution: `kept`, `removed`, `terminated` (the process exited on the first signal and
 * its record was removed), `killed` (it needed SIGKILL, as everywhere in procsweep; record
 * removed), `never`, `failed`.
 */
export type CleanAction = 'keep' | 'remove' | 'kill' | 'never' | 'kept' | 'removed' | 'terminated' | 'killed' | 'failed';

/** The executed actions after which the record's file or registry entry is gone. */
export const REMOVED_ACTIONS: readonly CleanAction[] = ['removed', 'terminated', 'killed'];

/** One entry with its action, why, and the termination outcome when it was killed. */
export interface CleanItem {
  entry: PidfileEntry;
  action: CleanAction;
  /** Why this action; after execution, what happened. */
  note: string;
  /** The termination engine's outcome for `--kill` targets. */
  outcome: string | null;
}

/** What `clean` was asked to do. */
export interface CleanOptions {
  removeInvalid?: boolean;
  kill?: boolean;
}

/** The narrowing options (`--match`, `--args`, `--user`) that bound which live processes `--kill` may terminate. */
export interface KillFilter {
  signatures: readonly Signature[];
  /**
   * The worker of a live `procsweep run` may be killed whatever its command (run records any
   * CMD): true unless --match narrowed the signatures.
   */
  runWorkers?: boolean;
  args?: RegExp;
  uid?: number;
  /** `--port` / `--holds`: only the processes holding a selected port or path may be killed. */
  holders?: ReadonlySet<number>;
}

/** Why a live entry's process may not be killed under the filter, or null when it may. */
export function killRefusal(e: PidfileEntry, snap: Snapshot, filter: KillFilter): string | null {
  const p = e.pid === null ? undefined : snap.processes.get(e.pid);
  if (!p) return 'the process is gone';
  if (e.startTicks === null || p.startTicks === null) return 'its start time is unknown, so its identity cannot be checked before a signal';
  if (!matchProcess(filter.signatures, p) && !(filter.runWorkers && supervisingRun(p, snap))) return `outside --match (${filter.signatures.map((s) => s.name).join(', ')})`;
  if (filter.args && !filter.args.test(p.argv.join(' '))) return 'its command line does not match --args';
  if (filter.uid !== undefined && p.uid !== filter.uid) return 'not owned by --user';
  if (filter.holders && !filter.holders.has(p.pid)) return 'it does not hold the --port / --holds resource';
  return null;
}

/**
 * Plans clean: `dead` and `reused` records are removed; `invalid` ones only with
 * removeInvalid; `live` ones are killed (then removed) only with kill and when `mayKill`
 * allows; `zombie` records are kept for the parent that will reap; `unsafe` ones are never
 * touched. Pure.
 */
export function planClean(entries: readonly PidfileEntry[], opts: CleanOptions = {}, mayKill: (e: PidfileEntry) => string | null = () => null): CleanItem[] {
  return entries.map((entry): CleanItem => {
    const item = (action: CleanAction, note: string): CleanItem => ({ entry, action, note, outcome: null });
    switch (entry.status) {
      case 'unsafe':
        return item('never', 'unsafe: never touched');
      case 'invalid':
        if (entry.format === 'registry' && entry.registryIndex === undefined) return item('never', 'the registry is left untouched');
        return opts.removeInvalid ? item('remove', 'invalid: removed on request (--remove-invalid)') : item('keep', 'invalid: kept (add --remove-invalid to remove)');
      case 'dead':
      case 'reused':
        return item('remove', `${entry.status}: stale record`);
      case 'zombie':
        return item('keep', 'zombie: kept for the parent that must reap it');
      case 'live': {
        if (!opts.kill) return item('keep', 'live: kept (add --kill to terminate it first)');
        const refusal = mayKill(entry);
        return refusal ? item('keep', `live: not killed, ${refusal}`) : item('kill', 'live: terminate the process, then remove the record');
      }
    }
  });
}

/** One termination target, as the engine's `terminate()` takes it. */
export type KillTarget = ProcessIdentity;
/** The part of the engine's TargetResult clean needs. */
export interface KillResult {
  pid: number;
  outcome: string;
  reason: string;
}
/** The engine's `terminate()`, injectable for tests. */
export type TerminateFn = (targets: KillTarget[], opts: { backend: Backend; graceMs?: number; spare?: readonly SpareTarget[] }) => Promise<{ results: KillResult[] }>;

/** How to execute a plan. */
export interface ExecuteOptions {
  dryRun?: boolean;
  backend: Backend;
  graceMs?: number;
  /** The termination engine; required when the plan holds `kill` items. */
  terminate?: TerminateFn;
  /** What the engine must leave running under the targets (see keptUnder); nothing when absent. */
  spareUnder?: (pids: number[]) => SpareTarget[];
}

/**
 * Executes a plan: terminates `kill` targets through the engine (all in parallel, one grace
 * period), then removes the records of everything gone plus the `remove` items. A dry run
 * checks each file but changes nothing and signals nothing.
 */
export async function executeClean(plan: readonly CleanItem[], opts: ExecuteOptions): Promise<CleanItem[]> {
  const items = plan.map((i) => ({ ...i }));
  const kills = items.filter((i) => i.action === 'kill');
  if (kills.length > 0 && !opts.dryRun) {
    if (!opts.terminate) throw new Error('executeClean: a kill plan needs the termination engine');
    const seen = new Set<number>();
    const targets = kills.filter((i) => !seen.has(i.entry.pid!) && seen.add(i.entry.pid!)).map((i) => ({ pid: i.entry.pid!, startTicks: i.entry.startTicks }));
    const spare = opts.spareUnder?.(targets.map((t) => t.pid));
    const report = await opts.terminate(targets, { backend: opts.backend, graceMs: opts.graceMs, spare });
    const byPid = new Map(report.results.map((r) => [r.pid, r]));
    for (const i of kills) {
      const r = byPid.get(i.entry.pid!);
      i.outcome = r?.outcome ?? 'failed';
      if (!r || !GONE_OUTCOMES.has(r.outcome)) {
        i.action = 'failed';
        i.note = `process not terminated (${r ? `${r.outcome}: ${r.reason}` : 'no result from the engine'}); record kept`;
      }
    }
  }
  const toRemove = items.filter((i) => i.action === 'remove' || i.action === 'kill');
  const removals = await removeEntries(toRemove.map((i) => i.entry), { dryRun: opts.dryRun });
  removals.forEach((r, n) => {
    const i = toRemove[n];
    if (opts.dryRun) {
      // The plan stands; say when the file would not be removed after all.
      if (r.outcome !== 'would-remove') i.note = `${i.note} (${r.reason})`;
      return;
    }
    const killed = i.action === 'kill';
    if (r.outcome === 'removed' || r.outcome === 'already-gone') {
      // `killed` only when the process needed SIGKILL; one already gone just had its record removed.
      i.action = !killed ? 'removed' : i.outcome === 'killed' ? 'killed' : i.outcome === 'terminated' ? 'terminated' : 'removed';
      i.note = killed ? `process ${i.outcome}${i.outcome === 'killed' ? ' (needed SIGKILL)' : ''}; record ${r.reason}` : r.reason;
    } else {
      i.action = 'failed';
      i.note = killed ? `process ${i.outcome}, but the record was not removed: ${r.reason}` : r.reason;
    }
  });
  if (!opts.dryRun) for (const i of items) if (i.action === 'keep') i.action = 'kept';
  return items;
}

/**
 * After a sweep or kill-group: removes the `live` records whose process the engine ended (same
 * PID and start time as when the record was judged), so killing a tracked process removes its
 * record. Returns what was removed: pidfile paths, or `registry#task_id`.
 */
export async function removeRecordsOfEnded(entries: readonly PidfileEntry[], results: readonly { pid: number; startTicks: number | null; outcome: string }[]): Promise<string[]> {
  const ended = new Map(results.filter((r) => GONE_OUTCOMES.has(r.outcome)).map((r) => [r.pid, r.startTicks]));
  const mine = entries.filter((e) => e.status === 'live' && e.pid !== null && e.startTicks !== null && ended.get(e.pid) === e.startTicks);
  if (mine.length === 0) return [];
  const done = await removeEntries(mine);
  return done.filter((r) => r.outcome === 'removed' || r.outcome === 'already-gone').map((r) => entrySource(r.entry));
}
