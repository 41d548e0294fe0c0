import type { ProcessInfo, Snapshot } from '../types.js';
import { CLOCK_TICKS, pageSize, type PrecisePredicate, type ProcReader } from './reader.js';

/** How eagerly the incremental reader re-reads processes it already knows. */
export interface IncrementalOptions {
  /** Every known process is re-read at least once per this many ticks (default 8). */
  refreshTicks?: number;
  /** A newly seen process is re-read on each of its first this-many ticks, to catch its exec (default 3). */
  hotTicks?: number;
}

interface Known {
  info: ProcessInfo;
  bornTick: number;
}

/**
 * Repeated snapshots at a fraction of the cost of full ones, for `watch`. A process seen for the
 * first time is read in full (stat, cmdline, and status where `precise` says so). After that only its stat is re-read, and
 * only when it is "hot" (a matched process or a parent of one, given by the caller), young, or
 * its turn in a rolling refresh comes up; otherwise the last reading is reused. A stat whose
 * start time or comm changed (pid reuse, exec) triggers a full read again. Vanished processes
 * drop out at once, since the pid list is read every time.
 */
export class IncrementalReader {
  private known = new Map<number, Known>();
  private tick = 0;
  private readonly refreshTicks: number;
  private readonly hotTicks: number;
  private readonly page: number;

  constructor(readonly reader: ProcReader, private readonly precise: boolean | PrecisePredicate = true, opts: IncrementalOptions = {}) {
    this.refreshTicks = Math.max(1, opts.refreshTicks ?? 8);
    this.hotTicks = Math.max(0, opts.hotTicks ?? 3);
    this.page = pageSize();
  }

  /** Reads the process table; `hot` pids are always re-read. Throws when the proc root is unreadable. */
  snapshot(hot: ReadonlySet<number>, selfPid = process.pid): Snapshot {
    const scannedAt = Date.now();
    const tick = ++this.tick;
    const pids = this.reader.listPids();
    const known = new Map<number, Known>();
    const processes = new Map<number, ProcessInfo>();
    for (const pid of pids) {
      const k = this.known.get(pid);
      let entry: Known | null;
      if (!k) {
        const info = this.reader.read(pid, this.precise);
        entry = info ? { info, bornTick: tick } : null;
      } else if (hot.has(pid) || tick - k.bornTick < this.hotTicks || (pid + tick) % this.refreshTicks === 0) {
        entry = this.refresh(k, tick);
      } else {
        entry = k;
      }
      if (!entry) continue;
      known.set(pid, entry);
      processes.set(pid, entry.info);
    }
    this.known = known;
    return { scannedAt, backend: 'procfs', processes, clockTicks: CLOCK_TICKS, bootTime: this.reader.bootTime(), selfPid };
  }

  private refresh(k: Known, tick: number): Known | null {
    const prev = k.info;
    const st = this.reader.readStat(prev.pid);
    if (!st) return null;
    if (st.startTicks !== prev.startTicks || st.comm !== prev.comm) {
      // Another process under the same pid, or an exec: read it as new.
      const info = this.reader.read(prev.pid, this.precise);
      return info ? { info, bornTick: tick } : null;
    }
    const zombie = st.state === 'Z';
    const info: ProcessInfo = {
      ...prev,
      state: st.state,
      ppid: st.ppid,
      pgid: st.pgid,
      sid: st.sid,
      cpuTicks: st.utime + st.stime,
      threads: st.threads,
      argv: zombie ? [] : prev.argv,
      rssBytes: zombie ? 0 : prev.kernelThread ? prev.rssBytes : st.rssPages * this.page,
    };
    return { info, bornTick: k.bornTick };
  }
}
