import type { Backend } from './backend/index.js';
import type { EngineOps, LiveStat, ThawGuard } from './backend/ops.js';
import { processName } from './classify.js';
import { frozenTrees } from './frozen-trees.js';
import { guardContext, guardReason, type GuardContext } from './guard.js';
import { childrenOf, UNKNOWN_START } from './plan.js';
export { parseSignal } from './signals.js';
import type { ProcessInfo, Snapshot } from './types.js';

/** What became of one process (design.md section 5). */
export type Outcome = 'terminated' | 'killed' | 'already-gone' | 'reused' | 'skipped' | 'survived' | 'failed';

/** Every outcome, in report order. */
export const OUTCOMES: readonly Outcome[] = ['terminated', 'killed', 'already-gone', 'reused', 'skipped', 'survived', 'failed'];

/** A process to terminate: its identity. A null start time means "whatever holds this pid in the snapshot". */
export interface TerminateTarget {
  pid: number;
  startTicks: number | null;
}

/**
 * A process the plan leaves running (kept by a keep rule, spared by --port/--holds, refused by
 * the guard): the engine never signals it nor anything under it, even inside a target's tree.
 * A null start time spares whatever holds the pid.
 */
export interface SpareTarget {
  pid: number;
  startTicks: number | null;
  /** Why it is left running (the plan's reason). */
  reason: string;
}

/** The fate of one process, with every signal sent to it, in order. */
export interface TargetResult {
  pid: number;
  ppid: number | null;
  argv: string[];
  startTicks: number | null;
  outcome: Outcome;
  reason: string;
  /** Signals sent, e.g. ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGKILL']. */
  signals: string[];
}

/** Engine steps, reported through `onPhase` with the number of processes still in play. */
export type Phase = 'freeze' | 'terminate' | 'wait' | 'kill' | 'verify';

/** How to terminate. Only `backend` is required. */
export interface TerminateOptions {
  backend: Backend;
  /** How long TERM gets before KILL, in ms (default 3000). */
  graceMs?: number;
  /** The first signal (default SIGTERM); SIGKILL still follows after the grace. */
  signal?: NodeJS.Signals;
  /** Expand every target to its descendant tree, and adopt children spawned meanwhile (default true). */
  tree?: boolean;
  /** Called once per process when its outcome is final. */
  onProgress?: (r: TargetResult) => void;
  /** Called when a phase starts, with the number of processes still alive and in play. */
  onPhase?: (phase: Phase, pending: number) => void;
  /** The snapshot the plan was made from (tree expansion); read when absent. */
  snapshot?: Snapshot;
  /** Who procsweep is; derived from the snapshot when absent. */
  guard?: GuardContext;
  /** How long to wait for SIGKILL to take effect before reporting `survived`, in ms (default 1000). */
  killWaitMs?: number;
  /**
   * Aborting it cuts the grace short: the processes still in play get SIGKILL at once and are
   * verified as usual (a second Ctrl-C). A freeze under way is finished first.
   */
  hurry?: AbortSignal;
  /** The process table and clock to act through; `backend.signalOps()` when absent (tests pass a fake). */
  ops?: EngineOps;
  /** Called with a line worth telling the operator (the thaw watchdog could not start). */
  onWarning?: (message: string) => void;
  /**
   * Processes never to signal, nor their subtrees (a plan's skipped entries, see planSpare): met
   * in a target's tree or adopted during the freeze, each is reported `skipped` and left running.
   */
  spare?: readonly SpareTarget[];
}

/** Every process's result (targets first, each followed by its tree, parents first) and the wall time. */
export interface TerminateReport {
  results: TargetResult[];
  durationMs: number;
}

/** Short human duration for reasons: `120ms`, `3.0s`. */
function ms(n: number): string {
  return n < 1000 ? `${Math.round(n)}ms` : `${(n / 1000).toFixed(1)}s`;
}

/** One process in play. */
export interface Track {
  pid: number;
  /** Its /proc/PID/stat, open while it is in play. */
  fd: number | null;
  startTicks: number | null;
  ppid: number | null;
  argv: string[];
  depth: number;
  signals: string[];
  outcome: Outcome | null;
  reason: string;
  /** Set for a process that appeared after the plan: who started it. */
  spawnedBy: number | null;
  /** Its SIGKILL went to its whole frozen tree at once (EngineOps.killTree). */
  treeKilled?: boolean;
}

/** What a re-read found. */
export type Look = { kind: 'alive'; st: LiveStat } | { kind: 'zombie'; st: LiveStat } | { kind: 'gone' } | { kind: 'replaced'; st: LiveStat };

/**
 * Terminates targets and their trees (design.md section 5): guard, SIGSTOP parents first so no
 * restart loop can respawn, the first signal, SIGCONT, poll with backoff for the grace period,
 * SIGSTOP + SIGKILL the survivors (and any children they started meanwhile), verify. Every signal
 * is preceded by a re-read of /proc/PID/stat; a changed start time is never signalled. All
 * targets run together, so N targets take about one grace period.
 */
export async function terminate(targets: TerminateTarget[], opts: TerminateOptions): Promise<TerminateReport> {
  const ops = opts.ops ?? opts.backend.signalOps();
  const started = ops.now();
  const snapshot = opts.snapshot ?? (await opts.backend.snapshot());
  const engine = new Engine(ops, opts.guard ?? guardContext(snapshot), opts);
  try {
    engine.seed(targets, snapshot);
    await engine.run();
  } finally {
    engine.thawLeftovers();
    engine.releaseAll();
  }
  return { results: engine.results(), durationMs: Math.round(ops.now() - started) };
}

class Engine {
  private readonly tracks = new Map<number, Track>();
  private readonly first: NodeJS.Signals;
  private readonly graceMs: number;
  private readonly killWaitMs: number;
  private readonly tree: boolean;
  private termAt = 0;
  private killAt = 0;
  /** When the grace was cut short (opts.hurry), else null. */
  private hurriedAt: number | null = null;
  /** Resumes what we stopped if this process dies; started before the first SIGSTOP (undefined until then). */
  private thaw: ThawGuard | null | undefined;
  /** opts.spare by pid. */
  private readonly spare = new Map<number, SpareTarget>();

  constructor(
    private readonly ops: EngineOps,
    private readonly guard: GuardContext,
    private readonly opts: TerminateOptions,
  ) {
    this.first = opts.signal ?? 'SIGTERM';
    this.graceMs = Math.max(0, opts.graceMs ?? 3000);
    this.killWaitMs = Math.max(0, opts.killWaitMs ?? 1000);
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
  private admit(t: Track, given: ProcessInfo): boolean {
    let p = given;
    if (p.uid === null && this.guard.uid !== 0) {
      // A fast snapshot leaves most owners unknown; the other-users rule needs the real one.
      const exact = this.ops.info(p.pid);
      if (exact && exact.startTicks === p.startTicks) p = { ...p, uid: exact.uid };
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

  private add(p: ProcessInfo | null, pid: number, startTicks: number | null, depth: number, spawnedBy: number | null): Track {
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

  private finish(t: Track, outcome: Outcome, reason: string): void {
    if (t.outcome) return;
    t.outcome = outcome;
    t.reason = reason;
    this.release(t);
    this.opts.onProgress?.(toResult(t));
  }

  private release(t: Track): void {
    if (t.fd === null) return;
    this.ops.close(t.fd);
    t.fd = null;
  }

  /**
   * Resumes (after an identity check) every process still stopped by us: SIGSTOP with no later
   * SIGCONT or SIGKILL. Only a throw mid-run leaves one (a portable `ps` failing with EAGAIN).
   */
  thawLeftovers(): void {
    for (const t of this.tracks.values()) {
      const last = Math.max(t.signals.lastIndexOf('SIGCONT'), t.signals.lastIndexOf('SIGKILL'));
      if (t.signals.lastIndexOf('SIGSTOP') <= last) continue;
      try {
        if (this.look(t).kind !== 'alive') continue;
        this.ops.kill(t.pid, 'SIGCONT');
        t.signals.push('SIGCONT');
      } catch {
        /* gone, or nothing more to do: the thaw guard still resumes what it recorded */
      }
    }
  }

  /**
   * Closes every stat file still open (after a throw, nothing is left open) and the thaw guard:
   * it resumes anything still recorded as stopped (only after a throw mid-freeze).
   */
  releaseAll(): void {
    for (const t of this.tracks.values()) this.release(t);
    this.thaw?.close();
  }

  /**
   * Records a batch with the thaw guard before it is stopped (starting the guard first), so that
   * whatever instant this process dies at, nothing it stopped stays stopped.
   */
  private async guardStops(batch: readonly Track[]): Promise<void> {
    if (this.thaw === undefined) {
      this.thaw = this.ops.thawGuard?.() ?? null;
      if (!this.thaw && this.ops.thawGuard) this.opts.onWarning?.('could not start the thaw watchdog: if procsweep is killed while it holds processes stopped, they stay stopped (send them SIGCONT)');
    }
    const frozen = batch.filter((t) => t.outcome === null && t.startTicks !== null).map((t) => ({ pid: t.pid, startTicks: t.startTicks! }));
    if (this.thaw && !(await this.thaw.record(frozen))) {
      this.thaw = null;
      this.opts.onWarning?.('the thaw watchdog exited early: if procsweep is killed while it holds processes stopped, they stay stopped (send them SIGCONT)');
    }
  }

  /** Everything stopped so far has been resumed or killed: the thaw guard can forget it. */
  private async unguard(): Promise<void> {
    await this.thaw?.clear();
  }

  private active(): Track[] {
    return [...this.tracks.values()].filter((t) => t.outcome === null).sort((a, b) => a.depth - b.depth);
  }

  async run(): Promise<void> {
    if (this.active().length === 0) return;
    // Freeze and queue the first signal in one pass: a stopped process only acts on it once
    // resumed, so nothing dies (and no loop respawns) before the whole tree is frozen.
    this.phase('freeze');
    await this.freeze(this.active(), this.first);

    this.phase('terminate');
    await this.refresh();
    for (const t of this.active()) if (t.signals.includes(this.first)) this.send(t, 'SIGCONT');
    await this.unguard();
    // The grace starts once every process can act on the signal, i.e. after SIGCONT.
    this.termAt = this.ops.now();

    this.phase('wait');
    await this.poll(this.termAt + this.graceMs, false, this.opts.hurry);
    if (this.opts.hurry?.aborted && this.active().length > 0) this.hurriedAt = this.ops.now();

    if (this.active().length > 0) {
      this.phase('kill');
      await this.freeze(this.active());
      await this.killAll(this.active());
      await this.unguard();
      this.killAt = this.ops.now();
      this.phase('verify');
      await this.poll(this.killAt + this.killWaitMs, true);
      // A tree-kill may miss a member (it read its own, older table): SIGKILL it on its own.
      const missed = this.active().filter((t) => t.treeKilled);
      if (missed.length > 0) {
        await this.refresh();
        for (const t of missed) {
          t.treeKilled = false;
          this.send(t, 'SIGKILL');
        }
        await this.poll(this.ops.now() + this.killWaitMs, true);
      }
      await this.refresh();
      for (const t of this.active()) {
        const l = this.look(t);
        if (l.kind !== 'alive') this.settle(t, l);
        else if (l.st.state === 'D') {
          this.finish(t, 'survived', `still alive ${ms(this.ops.now() - this.killAt)} after SIGKILL: in uninterruptible sleep (state D), stuck in the kernel (I/O, NFS, a driver); it dies when that call returns`);
        } else {
          this.finish(t, 'survived', `still alive ${ms(this.ops.now() - this.killAt)} after SIGKILL (state ${l.st.state})`);
        }
      }
    }
  }

  private phase(p: Phase): void {
    this.opts.onPhase?.(p, this.active().length);
  }

  /** Lets a backend that reads the table in one go (portable) read it before a pass. */
  private async refresh(): Promise<void> {
    await this.ops.refresh?.();
  }

  /**
   * SIGKILLs a frozen batch. Where the backend signals whole trees (portable: tree-kill), a tree
   * whose every member was just verified and seen stopped goes in one call; the rest, one by one.
   */
  private async killAll(batch: Track[]): Promise<void> {
    const done = new Set<Track>();
    if (this.ops.killTree && this.tree) {
      await this.refresh();
      const byPid = new Map(batch.map((t) => [t.pid, t]));
      for (const members of frozenTrees(byPid, this.ops, (t) => this.look(t))) {
        try {
          await this.ops.killTree(members[0].pid, 'SIGKILL');
        } catch {
          continue; // signalled one by one below, each after its own check
        }
        for (const m of members) {
          m.signals.push('SIGKILL');
          m.treeKilled = true;
          done.add(m);
        }
      }
    }
    for (const t of batch) if (!done.has(t)) this.send(t, 'SIGKILL');
  }

  /**
   * SIGSTOPs a batch parents first (each followed by `then`, queued while it is stopped), waits
   * until it has stopped (at most 250ms: a D-state process stops late), then reads the process
   * table once for children the batch started meanwhile, stops those too, and so on until no
   * new child appears: a frozen tree cannot respawn. Without `tree` there is nothing to adopt,
   * so nothing is waited for.
   */
  private async freeze(batch: Track[], then?: NodeJS.Signals): Promise<void> {
    let round = batch;
    for (let i = 0; round.length > 0 && i < 50; i++) {
      await this.refresh();
      await this.guardStops(round);
      for (const t of round) {
        this.send(t, 'SIGSTOP');
        if (then && t.signals.includes('SIGSTOP')) this.send(t, then);
      }
      if (!this.tree) return;
      await this.waitStopped(round);
      round = this.adopt(this.childrenInPlay());
    }
  }

  /** Re-reads the batch until every process in it is stopped, gone or settled; only the laggards are re-read. */
  private async waitStopped(batch: Track[]): Promise<void> {
    const end = this.ops.now() + 250;
    let pending = batch;
    for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
      await this.refresh();
      pending = pending.filter((t) => {
        if (t.outcome !== null) return false;
        const l = this.look(t);
        return l.kind === 'alive' && l.st.state !== 'T' && l.st.state !== 't';
      });
      if (pending.length === 0 || this.ops.now() >= end) return;
      await this.ops.sleep(delay);
    }
  }

  /** One pass over the process table: the untracked live children of processes in play, by parent. */
  private childrenInPlay(): Map<number, number[]> {
    const ops = this.ops;
    const kids = new Map<number, number[]>();
    for (const pid of ops.pids()) {
      if (this.tracks.has(pid)) continue;
      const st = ops.stat(pid);
      if (!st || st.state === 'Z') continue;
      const parent = this.tracks.get(st.ppid);
      if (!parent || parent.outcome !== null) continue;
      const list = kids.get(st.ppid);
      if (list) list.push(pid);
      else kids.set(st.ppid, [pid]);
    }
    return kids;
  }

  /** Tracks new children found by a scan (started after the plan), guarded; returns those in play. */
  private adopt(kids: Map<number, number[]>): Track[] {
    const adopted: Track[] = [];
    for (const [ppid, pids] of kids) {
      const parent = this.tracks.get(ppid)!;
      if (this.look(parent).kind !== 'alive') continue; // its pid was reused: the child is not ours
      for (const pid of pids) {
        const p = this.ops.info(pid);
        if (!p || p.ppid !== ppid || p.state === 'Z') continue;
        const t = this.add(p, pid, p.startTicks, parent.depth + 1, ppid);
        if (this.admit(t, p)) adopted.push(t);
      }
    }
    return adopted;
  }

  /**
   * Polls processes in play with backoff (5ms doubling to 200ms) until all are gone or the
   * deadline passes. No poll at the deadline itself: the next step re-reads every process anyway.
   */
  private async poll(deadline: number, gentle = false, stop?: AbortSignal): Promise<void> {
    // `gentle` (after SIGKILL, when deaths are imminent) doubles every second step instead.
    for (let delay = 5, step = 0; ; step++, delay = gentle && step % 2 ? delay : Math.min(delay * 2, 200)) {
      const left = deadline - this.ops.now();
      if (left <= 0 || stop?.aborted) return;
      await this.ops.sleep(Math.min(delay, left), stop);
      if (this.ops.now() >= deadline || stop?.aborted) return;
      await this.refresh();
      for (const t of this.active()) {
        const l = this.look(t);
        if (l.kind !== 'alive') this.settle(t, l);
      }
      if (this.active().length === 0) return;
    }
  }

  /**
   * Re-reads the process: alive (same start time, and same command line where the backend
   * compares it), a zombie, gone, or replaced by another process.
   */
  private look(t: Track): Look {
    const st = t.fd !== null ? this.ops.statFd(t.fd) : this.ops.stat(t.pid);
    if (!st) return { kind: 'gone' };
    if (st.startTicks !== t.startTicks) return { kind: 'replaced', st };
    if (st.state === 'Z' || st.state === 'X') return { kind: 'zombie', st };
    if (st.args !== undefined && st.args !== t.argv.join(' ')) return { kind: 'replaced', st };
    return { kind: 'alive', st };
  }

  /** Sends one signal after an identity check; settles the track when it is gone or the kernel refuses. */
  private send(t: Track, sig: NodeJS.Signals): void {
    if (t.outcome !== null) return;
    if (t.pid <= 1 || t.pid === this.guard.selfPid) {
      this.finish(t, 'skipped', 'protected (engine safety net)');
      return;
    }
    const l = this.look(t);
    if (l.kind !== 'alive') {
      this.settle(t, l);
      return;
    }
    try {
      this.ops.kill(t.pid, sig);
      t.signals.push(sig);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ESRCH' && sig !== 'SIGSTOP' && t.signals.includes('SIGSTOP')) {
        try {
          this.ops.kill(t.pid, 'SIGCONT'); // never leave a process we froze stopped
        } catch {
          /* nothing more to do */
        }
      }
      if (code === 'ESRCH') this.settle(t, { kind: 'gone' });
      else if (code === 'EPERM') {
        this.finish(t, 'failed', `the kernel refused ${sig} (EPERM): its real or saved user id is not yours (a setuid program or one that changed ids); run procsweep as root`);
      } else this.finish(t, 'failed', `${sig} failed (${code ?? String(err)})`);
    }
  }

  /** Final outcome of a process that is no longer there (or no longer the one we planned). */
  private settle(t: Track, l: Look): void {
    if (l.kind === 'alive') return;
    const signalled = t.signals.length > 0;
    if (l.kind === 'replaced' && !signalled) {
      const what = l.st.startTicks !== t.startTicks ? `start time ${l.st.startTicks}, expected ${t.startTicks}` : `same start second, but its command line is now '${l.st.args ?? ''}'`;
      this.finish(t, 'reused', `PID ${t.pid} now belongs to another process (${what}): not signalled`);
      return;
    }
    // A zombie counts as dead; name its parent unless that is init or one of our own targets.
    const zombie = l.kind === 'zombie' && l.st.ppid > 1 && !this.tracks.has(l.st.ppid) ? `; a zombie until ${this.reaper(l.st.ppid)}` : '';
    if (!signalled) {
      this.finish(t, 'already-gone', l.kind === 'zombie' ? `had already exited (zombie); ${this.reaper(l.st.ppid)}` : 'exited before it was signalled');
    } else if (t.signals.includes('SIGKILL')) {
      const why = t.spawnedBy !== null
        ? `started by PID ${t.spawnedBy} after the plan was made; SIGKILL ended it`
        : this.first === 'SIGKILL' ? 'SIGKILL ended it'
        : this.hurriedAt !== null ? `outlived ${this.first} for ${ms(this.hurriedAt - this.termAt)} of the ${ms(this.graceMs)} grace, cut short on request; SIGKILL ended it`
        : `outlived ${this.first} for ${ms(this.graceMs)}; SIGKILL ended it`;
      this.finish(t, 'killed', why + (t.treeKilled ? ' (sent to its frozen tree by tree-kill)' : '') + zombie);
    } else {
      const after = t.signals.includes(this.first) ? `exited ${ms(this.ops.now() - this.termAt)} after ${this.first}` : 'exited while being stopped';
      this.finish(t, 'terminated', after + zombie);
    }
  }

  /** Who will reap a zombie: "its parent PID (name) reaps it". */
  private reaper(ppid: number): string {
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
