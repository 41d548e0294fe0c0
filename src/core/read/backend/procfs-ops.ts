/** The engine's operations on a live /proc: stat re-reads through open descriptors, process.kill. */
import { closeSync, lstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { ProcReader, readProcBytes } from '../procfs/reader.js';
import { parseStatBytes, statScratch } from '../procfs/stat-bytes.js';
import { ThawWatchdog } from '../../act/thaw-watchdog.js';
import { sleep, type EngineOps, type LiveStat } from './ops.js';

const statBuf = Buffer.alloc(4096);
const scratch = statScratch();

/**
 * The signalling operations on a proc tree. Refuses a tree that is not this system's live /proc
 * (a fixture, or a host /proc seen from another pid namespace): its pids would name other
 * processes here.
 */
export function procfsOps(reader: ProcReader): EngineOps {
  let self: string | null = null;
  try {
    self = readlinkSync(join(reader.root, 'self'));
  } catch {
    self = null;
  }
  if (self !== String(process.pid)) {
    throw new UsageError(`${reader.root} is not this system's live process table, so its PIDs cannot be signalled: use --dry-run with --proc-root`);
  }
  const root = reader.root;
  return {
    stat: (pid) => readLiveStat(root, pid),
    open: (pid) => {
      try {
        return openSync(`${root}/${pid}/stat`, 'r');
      } catch {
        return null; // gone, or out of descriptors: the path is read each time instead
      }
    },
    statFd: (fd) => {
      try {
        return parseStatIdentity(statBuf, readSync(fd, statBuf, 0, statBuf.length, 0));
      } catch {
        return null;
      }
    },
    close: (fd) => closeSync(fd),
    info: (pid) => reader.read(pid),
    pids: () => reader.listPids(),
    kill: (pid, sig) => process.kill(pid, sig),
    thawGuard: () => ThawWatchdog.start(root),
    now: () => performance.now(),
    sleep,
  };
}

/** This system's live process table, read one process at a time by identity (see liveTable). */
export interface LiveTable {
  /** State, ppid and start time; null when gone. */
  stat(pid: number): LiveStat | null;
  /** The command line; null when unreadable. */
  argv(pid: number): string[] | null;
  /** The effective uid; null when unknown or gone. */
  uid(pid: number): number | null;
  /** Whether the table is there at all (without it, a missing pid proves nothing). */
  present(): boolean;
}

/**
 * The live process table of this pid namespace, for what must name the processes that run here
 * whatever the backend reads (the sweep lock records procsweep's own pid and start time, and
 * checks its holder by them). Not --proc-root: a host /proc seen from a container names other
 * processes; and not ps: every sweep on the host must compare the same start-time unit.
 */
export function liveTable(root = '/proc'): LiveTable {
  const reader = new ProcReader(root);
  return {
    stat: (pid) => readLiveStat(root, pid),
    argv: (pid) => reader.readArgv(pid),
    uid: (pid) => reader.read(pid)?.uid ?? null,
    present: () => {
      try {
        lstatSync(join(root, 'self'));
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Reads state, ppid and start time from /proc/PID/stat: the identity check before every signal.
 * It runs thousands of times per sweep, so it reads into the reader's shared buffer (readProcBytes).
 * Processes in play keep their stat file open instead (`EngineOps.open`): one read per check.
 */
function readLiveStat(root: string, pid: number): LiveStat | null {
  let bytes: Buffer;
  try {
    bytes = readProcBytes(`${root}/${pid}/stat`);
  } catch {
    return null; // gone (ENOENT/ESRCH)
  }
  return parseStatIdentity(bytes, bytes.length);
}

/**
 * State, ppid and start time from the first `n` bytes of a /proc/PID/stat text (the one stat
 * parser, parseStatBytes, into a reused scratch object: it runs thousands of times per sweep).
 */
export function parseStatIdentity(buf: Uint8Array, n: number): LiveStat | null {
  return parseStatBytes(buf, n, scratch) ? { state: scratch.state, ppid: scratch.ppid, startTicks: scratch.startTicks } : null;
}
