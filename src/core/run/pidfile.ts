import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';

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

/** Creates the pid directory when missing and checks that run may write there, before CMD starts. */
export async function preparePidDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError(`cannot write pidfiles in ${dir} (${code}): give --pid-dir a directory this user can write`);
  }
}

/**
 * Writes `PID\nSTART_MS\n` atomically (temp file in the same directory, fsync, rename), so a
 * reader never sees half a file. Returns the path.
 */
export async function writePidfile(dir: string, id: string, type: string, pid: number, startedAtMs: number): Promise<string> {
  const path = pidfilePath(dir, id, type);
  const tmp = join(dir, `.${id}_${type}.pid.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(`${pid}\n${Math.round(startedAtMs)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  return path;
}

/**
 * Removes the pidfile only while it still names `pid`: another launcher may have taken the name
 * over since. Returns whether it was removed.
 */
export async function removeOwnPidfile(path: string, pid: number): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false; // already gone
  }
  if (Number(text.split('\n', 1)[0].trim()) !== pid) return false;
  try {
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}
