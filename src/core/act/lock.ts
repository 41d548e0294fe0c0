import { accessSync, constants, linkSync, lstatSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { effectiveUid } from '../decide/guard.js';
import { liveTable, type LiveTable } from '../read/backend/procfs-ops.js';
import type { ProcessIdentity } from '../types.js';

/** Who holds a lock: pid plus start time (clock ticks since boot; null where /proc is absent). */
export type LockHolder = ProcessIdentity;

/** Options of `withLock`. */
export interface LockOptions {
  /** Wait for the holder instead of failing (`--wait-lock`). */
  wait?: boolean;
  /** Called once when a wait begins, with the holder and a description of it. */
  onWait?: (holder: LockHolder, description: string) => void;
  /** Where identities are read (default /proc: this pid namespace's live table, see liveTable). */
  procRoot?: string;
  /** The live table itself (tests pass a fake); built from `procRoot` when absent. */
  table?: LiveTable;
}

/** Root's lock directory: under /run, which only root can write, so no one can plant a lock there. */
export const ROOT_LOCK_DIR = '/run/procsweep';

/**
 * The default lock file: /run/procsweep/sweep.lock for root (not the world-writable /run/lock,
 * where any user could create the file first), else the user's runtime dir, else /tmp (per uid).
 */
export function defaultLockPath(env: NodeJS.ProcessEnv = process.env, uid: number | null = effectiveUid()): string {
  if (uid === 0) return writable(ROOT_LOCK_DIR) || writable('/run') ? join(ROOT_LOCK_DIR, 'sweep.lock') : '/tmp/procsweep-0.lock';
  if (env.XDG_RUNTIME_DIR && exists(env.XDG_RUNTIME_DIR)) return join(env.XDG_RUNTIME_DIR, 'procsweep.lock');
  return `/tmp/procsweep-${uid ?? 'unknown'}.lock`;
}

/** Whether a directory exists and can be written (a read-only /run in a container cannot). */
function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));

/**
 * Runs `fn` while holding the lock file at `path`; one sweep at a time. The file holds the
 * holder's pid and start time. A lock whose holder is gone (or whose pid now names another
 * process) is stale and taken over. A live holder makes it throw EnvironmentError (exit 3)
 * naming the holder, or wait with `opts.wait`.
 */
export async function withLock<T>(path: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(path, opts);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Takes the lock (see withLock) and returns the function that releases it. */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<() => void> {
  if (dirname(path) === ROOT_LOCK_DIR && !exists(ROOT_LOCK_DIR)) {
    try {
      mkdirSync(ROOT_LOCK_DIR, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(path, err);
    }
  }
  const table = opts.table ?? liveTable(opts.procRoot);
  const me: LockHolder = { pid: process.pid, startTicks: table.stat(process.pid)?.startTicks ?? null };
  const content = `${JSON.stringify({ pid: me.pid, startTicks: me.startTicks, since: new Date().toISOString() })}\n`;
  let waited = false;
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    if (createExclusive(path, content)) return () => releaseLock(path, me);
    const seen = readLock(path);
    if (seen === null) continue; // vanished between our attempt and the read: try again at once
    // A lock file of another user (not root, not us) counts only while its holder runs as that
    // user: a real sweep owns the file it created; a planted file naming someone else's
    // process proves nothing and is taken over.
    const uid = effectiveUid();
    const trusted = seen.uid === 0 || uid === null || seen.uid === uid;
    const parsed = parseHolder(seen.text);
    const holder = parsed && (trusted || table.uid(parsed.pid) === seen.uid) ? parsed : null;
    if (holder && holderAlive(holder, table)) {
      const who = describeHolder(holder, table);
      if (!opts.wait) {
        throw new EnvironmentError(`another sweep holds the lock ${path}: ${who}. Nothing was signalled; retry later, or add --wait-lock to wait for it`);
      }
      if (!waited) opts.onWait?.(holder, who);
      waited = true;
      await sleep(delay);
      continue;
    }
    await takeOver(path, seen.text, trusted ? null : seen.uid);
  }
}

/** Creates the lock file with its full content in one step (link of a private temp file); false when it exists. */
function createExclusive(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, content, { mode: 0o644, flag: 'wx' });
  } catch (err) {
    throw lockError(path, err);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(path, err);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

function lockError(path: string, err: unknown): EnvironmentError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new EnvironmentError(`cannot create the lock file ${path} (${code}): pick a writable place with --lock-file`);
}

/** Reads the lock file without following a symlink, with its owner; null when it is gone. */
function readLock(path: string): { text: string; uid: number } | null {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (!st.isFile()) throw new EnvironmentError(`the lock file ${path} is not a regular file (a symlink?): remove it or pick another --lock-file`);
  try {
    return { text: readFileSync(path, 'utf8'), uid: st.uid };
  } catch {
    return null;
  }
}

/** Parses lock content: `{"pid":N,"startTicks":T}`; null for anything else (stale junk). */
export function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as { pid?: unknown; startTicks?: unknown };
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    const st = typeof v.startTicks === 'number' && Number.isInteger(v.startTicks) ? v.startTicks : null;
    return { pid: v.pid, startTicks: st };
  } catch {
    return null;
  }
}

/** Whether the holder still runs: same pid and same start time (an unknown start time cannot prove it gone). */
function holderAlive(h: LockHolder, table: LiveTable): boolean {
  const st = table.stat(h.pid);
  if (st) return st.state !== 'Z' && (h.startTicks === null || st.startTicks === h.startTicks);
  if (table.present()) return false; // the proc tree is there and the pid is not
  try {
    process.kill(h.pid, 0); // no proc tree: existence is all we can know
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeHolder(h: LockHolder, table: LiveTable): string {
  const argv = table.argv(h.pid);
  return `PID ${h.pid}${argv && argv.length ? ` (${argv.join(' ').slice(0, 120)})` : ''}`;
}

/**
 * Removes a stale lock, but only while it still holds what we judged stale: a short-lived
 * `.takeover` file makes the re-check and the unlink one step among competing sweeps.
 */
async function takeOver(path: string, staleText: string, foreignUid: number | null): Promise<void> {
  const guard = `${path}.takeover`;
  if (!createExclusive(guard, `${process.pid}\n`)) {
    try {
      if (Date.now() - lstatSync(guard).mtimeMs > 10_000) unlinkSync(guard); // its taker died mid-way
    } catch {
      /* gone meanwhile */
    }
    await sleep(10);
    return;
  }
  try {
    const now = readLock(path);
    if (now && now.text === staleText) {
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        const whose = foreignUid === null ? 'a stale holder' : `uid ${foreignUid}, not you or root`;
        throw new EnvironmentError(`the lock file ${path} belongs to ${whose} and cannot be replaced (${(err as NodeJS.ErrnoException).code ?? 'error'}): remove it, or pick another --lock-file. Nothing was signalled`);
      }
    }
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      /* gone */
    }
  }
}

/** Removes the lock only while it is still ours. */
function releaseLock(path: string, me: LockHolder): void {
  try {
    const seen = readLock(path);
    const h = seen && parseHolder(seen.text);
    if (h && h.pid === me.pid && h.startTicks === me.startTicks) unlinkSync(path);
  } catch {
    /* nothing to release */
  }
}
