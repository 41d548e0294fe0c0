import { closeSync, openSync, readSync } from 'node:fs';
import type { ProcessInfo, Snapshot } from '../../types.js';
import { CLOCK_TICKS, readProcBytes, type PrecisePredicate, type ProcReader } from './reader.js';
import { parseStatBytes, statScratch, type StatScratch } from './stat-bytes.js';

// A stat line is well under 1 KiB; one read(2) into a shared buffer, no second read for EOF.
const statBuf = Buffer.allocUnsafe(4096);

const scratch = statScratch();

/**
 * Reads /proc/PID/stat (one open, one read, one close) and parses it from the bytes into
 * `out` (parseStatBytes): watch re-reads hundreds of these per scan. False when the process is
 * gone or the text odd.
 */
function readStatInto(base: string, pid: number, out: StatScratch): boolean {
  let fd: number;
  try {
    fd = openSync(`${base}${pid}/stat`, 'r');
  } catch {
    return false;
  }
  let n: number;
  try {
    n = readSync(fd, statBuf, 0, statBuf.length, null);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
  return parseStatBytes(statBuf, n, out) && out.pid === pid;
}

/** Whether the comm bytes in the shared buffer spell `comm` (ASCII fast path, else decoded). */
function sameComm(out: StatScratch, comm: string): boolean {
  const len = out.commEnd - out.commStart;
  let ascii = true;
  if (len === comm.length) {
    for (let i = 0; i < len; i++) {
      const b = statBuf[out.commStart + i];
      if (b >= 0x80) {
        ascii = false;
        break;
      }
      if (b !== comm.charCodeAt(i)) return false;
    }
    if (ascii) return true;
  }
  return statBuf.toString('utf8', out.commStart, out.commEnd) === comm;
}

/** How eagerly the incremental reader re-reads processes it already knows. */
export interface IncrementalOptions {
  /** Every known process is re-read at least once per this many ticks (default 8). */
  refreshTicks?: number;
  /** A newly seen process is re-read on each of its first this-many ticks, to catch its exec (default 3). */
  hotTicks?: number;
  /**
   * Skip listing the pid directory while the fork counter (`processes` in ROOT/stat) has not
   * moved: no process can have appeared (default true). Exits are still seen on re-reads, and the
   * pids are listed at least every `refreshTicks` ticks.
   */
  forkCounter?: boolean;
  /**
   * Even when the fork counter moved, list the pid directory at most once per this many ms
   * (default 0). At very short intervals the listing is most of the cost; new processes are then
   * noticed within this time instead of within one tick.
   */
  minListMs?: number;
}

// One shared empty argv for zombies: a new [] per re-read would defeat the match cache.
const EMPTY_ARGV: string[] = [];

const PROCESSES = Buffer.from('\nprocesses ');
/**
 * The `processes` line of ROOT/stat: forks since boot, or null when unreadable. Parsed from the
 * bytes: it is read every tick and should not leave a string behind each time.
 */
export function readForkCount(root: string): number | null {
  let buf: Buffer;
  try {
    buf = readProcBytes(`${root}/stat`);
  } catch {
    return null;
  }
  const at = buf.indexOf(PROCESSES);
  if (at < 0) return null;
  let v = 0;
  let digits = 0;
  for (let i = at + PROCESSES.length; i < buf.length; i++, digits++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return digits > 0 ? v : null;
}

interface Known {
  pid: number;
  info: ProcessInfo;
  bornTick: number;
  /** The last tick whose listing showed it. */
  seen: number;
}

/**
 * Repeated snapshots at a fraction of the cost of full ones, for `watch`. A process seen for the
 * first time is read in full (stat, cmdline, and status where `precise` says so). After that only its stat is re-read, and
 * only when it is "hot" (a matched process or a parent of one, given by the caller), young, or
 * its turn in a rolling refresh comes up; otherwise the last reading is reused. A stat whose
 * start time or comm changed (pid reuse, exec) triggers a full read again. The pid directory is
 * listed only when the fork counter moved (a new process may exist) or every `refreshTicks`
 * ticks; a process that vanished drops out when it is next re-read or listed.
 */
export class IncrementalReader {
  private readonly known = new Map<number, Known>();
  private readonly processes = new Map<number, ProcessInfo>();
  private tick = 0;
  private readonly refreshTicks: number;
  private readonly hotTicks: number;
  private readonly useForks: boolean;
  private forks: number | null = null;
  private listedAt = 0;
  private listedAtMs = 0;
  private readonly minListMs: number;
  private readonly base: string;

  constructor(readonly reader: ProcReader, private readonly precise: boolean | PrecisePredicate = true, opts: IncrementalOptions = {}) {
    this.refreshTicks = Math.max(1, opts.refreshTicks ?? 8);
    this.hotTicks = Math.max(0, opts.hotTicks ?? 3);
    this.useForks = opts.forkCounter ?? true;
    this.minListMs = opts.minListMs ?? 0;
    this.base = reader.root.endsWith('/') ? reader.root : `${reader.root}/`;
  }

  /**
   * Reads the process table; `hot` pids are always re-read. Throws when the proc root is
   * unreadable. The returned snapshot's process map is this reader's own, updated in place on the
   * next call (a long watch then allocates little); the ProcessInfo objects in it are replaced,
   * never changed, so keep those, or copy the map, to hold on to a reading.
   */
  snapshot(hot: ReadonlySet<number>, selfPid = this.reader.ownPid()): Snapshot {
    const scannedAt = Date.now();
    const tick = ++this.tick;
    // The counter is read before the listing, so a fork in between shows up next time.
    const forks = this.useForks ? readForkCount(this.reader.root) : null;
    const moved = forks === null || forks !== this.forks;
    const list = this.known.size === 0 || tick - this.listedAt >= this.refreshTicks || (moved && scannedAt - this.listedAtMs >= this.minListMs);
    if (list) {
      // Only a listing consumes the counter: a fork seen while throttled is listed next time.
      this.forks = forks;
      this.listedAt = tick;
      this.listedAtMs = scannedAt;
      for (const pid of this.reader.listPids()) {
        const k = this.known.get(pid);
        if (k) {
          k.seen = tick;
          this.visit(k, hot, tick);
        } else {
          const info = this.reader.read(pid, this.precise);
          if (info) this.set({ pid, info, bornTick: tick, seen: tick });
        }
      }
      // values(), not entries(): no [key, value] pair allocated per process per tick.
      for (const k of this.known.values()) if (k.seen !== tick) this.drop(k.pid);
    } else {
      for (const k of this.known.values()) this.visit(k, hot, tick);
    }
    return { scannedAt, backend: 'procfs', processes: this.processes, clockTicks: CLOCK_TICKS, bootTime: this.reader.bootTime(), selfPid };
  }

  private set(k: Known): void {
    this.known.set(k.pid, k);
    this.processes.set(k.pid, k.info);
  }

  private drop(pid: number): void {
    this.known.delete(pid);
    this.processes.delete(pid);
  }

  /** Re-reads a known process when it is hot, young or due; drops it when it is gone. */
  private visit(k: Known, hot: ReadonlySet<number>, tick: number): void {
    const pid = k.pid;
    if (!(hot.has(pid) || tick - k.bornTick < this.hotTicks || (pid + tick) % this.refreshTicks === 0)) return;
    const info = this.refresh(k, tick);
    if (info) this.processes.set(pid, info);
    else this.drop(pid);
  }

  private refresh(k: Known, tick: number): ProcessInfo | null {
    const prev = k.info;
    const st = scratch;
    if (!readStatInto(this.base, prev.pid, st)) return null;
    if (st.startTicks !== prev.startTicks || !sameComm(st, prev.comm)) {
      // Another process under the same pid, or an exec: read it as new.
      const info = this.reader.read(prev.pid, this.precise);
      if (info) {
        k.info = info;
        k.bornTick = tick;
      }
      return info;
    }
    const zombie = st.state === 'Z';
    // RSS is followed only where it is known (the precise processes), from statm: one more small read.
    const rssBytes = zombie ? 0 : prev.rssBytes === null ? null : this.reader.rssBytes(prev.pid) ?? prev.rssBytes;
    if (
      st.state === prev.state && st.ppid === prev.ppid && st.pgid === prev.pgid && st.sid === prev.sid &&
      st.cpuTicks === prev.cpuTicks && st.threads === prev.threads && rssBytes === prev.rssBytes
    ) {
      // Unchanged (an idle process): keep the old object, so a long watch does not turn every
      // idle process into old-generation garbage on each refresh.
      return prev;
    }
    const info: ProcessInfo = {
      ...prev,
      state: st.state,
      ppid: st.ppid,
      pgid: st.pgid,
      sid: st.sid,
      cpuTicks: st.cpuTicks,
      threads: st.threads,
      argv: zombie ? EMPTY_ARGV : prev.argv,
      rssBytes,
    };
    k.info = info;
    return info;
  }

}
