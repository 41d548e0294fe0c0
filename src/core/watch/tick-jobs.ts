/** What `watch` can do after each scan: sweep orphans, drop stale pidfile and registry records. */
import { ageMs } from '../decide/classify.js';
import { executePlan, LEFT_OUT } from '../act/execute.js';
import { withLock } from '../act/lock.js';
import { checkPlanSize, DEFAULT_PLAN_MAX, planTargets } from '../decide/plan.js';
import { executeClean, planClean } from '../pidfiles/index.js';
import { entrySource, type PidfileEntry } from '../pidfiles/types.js';
import { UNENDED_OUTCOMES } from '../act/outcomes.js';
import { pidfileRecords, scanWith } from '../read/scan.js';
import { planSweepOf, sweepTargets } from '../decide/sweep-plan.js';
import type { TerminateTarget } from '../act/terminate.js';
import type { TickJob } from './loop.js';
import type { PidfileRemovedEvent, SweptEvent, UnstampedEvent } from './events.js';
import { identityKey } from './watcher.js';

/** How `--sweep` works each tick. */
export interface SweepJobOptions {
  /** The sweep lock (`--lock-file`); one sweep at a time across procsweep processes. */
  lockPath: string;
  /** Only orphans running longer than this. */
  olderThanMs?: number;
  /** How long SIGTERM gets before SIGKILL (default DEFAULT_GRACE_MS, escalation/timing.ts). */
  graceMs?: number;
  /** Refuse a plan that would signal more processes than this (default 500). */
  max?: number;
  /**
   * Told when the engine starts (true) and stops (false) holding processes with SIGSTOP, so a
   * caller that must exit can wait for the SIGCONT or SIGKILL that follows: never leave a tree
   * stopped.
   */
  onFrozen?: (frozen: boolean) => void;
}

/** The flags `sweep` targets by default: orphans, and workers whose owner is gone. */
const TARGETS = sweepTargets(undefined, undefined);

/** How many runs stopped by an error may leave the same process before watch gives up on it. */
export const STOPPED_RUNS_MAX = 3;

/**
 * `--sweep`: on a tick that saw an orphan (older than `olderThanMs`), take the sweep lock,
 * rescan the whole table, plan exactly as `procsweep sweep` would (orphans with their trees,
 * wrappers included, the guard applied) and run the termination engine. A lock held by another
 * sweep is reported and tried again next tick. A process the engine could not end (survived,
 * failed), or that the guard protects (skipped, with its reason), is reported once and not
 * tried again while it lives. A run that stopped on an error (a failing `ps`) gives up on
 * nothing at once: what it left is tried again next tick, up to STOPPED_RUNS_MAX such runs.
 */
export function sweepJob(o: SweepJobOptions): TickJob {
  const givenUp = new Set<string>();
  /** Stopped runs per identity: past STOPPED_RUNS_MAX it is given up on, not signalled every tick. */
  const stoppedRuns = new Map<string, number>();
  return async ({ ctx, result, warn }) => {
    const now = result.snapshot.scannedAt;
    const alive = new Set<string>();
    let due = false;
    for (const f of result.findings) {
      if (!f.signature) continue;
      const key = identityKey(f.proc.pid, f.proc.startTicks, f.proc.argv);
      alive.add(key);
      if (f.proc.state === 'Z' || !TARGETS.some((t) => f.flags.includes(t)) || f.flags.includes('kept') || givenUp.has(key)) continue;
      const age = ageMs(f.proc, now);
      if (o.olderThanMs === undefined || (age !== null && age > o.olderThanMs)) due = true;
    }
    for (const k of givenUp) if (!alive.has(k)) givenUp.delete(k);
    for (const k of stoppedRuns.keys()) if (!alive.has(k)) stoppedRuns.delete(k);
    if (!due) return [];
    return withLock(o.lockPath, { wait: false }, async () => {
      // The tick's reading is partial and a moment old: plan on a fresh, whole one, exactly as `procsweep sweep` does.
      const scan = await scanWith(ctx, { maxAgeMs: o.olderThanMs });
      const { plan, snapshot } = planSweepOf(ctx, scan, { targets: TARGETS, olderThanMs: o.olderThanMs });
      checkPlanSize(plan, o.max ?? DEFAULT_PLAN_MAX);
      const keyOf = (pid: number, startTicks: number | null): string => identityKey(pid, startTicks, snapshot.processes.get(pid)?.argv ?? []);
      // Refused by the guard (procsweep's own session, another user's process...): say why, once.
      const skipped: UnstampedEvent[] = [];
      for (const e of plan.entries) {
        if (e.action !== 'skip' || e.state === 'Z' || givenUp.has(keyOf(e.pid, e.startTicks))) continue;
        givenUp.add(keyOf(e.pid, e.startTicks));
        skipped.push({ event: 'swept', pid: e.pid, startTicks: e.startTicks, ppid: e.ppid, argv: e.argv, signature: e.signature, outcome: 'skipped', reason: e.reason, signals: [] });
      }
      const only = (t: TerminateTarget): boolean => !givenUp.has(keyOf(t.pid, t.startTicks));
      if (!planTargets(plan).some(only)) return skipped;
      let done;
      try {
        done = await executePlan(plan, {
          backend: ctx.backend,
          snapshot,
          graceMs: o.graceMs,
          only,
          // Killing a tracked process removes its record, as `procsweep sweep` does.
          records: scan.pidfiles,
          // Frozen from 'freeze' until 'wait' (it starts once every SIGCONT is sent: 'terminate' still
          // holds them stopped); 'kill' freezes again until SIGKILL is sent ('verify').
          onPhase: (phase) => o.onFrozen?.(phase === 'freeze' || phase === 'terminate' || phase === 'kill'),
        });
      } finally {
        o.onFrozen?.(false);
      }
      const bySig = new Map(plan.entries.map((e) => [e.pid, e.signature]));
      const planSkipped = new Set(plan.entries.filter((e) => e.action === 'skip').map((e) => e.pid));
      // The plan's skipped entries are told above (once); the engine's word on them repeats it.
      // ...and so are the ones given up on earlier, which the engine spared this time.
      const events: UnstampedEvent[] = [...skipped, ...done.run.results.filter((r) => !planSkipped.has(r.pid) && !(r.outcome === 'skipped' && r.reason === LEFT_OUT)).map((r): SweptEvent => {
        // A run that stopped on an error did not give up on what it left: the next tick tries
        // again, up to STOPPED_RUNS_MAX times (a ps that fails at the same step every time would
        // otherwise have every tick stop, signal and resume the same processes for good).
        if (UNENDED_OUTCOMES.has(r.outcome)) {
          const key = identityKey(r.pid, r.startTicks, snapshot.processes.get(r.pid)?.argv ?? r.argv);
          const runs = done.run.error === undefined ? null : (stoppedRuns.get(key) ?? 0) + 1;
          if (runs === null || runs >= STOPPED_RUNS_MAX) {
            givenUp.add(key);
            stoppedRuns.delete(key);
          } else stoppedRuns.set(key, runs);
        }
        return { event: 'swept', pid: r.pid, startTicks: r.startTicks, ppid: r.ppid, argv: r.argv, signature: bySig.get(r.pid) ?? null, outcome: r.outcome, reason: r.reason, signals: r.signals };
      })];
      const removed = new Set(done.report.pidfilesRemoved);
      for (const e of scan.pidfiles ?? []) if (removed.has(entrySource(e))) events.push(removedEvent(e, 'its process was swept'));
      // What was done is in the events; the error is the warning a throw would have made.
      if (done.run.error !== undefined) warn(done.run.error);
      return events;
    });
  };
}

function removedEvent(e: PidfileEntry, reason: string): PidfileRemovedEvent {
  return { event: 'pidfile-removed', path: entrySource(e), pid: e.pid, status: e.status, reason };
}

/** How `--clean-pidfiles` / `pidfiles watch` clean each tick. */
export interface CleanJobOptions {
  /** Also remove records that do not parse (never unsafe ones). */
  removeInvalid?: boolean;
}

/**
 * `--clean-pidfiles`: when the tick's records hold `dead` or `reused` entries (or `invalid` ones
 * with removeInvalid), judge them again against a fresh, whole reading (the tick's may be a
 * moment old, and a record is never removed on a stale view), then remove what is still stale:
 * pidfiles unlinked if unchanged, registries rewritten atomically. Live, zombie and unsafe
 * records are never touched; nothing is signalled.
 */
export function cleanPidfilesJob(o: CleanJobOptions = {}): TickJob {
  return async ({ ctx, records, warn }) => {
    if (!records || !planClean(records, o).some((i) => i.action === 'remove')) return [];
    // A whole reading with exact uids for every process (the judge checks the uid of each record's process).
    const fresh = await pidfileRecords(ctx, await ctx.backend.snapshot(), { onWarning: warn });
    if (!fresh) return [];
    const plan = planClean(fresh.entries, o);
    if (!plan.some((i) => i.action === 'remove')) return [];
    const done = await executeClean(plan, { backend: ctx.backend });
    const events: UnstampedEvent[] = [];
    for (const i of done) {
      if (i.action === 'removed') events.push(removedEvent(i.entry, i.entry.reason));
      else if (i.action === 'failed') warn(`could not remove ${entrySource(i.entry)}: ${i.note}`);
    }
    return events;
  };
}

/** @deprecated The old name of sweepJob. */
export const sweepAction = sweepJob;
/** @deprecated The old name of cleanPidfilesJob. */
export const cleanPidfilesAction = cleanPidfilesJob;
/** @deprecated The old name of SweepJobOptions. */
export type SweepActionOptions = SweepJobOptions;
/** @deprecated The old name of CleanJobOptions. */
export type CleanActionOptions = CleanJobOptions;
