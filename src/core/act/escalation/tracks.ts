/**
 * The processes in play during one escalation: seeding them from the plan's snapshot (identity,
 * guard, spare list, descendant trees), recording each final outcome, and the report order.
 */
import { exactUid, type EngineOps } from '../../read/backend/ops.js';
import { processName } from '../../decide/classify.js';
import { guardReason, type GuardContext } from '../../decide/guard.js';
import { childrenOf, UNKNOWN_START } from '../../decide/plan.js';
import type { ProcessInfo, Snapshot } from '../../types.js';
import { DEFAULT_GRACE_MS, DEFAULT_KILL_WAIT_MS } from './timing.js';
import type { Outcome, SpareTarget, TargetResult, TerminateOptions, TerminateTarget, Track } from './types.js';

/** The table of tracks, and the settings every step reads. */
export class TrackTable {
  protected readonly tracks = new Map<number, Track>();
  /** The first signal (SIGTERM unless asked otherwise). */
  protected readonly first: NodeJS.Signals;
  protected readonly graceMs: number;
  protected readonly killWaitMs: number;
  /** Whether targets are expanded to their trees, and children started meanwhile adopted. */
  protected readonly tree: boolean;
  /** opts.spare by pid. */
  private readonly spare = new Map<number, SpareTarget>();

  constructor(
    protected readonly ops: EngineOps,
    protected readonly guard: GuardContext,
    protected readonly opts: TerminateOptions,
  ) {
    this.first = opts.signal ?? 'SIGTERM';
    this.graceMs = Math.max(0, opts.graceMs ?? DEFAULT_GRACE_MS);
    this.killWaitMs = Math.max(0, opts.killWaitMs ?? DEFAULT_KILL_WAIT_MS);
    this.tree = opts.tree !== false;
    for (const s of opts.spare ?? []) this.spare.set(s.pid, s);
  }

  /** Why a process is spared (opts.spare, same pid and start time), else null. */
  private spared(p: ProcessInfo): string | null {
    const s = this.spare.get(p.pid);
    if (!s || (s.startTicks !== null && p.startTicks !== null && s.startTicks !== p.startTicks)) return null;
    return `left running: ${s.reason}`;
  }

  /** Turns targets into tracks using the plan's snapshot: identity, guard, then the descendant trees. */
  seed(targets: readonly TerminateTarget[], snap: Snapshot): void {
    const roots: Track[] = [];
    for (const tg of targets) {
      if (this.tracks.has(tg.pid)) continue;
      const p = snap.processes.get(tg.pid);
      const t = this.add(p ?? null, tg.pid, tg.startTicks, 0, null);
      if (!p) {
        this.finish(t, 'already-gone', 'not running when termination began');
      } else if (tg.startTicks !== null && p.startTicks !== null && p.startTicks !== tg.startTicks) {
        t.startTicks = tg.startTicks;
        this.finish(t, 'reused', `PID ${tg.pid} now belongs to another process (start time ${p.startTicks ?? 'unknown'}, expected ${tg.startTicks}): not signalled`);
      } else if (this.admit(t, p)) {
        roots.push(t);
      }
    }
    if (!this.tree) return;
    const children = childrenOf(snap);
    for (const root of roots) {
      const stack = [root];
      while (stack.length) {
        const parent = stack.pop()!;
        for (const c of children.get(parent.pid) ?? []) {
          if (this.tracks.has(c.pid) || c.state === 'Z') continue; // a zombie child is reaped once its parent is gone
          const t = this.add(c, c.pid, c.startTicks, 0, null);
          if (this.admit(t, c)) stack.push(t);
        }
      }
    }
    // Targets may hold each other (a sweep passes whole trees): depth is the number of tracked ancestors.
    for (const t of this.tracks.values()) t.depth = this.ancestry(t).length;
  }

  /** The tracked ancestors of a track, nearest first. */
  private ancestry(t: Track): Track[] {
    const out: Track[] = [];
    const seen = new Set([t.pid]);
    for (let p = t.ppid === null ? undefined : this.tracks.get(t.ppid); p && !seen.has(p.pid); p = p.ppid === null ? undefined : this.tracks.get(p.ppid)) {
      seen.add(p.pid);
      out.push(p);
    }
    return out;
  }

  /** Applies the guard and the state checks to a new track; true when it stays in play. */
  protected admit(t: Track, given: ProcessInfo): boolean {
    let p = given;
    if (p.uid === null && this.guard.uid !== 0) {
      // A fast snapshot leaves most owners unknown; the other-users rule needs the real one.
      p = { ...p, uid: exactUid((pid) => this.ops.info(pid), p) };
    }
    // A spared process is never signalled, and returning false keeps its subtree out of play too.
    const spared = this.spared(p);
    const refused = spared ?? guardReason(p, this.guard);
    if (refused) this.finish(t, 'skipped', refused);
    else if (t.startTicks === null) this.finish(t, 'skipped', UNKNOWN_START);
    else if (p.state === 'Z') this.finish(t, 'already-gone', `had already exited (zombie); ${this.reaper(p.ppid)}`);
    if (t.outcome !== null) return false;
    t.fd = this.ops.open(t.pid);
    return true;
  }

  protected add(p: ProcessInfo | null, pid: number, startTicks: number | null, depth: number, spawnedBy: number | null): Track {
    const t: Track = {
      pid,
      fd: null,
      startTicks: startTicks ?? p?.startTicks ?? null,
      ppid: p?.ppid ?? null,
      argv: p?.argv ?? [],
      depth,
      signals: [],
      outcome: null,
      reason: '',
      spawnedBy,
    };
    this.tracks.set(pid, t);
    return t;
  }

  /** Records a track's final outcome (once), closes its handle and reports it. */
  protected finish(t: Track, outcome: Outcome, reason: string): void {
    if (t.outcome) return;
    t.outcome = outcome;
    t.reason = reason;
    this.release(t);
    this.opts.onProgress?.(toResult(t));
  }

  protected release(t: Track): void {
    if (t.fd === null) return;
    this.ops.close(t.fd);
    t.fd = null;
  }

  /** Whether any process was sent a signal yet (before that, a throw has done nothing). */
  signalledAny(): boolean {
    for (const t of this.tracks.values()) if (t.signals.length > 0) return true;
    return false;
  }

  /** The tracks still in play, parents first. */
  protected active(): Track[] {
    return [...this.tracks.values()].filter((t) => t.outcome === null).sort((a, b) => a.depth - b.depth);
  }

  /** Lets a backend that reads the table in one go (portable) read it before a pass. */
  protected async refresh(): Promise<void> {
    await this.ops.refresh?.();
  }

  /** Who will reap a zombie: "its parent PID (name) reaps it". */
  protected reaper(ppid: number): string {
    if (ppid === this.guard.selfPid) return 'this process reaps it';
    const p = this.ops.info(ppid);
    return `its parent ${ppid}${p ? ` (${processName(p)})` : ''} reaps it`;
  }

  results(): TargetResult[] {
    // Targets in the order given, each followed by its tree (parents first); late children after their parent.
    const out: TargetResult[] = [];
    const byParent = new Map<number, Track[]>();
    const all = [...this.tracks.values()];
    const roots: Track[] = [];
    for (const t of all) {
      const parent = this.ancestry(t)[0];
      if (!parent) roots.push(t);
      else {
        const list = byParent.get(parent.pid);
        if (list) list.push(t);
        else byParent.set(parent.pid, [t]);
      }
    }
    const walk = (t: Track): void => {
      out.push(toResult(t));
      for (const c of byParent.get(t.pid) ?? []) walk(c);
    };
    roots.forEach(walk);
    return out;
  }
}

function toResult(t: Track): TargetResult {
  return {
    pid: t.pid,
    ppid: t.ppid,
    argv: t.argv,
    startTicks: t.startTicks,
    outcome: t.outcome ?? 'failed',
    reason: t.reason || 'not settled',
    signals: [...t.signals],
  };
}
