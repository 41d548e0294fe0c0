/**
 * The identity check before every signal, and what a failed one means: `look` re-reads a
 * process (alive, a zombie, gone, or replaced by another), `send` signals only after it, and
 * `settle` turns a process that is no longer there (or no longer ours) into its honest outcome.
 */
import type { EngineOps } from '../../read/backend/ops.js';
import { formatElapsed } from '../../duration.js';
import { TrackTable } from './tracks.js';
import type { Look, Track } from './types.js';

/**
 * Re-reads the process: alive (same start time, and same command line where the backend
 * compares it), a zombie, gone, or replaced by another process.
 */
export function look(ops: Pick<EngineOps, 'stat' | 'statFd'>, t: Track): Look {
  const st = t.fd !== null ? ops.statFd(t.fd) : ops.stat(t.pid);
  if (!st) return { kind: 'gone' };
  if (st.startTicks !== t.startTicks) return { kind: 'replaced', st };
  if (st.state === 'Z' || st.state === 'X') return { kind: 'zombie', st };
  if (st.args !== undefined && st.args !== t.argv.join(' ')) return { kind: 'replaced', st };
  return { kind: 'alive', st };
}

/** The tracks plus verified signalling: nothing is signalled without a fresh identity check. */
export class VerifiedSignals extends TrackTable {
  /** When the first signal could act (after SIGCONT): the grace runs from here. Null during the first freeze. */
  protected termAt: number | null = null;
  /** When the grace was cut short (opts.hurry), else null. */
  protected hurriedAt: number | null = null;

  protected look(t: Track): Look {
    return look(this.ops, t);
  }

  /** Sends one signal after an identity check; settles the track when it is gone or the kernel refuses. */
  protected send(t: Track, sig: NodeJS.Signals): void {
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
      if (sig === this.first && t.firstAt === undefined) t.firstAt = this.ops.now();
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

  /**
   * After a throw mid-run (and the thaw): every process still in play is `failed`, saying why
   * and what it was sent. Where the backend reads the table live (procfs: no batched refresh),
   * each is looked at once more first, so one that has ended meanwhile (a handler-less worker
   * dies of its SIGTERM as soon as it is resumed) gets its honest outcome instead; a batched
   * table (portable) is as old as the failed read, so there it stays `failed`, erring toward
   * "left running".
   */
  stopUnfinished(why: string): void {
    const live = this.ops.refresh === undefined;
    for (const t of this.active()) {
      if (live) {
        let l: Look | null = null;
        try {
          l = this.look(t);
        } catch {
          l = null; // the read that failed may fail again: the process stays unfinished
        }
        if (l && l.kind !== 'alive') {
          this.settle(t, l);
          continue;
        }
      }
      const sent = t.signals.length > 0 ? `signals sent: ${t.signals.join(', ')}` : 'not signalled';
      this.finish(t, 'failed', `not finished: the run stopped (${why}); ${sent}`);
    }
  }

  /** Final outcome of a process that is no longer there (or no longer the one we planned). */
  protected settle(t: Track, l: Look): void {
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
        : this.hurriedAt !== null ? `outlived ${this.first} for ${formatElapsed(this.hurriedAt - (this.termAt ?? this.hurriedAt))} of the ${formatElapsed(this.graceMs)} grace, cut short on request; SIGKILL ended it`
        : `outlived ${this.first} for ${formatElapsed(this.graceMs)}; SIGKILL ended it`;
      this.finish(t, 'killed', why + (t.treeKilled ? ' (sent to its frozen tree by tree-kill)' : '') + zombie);
    } else {
      // Gone before SIGCONT: a fatal signal with no handler ends even a stopped process (the
      // grace has not begun, so the time is counted from the signal itself).
      const since = this.termAt ?? t.firstAt;
      const after = t.signals.includes(this.first) && since !== undefined ? `exited ${formatElapsed(this.ops.now() - since)} after ${this.first}` : 'exited while being stopped';
      this.finish(t, 'terminated', after + zombie);
    }
  }
}
