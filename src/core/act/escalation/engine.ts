/**
 * The escalation itself (design.md section 5), step by step: freeze and queue the first signal,
 * SIGCONT, poll with backoff through the grace, freeze and SIGKILL the survivors, verify.
 */
import { Freezer } from './freeze.js';
import { frozenTrees } from './frozen-trees.js';
import { formatElapsed } from '../../duration.js';
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS } from './timing.js';
import type { Phase, Track } from './types.js';

export class Engine extends Freezer {
  private killAt = 0;

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
          this.finish(t, 'survived', `still alive ${formatElapsed(this.ops.now() - this.killAt)} after SIGKILL: in uninterruptible sleep (state D), stuck in the kernel (I/O, NFS, a driver); it dies when that call returns`);
        } else {
          this.finish(t, 'survived', `still alive ${formatElapsed(this.ops.now() - this.killAt)} after SIGKILL (state ${l.st.state})`);
        }
      }
    }
  }

  private phase(p: Phase): void {
    this.opts.onPhase?.(p, this.active().length);
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
   * Polls processes in play with backoff (BACKOFF_FIRST_MS doubling to BACKOFF_MAX_MS) until all
   * are gone or the deadline passes. No poll at the deadline itself: the next step re-reads every
   * process anyway.
   */
  private async poll(deadline: number, gentle = false, stop?: AbortSignal): Promise<void> {
    // `gentle` (after SIGKILL, when deaths are imminent) doubles every second step instead.
    for (let delay = BACKOFF_FIRST_MS, step = 0; ; step++, delay = gentle && step % 2 ? delay : Math.min(delay * 2, BACKOFF_MAX_MS)) {
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
}
