import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EnvironmentError } from '../../src/core/errors.js';
import { acquireLock, defaultLockPath, parseHolder, withLock } from '../../src/core/act/lock.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { needs } from '../helpers/needs.js';

const dir = mkdtempSync(join(tmpdir(), 'psw-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `l${n++}.lock`);
const myStart = new ProcReader().readStat(process.pid)!.startTicks;

test('the lock file holds pid and start time; a second taker is refused naming the holder; release frees it', async () => {
  const path = fresh();
  const release = await acquireLock(path);
  assert.deepEqual(parseHolder(readFileSync(path, 'utf8')), { pid: process.pid, startTicks: myStart });
  await assert.rejects(acquireLock(path), (e: unknown) => e instanceof EnvironmentError && e.exitCode === 3 && new RegExp(`PID ${process.pid} \\(`).test(e.message) && /--wait-lock/.test(e.message));
  release();
  assert.equal(existsSync(path), false);
  (await acquireLock(path))();
});

test('a stale lock is taken over: dead holder, reused pid, or junk', async () => {
  for (const content of [
    JSON.stringify({ pid: 99_999_999, startTicks: 1 }),
    JSON.stringify({ pid: process.pid, startTicks: myStart + 1 }),
    'not a lock\n',
    '',
  ]) {
    const path = fresh();
    writeFileSync(path, content);
    const release = await acquireLock(path);
    assert.equal(parseHolder(readFileSync(path, 'utf8'))?.pid, process.pid, `took over ${JSON.stringify(content)}`);
    release();
  }
});

test('--wait-lock waits for the holder, telling who it waits for', async () => {
  const path = fresh();
  const release = await acquireLock(path);
  let told = '';
  const waiting = acquireLock(path, { wait: true, onWait: (_h, who) => (told = who) });
  setTimeout(release, 150);
  (await waiting)();
  assert.match(told, new RegExp(`^PID ${process.pid}`));
});

test('withLock releases when the work throws', async () => {
  const path = fresh();
  await assert.rejects(withLock(path, {}, async () => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(existsSync(path), false);
});

test('a symlinked lock file and an unwritable place are environment errors', async () => {
  const path = fresh();
  symlinkSync('/etc/hostname', path);
  await assert.rejects(acquireLock(path), /not a regular file/);
  await assert.rejects(acquireLock(join(dir, 'no', 'such', 'dir.lock')), (e: unknown) => e instanceof EnvironmentError && /cannot create the lock file .* \(ENOENT\)/.test(e.message));
});

test('default lock path: root-only /run/procsweep for root, the runtime dir, else /tmp per uid', () => {
  assert.match(defaultLockPath({}, 0), /^(\/run\/procsweep\/sweep\.lock|\/tmp\/procsweep-0\.lock)$/);
  assert.equal(defaultLockPath({ XDG_RUNTIME_DIR: dir }, 1000), join(dir, 'procsweep.lock'));
  assert.equal(defaultLockPath({}, 1000), '/tmp/procsweep-1000.lock');
});

test('a lock file owned by another user (not root) is not trusted: it is taken over even though its holder lives', { skip: needs('root') }, async () => {
  const path = fresh();
  // The "holder" is this very test process (alive), written into a file owned by nobody.
  writeFileSync(path, `${JSON.stringify({ pid: process.pid, startTicks: null })}\n`);
  chownSync(path, 65534, 65534);
  const release = await acquireLock(path);
  assert.equal(statSync(path).uid, 0, 'the lock is now ours');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  release();
  assert.equal(existsSync(path), false);
  // The same content owned by root is a live holder: refused.
  writeFileSync(path, `${JSON.stringify({ pid: process.pid, startTicks: null })}\n`);
  await assert.rejects(acquireLock(path), (e: unknown) => e instanceof EnvironmentError && /another sweep holds the lock/.test(e.message));
  unlinkSync(path);
  // Another user's real sweep: its file, naming its own live process. That one counts.
  const theirs = spawn('sleep', ['30'], { uid: 65534, gid: 65534, stdio: 'ignore' });
  try {
    await new Promise((r) => theirs.once('spawn', r));
    writeFileSync(path, `${JSON.stringify({ pid: theirs.pid, startTicks: null })}\n`);
    chownSync(path, 65534, 65534);
    await assert.rejects(acquireLock(path), (e: unknown) => e instanceof EnvironmentError && new RegExp(`another sweep holds the lock .*PID ${theirs.pid}`).test(e.message));
    assert.equal(statSync(path).uid, 65534, 'left in place');
  } finally {
    theirs.kill('SIGKILL');
    unlinkSync(path);
  }
});
