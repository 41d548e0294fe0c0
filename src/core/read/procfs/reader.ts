import { closeSync, constants, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';

const { O_RDONLY } = constants;
import { join } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import type { ProcessInfo, Snapshot } from '../../types.js';
import { endianness } from 'node:os';
import { auxvPageSize, isKernelThreadFlags, parseBootTime, parseCmdline, parseStat, parseStatmResident, parseStatusBytes } from './parse.js';
import { parseStatBytes, statScratch } from './stat-bytes.js';

/**
 * Linux USER_HZ. The kernel reports stat times in USER_HZ, which is 100 on every architecture
 * Node runs on; asking getconf would cost a process spawn per run.
 */
export const CLOCK_TICKS = 100;

/** Decides which processes get the precise (status-file) read: the candidates. */
export type PrecisePredicate = (argv: readonly string[], comm: string, state: string) => boolean;

// One shared buffer: /proc files report size 0, so readFileSync's fstat-and-grow dance is pure
// overhead; open + one read + close is what ps does.
let shared = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads a small /proc file into the shared buffer (one read(2) where it fits); returns a view of
 * it, valid until the next read. Throws like readFileSync. For callers that parse bytes.
 */
export function readProcBytes(path: string): Buffer {
  return shared.subarray(0, readProcShared(path));
}

/**
 * Reads a small /proc file into `shared` and returns its length. A read that comes back short
 * is the end: /proc's seq files and cmdline fill the whole buffer when they can, so no second
 * read(2) is spent on EOF.
 */
function readProcShared(path: string): number {
  const fd = openSync(path, O_RDONLY);
  try {
    let len = 0;
    for (;;) {
      const want = shared.length - len;
      const n = readSync(fd, shared, len, want, null);
      len += n;
      if (n === 0 || n < want) return len;
      const bigger = Buffer.allocUnsafe(shared.length * 2);
      shared.copy(bigger, 0, 0, len);
      shared = bigger;
    }
  } finally {
    closeSync(fd);
  }
}

const stat = statScratch();

/** Reads a small /proc file in one read(2) where it fits; throws like readFileSync. */
function readProcFile(path: string): string {
  return readProcBytes(path).toString('utf8');
}

let pageSizeCache: number | undefined;

/**
 * The kernel page size, for statm (in pages): AT_PAGESZ from this process's own /proc/self/auxv,
 * read once, with no process spawned (getconf would cost one per run); 4096 when unreadable.
 */
export function pageSize(): number {
  if (pageSizeCache === undefined) {
    pageSizeCache = 4096;
    try {
      const word = process.arch === 'ia32' || process.arch === 'arm' ? 4 : 8;
      pageSizeCache = auxvPageSize(readProcBytes('/proc/self/auxv'), word, endianness() === 'LE') ?? 4096;
    } catch {
      /* keep 4096 */
    }
  }
  return pageSizeCache;
}

/** Reads processes from a /proc tree; `root` is injectable for fixtures and host mounts. */
export class ProcReader {
  readonly root: string;
  private bootTimeCache: number | null | undefined;

  private readonly base: string;

  constructor(root = '/proc') {
    this.root = root;
    this.base = root.endsWith('/') ? root : `${root}/`;
  }

  private ownPidCache: number | undefined;

  /**
   * procsweep's own pid as this tree numbers it: process.pid in the live /proc (or a tree whose
   * `self` names it), else 0: in a fixture or another namespace's tree, whatever holds our pid
   * number is some other process and must not be treated as procsweep or its ancestors.
   */
  ownPid(): number {
    if (this.ownPidCache === undefined) {
      let self: string | null = null;
      try {
        self = readlinkSync(join(this.root, 'self'));
      } catch {
        self = null;
      }
      this.ownPidCache = this.root === '/proc' || self === String(process.pid) ? process.pid : 0;
    }
    return this.ownPidCache;
  }

  /** Boot time in epoch ms from `btime` in /proc/stat, or null when unreadable. */
  bootTime(): number | null {
    if (this.bootTimeCache === undefined) {
      try {
        this.bootTimeCache = parseBootTime(readFileSync(join(this.root, 'stat'), 'utf8'));
      } catch {
        this.bootTimeCache = null;
      }
    }
    return this.bootTimeCache;
  }

  /** Every numeric entry of the /proc root; throws EnvironmentError when the root is unreadable. */
  listPids(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new EnvironmentError(`cannot read process table at ${this.root} (${code}): give --proc-root a mounted proc tree, or use --backend portable`);
    }
    const pids: number[] = [];
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c >= 48 && c <= 57) {
        const pid = Number(n);
        if (Number.isInteger(pid)) pids.push(pid);
      }
    }
    return pids.sort((a, b) => a - b);
  }

  /**
   * Reads one process; null when it vanished or its stat is unreadable or malformed. The uid
   * (effective, from the status file) is read only where `precise` says so: the candidates.
   * Elsewhere it stays null, i.e. unknown, which keeps a 2,000-process scan cheap.
   */
  read(pid: number, precise: boolean | PrecisePredicate = true): ProcessInfo | null {
    // Plain concatenation: path.join's normalisation is measurable over thousands of pids.
    const dir = `${this.base}${pid}`;
    let n: number;
    try {
      n = readProcShared(`${dir}/stat`);
    } catch {
      return null; // vanished mid-scan, or not a process directory: skip silently
    }
    // Parsed from the bytes (parseStatBytes): the strings of a text parse cost more than the read.
    const st = stat;
    if (!parseStatBytes(shared, n, st) || st.pid !== pid) return null;
    const comm = shared.toString('utf8', st.commStart, st.commEnd);
    // PF_KTHREAD alone: in a PID namespace, PID 2 and its children are ordinary processes.
    const kernelThread = isKernelThreadFlags(st.flags);
    let argv: string[] = [];
    let uid: number | null = null;
    // RSS is VmRSS (what ps -o rss, statm and psutil give), read with the uid from the status
    // file of the precise processes; elsewhere unknown (null), at no cost. stat's field 24 lags
    // VmRSS and is not used. A zombie has none (0).
    let rssBytes: number | null = null;
    let cmdlineBytes: string | undefined;
    if (!kernelThread) {
      const cmd = this.readCmdline(pid);
      argv = cmd?.argv ?? [];
      if (cmd?.bytes !== undefined) cmdlineBytes = cmd.bytes;
      const wantStatus = typeof precise === 'function' ? precise(argv, comm, st.state) : precise;
      if (wantStatus) {
        let len: number;
        try {
          len = readProcShared(`${dir}/status`);
        } catch {
          return null; // vanished between reads
        }
        const fields = parseStatusBytes(shared, len);
        uid = fields.uid;
        rssBytes = st.state === 'Z' ? 0 : fields.rssBytes ?? this.rssBytes(pid);
      } else if (st.state === 'Z') rssBytes = 0;
    } else {
      uid = 0;
    }
    const bt = this.bootTime();
    const info: ProcessInfo = {
      pid,
      ppid: st.ppid,
      pgid: st.pgid,
      sid: st.sid,
      uid,
      state: st.state,
      comm,
      argv,
      startTicks: st.startTicks,
      startedAt: bt === null ? null : bt + (st.startTicks * 1000) / CLOCK_TICKS,
      cpuTicks: st.cpuTicks,
      threads: st.threads,
      rssBytes,
      kernelThread,
    };
    // Added last, as the spread did, only where argv lost bytes to U+FFFD (rare): no spread of a
    // throwaway object per process.
    if (cmdlineBytes !== undefined) info.cmdlineBytes = cmdlineBytes;
    return info;
  }

  /** Resident memory in bytes from statm (the same figure as VmRSS and `ps -o rss`), or null when unreadable. */
  rssBytes(pid: number): number | null {
    const t = this.readText(`${this.base}${pid}/statm`);
    const pages = t === null ? null : parseStatmResident(t);
    return pages === null ? null : pages * pageSize();
  }

  /** NUL-split argv, or null when unreadable. */
  readArgv(pid: number): string[] | null {
    return this.readCmdline(pid)?.argv ?? null;
  }

  /** argv, plus the raw bytes (latin1) when they are not valid UTF-8; null when unreadable. */
  private readCmdline(pid: number): { argv: string[]; bytes?: string } | null {
    let n: number;
    try {
      n = readProcShared(`${this.base}${pid}/cmdline`);
    } catch {
      return null;
    }
    if (n === 0) return { argv: [] };
    const text = shared.toString('utf8', 0, n);
    // U+FFFD in the decoded text: invalid bytes (or a real U+FFFD), so keep the bytes for comparing.
    return text.includes('\ufffd') ? { argv: parseCmdline(text), bytes: shared.toString('latin1', 0, n) } : { argv: parseCmdline(text) };
  }

  /** Re-reads only stat for the identity check before a signal; null when gone. */
  readStat(pid: number): ReturnType<typeof parseStat> {
    const t = this.readText(join(this.root, String(pid), 'stat'));
    return t === null ? null : parseStat(t);
  }

  /** Number of open file descriptors, or null when not permitted or gone. */
  fdCount(pid: number): number | null {
    try {
      return readdirSync(`${this.base}${pid}/fd`).length; // no path.join: watch counts these every tick
    } catch {
      return null;
    }
  }

  /** Executable path (readlink of exe), or null when not permitted or gone. */
  exe(pid: number): string | null {
    try {
      return readlinkSync(join(this.root, String(pid), 'exe'));
    } catch {
      return null;
    }
  }

  /**
   * Reads every process into a snapshot. Vanished processes are skipped. `precise` picks the
   * processes whose uid is read from the status file (default: all).
   */
  snapshot(selfPid = this.ownPid(), precise: boolean | PrecisePredicate = true): Snapshot {
    const scannedAt = Date.now();
    const processes = new Map<number, ProcessInfo>();
    for (const pid of this.listPids()) {
      const p = this.read(pid, precise);
      if (p) processes.set(pid, p);
    }
    return { scannedAt, backend: 'procfs', processes, clockTicks: CLOCK_TICKS, bootTime: this.bootTime(), selfPid };
  }

  private readText(path: string): string | null {
    try {
      return readProcFile(path);
    } catch {
      return null; // vanished (ENOENT/ESRCH) or EACCES on another user's file: unknown, not an error
    }
  }
}
