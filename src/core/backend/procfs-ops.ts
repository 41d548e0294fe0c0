/** The engine's operations on a live /proc: stat re-reads through open descriptors, process.kill. */
import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ProcReader } from '../procfs/reader.js';
import { ThawWatchdog } from '../thaw-watchdog.js';
import { sleep, type EngineOps, type LiveStat } from './ops.js';

const statBuf = Buffer.alloc(4096);

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

/**
 * Reads state, ppid and start time from /proc/PID/stat: the identity check before every signal.
 * It runs thousands of times per sweep, so it reuses one buffer (see parseStatIdentity).
 * Processes in play keep their stat file open instead (`EngineOps.open`): one read per check.
 */
function readLiveStat(root: string, pid: number): LiveStat | null {
  let n: number;
  try {
    const fd = openSync(`${root}/${pid}/stat`, 'r');
    try {
      n = readSync(fd, statBuf, 0, statBuf.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // gone (ENOENT/ESRCH)
  }
  return parseStatIdentity(statBuf, n);
}

/**
 * Parses state, ppid and start time from the first `n` bytes of a /proc/PID/stat text without
 * building strings (it runs thousands of times per sweep): the comm ends at the last ')'; after
 * it come field 3 (state), 4 (ppid) ... 22 (starttime).
 */
export function parseStatIdentity(buf: Uint8Array, n: number): LiveStat | null {
  let i = n - 1;
  while (i >= 0 && buf[i] !== 0x29) i--; // ')'
  if (i < 0 || i + 2 >= n) return null;
  const state = String.fromCharCode(buf[i + 2]);
  let field = 3;
  let ppid = -1;
  for (i += 3; i < n && field < 22; i++) {
    if (buf[i] !== 0x20) continue; // each space starts the next field
    field++;
    let v = 0;
    let digits = 0;
    for (let j = i + 1; j < n && buf[j] >= 0x30 && buf[j] <= 0x39; j++, digits++) v = v * 10 + buf[j] - 0x30;
    if (field === 4) ppid = digits ? v : -1;
    if (field === 22) return digits && ppid >= 0 ? { state, ppid, startTicks: v } : null;
  }
  return null;
}
