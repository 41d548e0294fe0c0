/** Writing record files atomically: a temp file beside the target, fsync, rename over it. */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchownSync, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { readRecordFile } from './safefile.js';
import { MAX_PIDFILE_BYTES } from './types.js';

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Ownership and mode to give a rewritten file (the original's). */
export interface Keep {
  mode: number;
  uid?: number;
  gid?: number;
}

/**
 * Replaces `path` with `text` atomically: a fresh temp file in the same directory (created
 * with O_EXCL | O_NOFOLLOW, so nothing planted there is written through), synced, then renamed
 * over the target. Readers see the old file or the new one, never half of one.
 */
export function writeAtomic(path: string, text: string, keep: Keep = { mode: 0o644 }): void {
  const tmp = join(dirname(path), `.${basename(path)}.procsweep-${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, CREATE, keep.mode & 0o7777);
  try {
    try {
      if (keep.uid !== undefined && keep.gid !== undefined) fchownSync(fd, keep.uid, keep.gid);
    } catch {
      /* not root: the file stays ours, which is what a non-root rewrite can do */
    }
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
}

/**
 * Checks a pidfile name part (`--id`, `--type`): the file is `{id}_{type}.pid` inside the pid
 * directory, so a part may not leave the directory, hide the file or break the line format.
 */
export function checkNamePart(what: string, value: string): string {
  if (value === '') throw new UsageError(`${what} must not be empty`);
  if (value.length > 200) throw new UsageError(`${what} '${value.slice(0, 20)}...' is longer than 200 characters`);
  if (value.includes('/') || value.startsWith('.') || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(`${what} '${value}' may not contain '/' or control characters, nor start with '.'`);
  }
  return value;
}

/** `{dir}/{id}_{type}.pid`, the timestamped pidfile name of seed 001. */
export function pidfilePath(dir: string, id: string, type: string): string {
  return join(dir, `${id}_${type}.pid`);
}

/**
 * Writes `{id}_{type}.pid` in `dir` holding `PID\nEPOCH_MS\n` (the timestamped format),
 * atomically, mode 0644. Returns its path. For `procsweep run` and library supervisors.
 */
export async function writePidfile(dir: string, id: string, type: string, pid: number, startedAtMs: number): Promise<string> {
  checkNamePart('pidfile id', id);
  checkNamePart('pidfile type', type);
  if (!Number.isInteger(pid) || pid <= 1) throw new UsageError(`pidfile PID ${pid} must be a whole number above 1`);
  if (!Number.isFinite(startedAtMs) || startedAtMs < 0) throw new UsageError(`pidfile time ${startedAtMs} must be epoch milliseconds`);
  const path = pidfilePath(dir, id, type);
  try {
    writeAtomic(path, `${pid}\n${Math.floor(startedAtMs)}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    throw new EnvironmentError(`cannot write pidfile ${path} (${code}): ${code === 'ENOENT' ? 'create the pid dir first' : 'check the pid dir\'s permissions'}`);
  }
  return path;
}

/**
 * Removes a pidfile this process wrote, only while it is a regular file that still names `pid`
 * (a newer supervisor may have replaced it). Returns whether it was removed.
 */
export async function removeOwnPidfile(path: string, pid: number): Promise<boolean> {
  const r = readRecordFile(path, MAX_PIDFILE_BYTES);
  if (!r.ok || r.oversized) return false;
  const first = Buffer.from(r.bytes).toString('utf8').split('\n', 1)[0].trim();
  if (first !== String(pid)) return false;
  try {
    const now = lstatSync(path);
    if (now.dev !== r.file.dev || now.ino !== r.file.ino) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
