/** Opening a file without trusting it: no symlinks (records), only regular files, non-blocking, bounded reads. */
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import type { FileIdentity } from './types.js';

/** A file read safely, or why it was not (or could not be) read. */
export type SafeRead =
  | { ok: true; bytes: Uint8Array; size: number; oversized: boolean; mtimeMs: number; file: FileIdentity }
  | { ok: false; unsafe: true; reason: string; file?: FileIdentity; /** The errno when a system call failed (EACCES). */ code?: string; /** Set when it is not a regular file: `a FIFO`. */ kind?: string }
  | { ok: false; unsafe: false; vanished: true };

let scratch = Buffer.allocUnsafe(4097);

const NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const FOLLOW = constants.O_RDONLY | constants.O_NONBLOCK;

/** How far a file is trusted: records follow no symlink and must not be world-writable or hard-linked. */
export interface SafeReadOptions {
  /** Follow symlinks (a config file may be one); the target must still be a regular file. */
  follow?: boolean;
  /** Skip the world-writable and hard-link checks (default: checked). */
  noModeChecks?: boolean;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

/** The identity fields of a stat result. */
export function identity(st: Stats): FileIdentity {
  return { dev: st.dev, ino: st.ino, uid: st.uid, gid: st.gid, mode: st.mode, size: st.size, mtimeMs: st.mtimeMs };
}

/** Whether a file still is the one that was read: same inode, size and modification time. */
export function sameFile(a: FileIdentity, b: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Why a file that is already known to be regular may not be trusted (world-writable, hard-linked), or null. */
export function fileModeProblem(st: Pick<Stats, 'mode' | 'nlink'>): string | null {
  if ((st.mode & 0o002) !== 0) {
    return `world-writable (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): anyone could have written it; never acted on`;
  }
  if (st.nlink > 1) return `has ${st.nlink} hard links: it may be another file linked in here; never acted on`;
  return null;
}

/**
 * Reads at most `limit` bytes of a record file without following a symlink: lstat first (a
 * FIFO or device is never even opened), then open with O_NOFOLLOW | O_NONBLOCK and fstat the
 * opened descriptor, which must be the same regular file. A file that vanished is reported as
 * such (not an error): supervisors remove their records at any time.
 */
export function readRecordFile(path: string, limit: number, opts: SafeReadOptions = {}): SafeRead {
  let pre: Stats;
  try {
    pre = opts.follow ? statSync(path) : lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return { ok: false, unsafe: false, vanished: true };
    return { ok: false, unsafe: true, reason: `cannot be examined (${code}): not judged, never touched`, code };
  }
  if (pre.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(path);
    } catch {
      /* raced away: the reason still holds */
    }
    return { ok: false, unsafe: true, reason: `a symlink to ${target}: symlinks are never followed; never acted on`, file: identity(pre) };
  }
  if (!pre.isFile()) return { ok: false, unsafe: true, reason: `${kindOf(pre)}, not a regular file; never acted on`, file: identity(pre), kind: kindOf(pre) };

  let fd: number;
  try {
    fd = openSync(path, opts.follow ? FOLLOW : NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return { ok: false, unsafe: false, vanished: true };
    if (code === 'ELOOP') return { ok: false, unsafe: true, reason: 'became a symlink while being read: never followed; never acted on', code };
    return { ok: false, unsafe: true, reason: `cannot be read (${code}): not judged, never touched`, file: identity(pre), code };
  }
  try {
    const st = fstatSync(fd);
    if (st.dev !== pre.dev || st.ino !== pre.ino) {
      return { ok: false, unsafe: true, reason: 'was replaced while being read; never acted on (run again)' };
    }
    if (!st.isFile()) return { ok: false, unsafe: true, reason: `${kindOf(st)}, not a regular file; never acted on`, file: identity(st), kind: kindOf(st) };
    const problem = opts.noModeChecks ? null : fileModeProblem(st);
    if (problem) return { ok: false, unsafe: true, reason: problem, file: identity(st) };
    // One byte beyond the limit tells "exactly at the limit" from "oversized" without reading more.
    // The read buffer is shared across calls (reads are synchronous); the bytes are copied out.
    if (scratch.length < limit + 1) scratch = Buffer.allocUnsafe(limit + 1);
    const buf = scratch.subarray(0, limit + 1);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    return { ok: true, bytes: Uint8Array.prototype.slice.call(buf, 0, Math.min(n, limit)), size: Math.max(st.size, n), oversized: n > limit || st.size > limit, mtimeMs: st.mtimeMs, file: identity(st) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, unsafe: true, reason: `cannot be read (${code}): not judged, never touched`, code };
  } finally {
    closeSync(fd);
  }
}
