import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { ProcessInfo, Snapshot } from '../types.js';
import { isKernelThreadFlags, parseBootTime, parseCmdline, parseStat, parseStatus } from './parse.js';

/**
 * Linux USER_HZ. The kernel reports stat times in USER_HZ, which is 100 on every architecture
 * Node runs on; asking getconf would cost a process spawn per run.
 */
export const CLOCK_TICKS = 100;

/** Reads processes from a /proc tree; `root` is injectable for fixtures and host mounts. */
export class ProcReader {
  readonly root: string;
  private bootTimeCache: number | null | undefined;

  constructor(root = '/proc') {
    this.root = root;
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

  /** Reads one process; null when it vanished or its stat is unreadable or malformed. */
  read(pid: number): ProcessInfo | null {
    const dir = join(this.root, String(pid));
    let statText: string;
    try {
      statText = readFileSync(join(dir, 'stat'), 'utf8');
    } catch {
      return null; // vanished mid-scan, or not a process directory: skip silently
    }
    const st = parseStat(statText);
    if (!st || st.pid !== pid) return null;
    const kernelThread = isKernelThreadFlags(st.flags) || pid === 2 || st.ppid === 2;
    let argv: string[] = [];
    let uid: number | null = null;
    let rssBytes: number | null = null;
    if (!kernelThread) {
      argv = this.readArgv(pid) ?? [];
      const status = this.readText(join(dir, 'status'));
      if (status !== null) ({ uid, rssBytes } = parseStatus(status));
    } else {
      uid = 0;
    }
    const bt = this.bootTime();
    return {
      pid,
      ppid: st.ppid,
      pgid: st.pgid,
      sid: st.sid,
      uid,
      state: st.state,
      comm: st.comm,
      argv,
      startTicks: st.startTicks,
      startedAt: bt === null ? null : bt + (st.startTicks * 1000) / CLOCK_TICKS,
      cpuTicks: st.utime + st.stime,
      threads: st.threads,
      rssBytes: st.state === 'Z' ? 0 : rssBytes,
      kernelThread,
    };
  }

  /** NUL-split argv, or null when unreadable. */
  readArgv(pid: number): string[] | null {
    const t = this.readText(join(this.root, String(pid), 'cmdline'));
    return t === null ? null : parseCmdline(t);
  }

  /** Re-reads only stat for the identity check before a signal; null when gone. */
  readStat(pid: number): ReturnType<typeof parseStat> {
    const t = this.readText(join(this.root, String(pid), 'stat'));
    return t === null ? null : parseStat(t);
  }

  /** Number of open file descriptors, or null when not permitted or gone. */
  fdCount(pid: number): number | null {
    try {
      return readdirSync(join(this.root, String(pid), 'fd')).length;
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

  /** Reads every process into a snapshot. Vanished processes are skipped. */
  snapshot(selfPid = process.pid): Snapshot {
    const scannedAt = Date.now();
    const processes = new Map<number, ProcessInfo>();
    for (const pid of this.listPids()) {
      const p = this.read(pid);
      if (p) processes.set(pid, p);
    }
    return { scannedAt, backend: 'procfs', processes, clockTicks: CLOCK_TICKS, bootTime: this.bootTime(), selfPid };
  }

  private readText(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null; // vanished (ENOENT/ESRCH) or EACCES on another user's file: unknown, not an error
    }
  }
}
