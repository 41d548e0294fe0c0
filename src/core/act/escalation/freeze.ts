/**
 * Freezing and thawing: SIGSTOP a batch parents first, wait until it shows as stopped, adopt the
 * children it started meanwhile, and keep the thaw guard told of every stop so that nothing we
 * stopped stays stopped, whenever this process dies.
 */
import type { ThawGuard } from '../../read/backend/ops.js';
import { GONE_OUTCOMES } from '../outcomes.js';
import { VerifiedSignals } from './identity.js';
import { FREEZE_ROUNDS, STOP_POLL_FIRST_MS, STOP_POLL_MAX_MS, STOP_WAIT_MS } from './timing.js';
import type { Track } from './types.js';

const WATCHDOG_LOST = 'if procsweep is killed while it holds processes stopped, they stay stopped (send them SIGCONT)';

export class Freezer extends VerifiedSignals {
  /** Resumes what we stopped if this process dies; started before the first SIGSTOP (undefined until then). */
  private thaw: ThawGuard | null | undefined;

  /**
   * SIGSTOPs a batch parents first (each followed by `then`, queued while it is stopped), waits
   * until it has stopped (at most STOP_WAIT_MS: a D-state process stops late), then reads the
   * process table once for children the batch started meanwhile, stops those too, and so on
   * until no new child appears: a frozen tree cannot respawn. Without `tree` there is nothing
   * to adopt, so nothing is waited for.
   */
  protected async freeze(batch: Track[], then?: NodeJS.Signals): Promise<void> {
    let round = batch;
    for (let i = 0; round.length > 0 && i < FREEZE_ROUNDS; i++) {
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
    const end = this.ops.now() + STOP_WAIT_MS;
    let pending = batch;
    for (let delay = STOP_POLL_FIRST_MS; ; delay = Math.min(delay * 2, STOP_POLL_MAX_MS)) {
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
   * Records a batch with the thaw guard before it is stopped (starting the guard first), so that
   * whatever instant this process dies at, nothing it stopped stays stopped.
   */
  private async guardStops(batch: readonly Track[]): Promise<void> {
    if (this.thaw === undefined) {
      this.thaw = this.ops.thawGuard?.() ?? null;
      if (!this.thaw && this.ops.thawGuard) this.opts.onWarning?.(`could not start the thaw watchdog: ${WATCHDOG_LOST}`);
    }
    const frozen = batch.filter((t) => t.outcome === null && t.startTicks !== null).map((t) => ({ pid: t.pid, startTicks: t.startTicks! }));
    if (this.thaw && !(await this.thaw.record(frozen))) {
      this.thaw = null;
      this.opts.onWarning?.(`the thaw watchdog exited early: ${WATCHDOG_LOST}`);
    }
  }

  /** Everything stopped so far has been resumed or killed: the thaw guard can forget it. */
  protected async unguard(): Promise<void> {
    await this.thaw?.clear();
  }

  /**
   * Resumes (after an identity check) every process still stopped by us: SIGSTOP with no later
   * SIGCONT or SIGKILL. Only a throw mid-run leaves one (a portable `ps` failing with EAGAIN).
   * A process whose own identity check already found it gone (it died of SIGTERM while stopped,
   * as a handler-less process does) is not read again: nothing of ours is left to resume.
   */
  thawLeftovers(): void {
    for (const t of this.tracks.values()) {
      if (t.outcome !== null && GONE_OUTCOMES.has(t.outcome)) continue;
      const last = Math.max(t.signals.lastIndexOf('SIGCONT'), t.signals.lastIndexOf('SIGKILL'));
      if (t.signals.lastIndexOf('SIGSTOP') <= last) continue;
      try {
        if (this.look(t).kind !== 'alive') continue;
        this.ops.kill(t.pid, 'SIGCONT');
        t.signals.push('SIGCONT');
      } catch (err) {
        // Gone (ESRCH): it has ended, which is its outcome. Anything else: nothing more to do
        // here; the thaw guard still resumes what it recorded.
        if ((err as NodeJS.ErrnoException).code === 'ESRCH' && t.outcome === null) this.settle(t, { kind: 'gone' });
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
}
