import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alive, BIN, LOCK_ARGS, Scope, waitFor } from '../helpers/procs.js';
import { descendants, markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// EPERM on one target while the others still die. procsweep runs as an unprivileged user (via
// setpriv) against three marked targets: two of that user's own sleeps, and one root process
// that only *looks* like the user's: `node -e 'process.seteuid(uid)'` keeps real and saved uid 0,
// so ps and the guard (effective uid) see the user, but the kernel refuses the user's signals.
// A plain root-owned sleep shows the guard's other-users rule on the side.
const USER = 'procsweep-test';

describe('EPERM is a failure of one target only', { skip: needs('root', 'setpriv', 'useradd') }, () => {
  const scope = new Scope();
  const dir = mkdtempSync(join(tmpdir(), 'psw-eperm-'));
  let uid = 0;
  let gid = 0;
  const asUser = (args: string[]): string[] => ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', ...args];

  before(() => {
    chmodSync(dir, 0o755); // mkdtemp makes it 0700: the user must reach the marked sleep and its home
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { maxBuffer: Infinity, encoding: 'utf8' });
      assert.equal(r.status, 0, `useradd: ${r.stderr}`);
    }
    uid = Number(spawnSync('id', ['-u', USER], { maxBuffer: Infinity, encoding: 'utf8' }).stdout);
    gid = Number(spawnSync('id', ['-g', USER], { maxBuffer: Infinity, encoding: 'utf8' }).stdout);
  });
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An orphan owned by the test user: a marked sleep, or `sh -c SCRIPT MARK` when given `['-c'], mark`. */
  const userOrphan = async (what: string, shell?: string[], mark?: string): Promise<number> => {
    const run = shell ? `sh -c '${what}' ${mark}` : `"$0" 300`;
    const sh = spawn('setpriv', asUser(['sh', '-c', `${run} </dev/null >/dev/null 2>&1 & echo $!`, what]), { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    sh.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => sh.on('close', r));
    return Number(out.trim());
  };
  const effectiveUid = (pid: number): number => Number(/^Uid:\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

  test('the user\'s own targets die, the root one fails with EPERM and lives, exit 1', async () => {
    const mark = scope.mark('eperm');
    const home = join(dir, 'home');
    mkdirSync(home);
    chownSync(home, uid, gid);
    const sleepPath = markedSleep(dir, mark); // directories 0755, readable by the user
    const mine = [await userOrphan(sleepPath), await userOrphan(sleepPath)];
    // A user's shell whose child carries no marker: the fast scan leaves the child's owner unknown.
    const shell = await userOrphan('sleep 300; true', ['-c'], mark);
    assert.ok(await waitFor(() => descendants(shell).length === 1));
    const shellChild = descendants(shell)[0];
    const disguised = await scope.orphan(process.execPath, ['-e', `process.seteuid(${uid}); setInterval(() => {}, 1e6)`, mark]);
    const rootSleep = await sleeperOrphan(scope, sleepPath);
    assert.ok(await waitFor(() => effectiveUid(disguised) === uid), 'seteuid took effect');
    for (const p of mine) assert.equal(effectiveUid(p), uid);

    const r = spawnSync('setpriv', asUser([process.execPath, BIN, 'sweep', '-y', '--json', '--grace', '500ms', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(home, 'sweep.lock')]), {
      encoding: 'utf8',
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_RUNTIME_DIR: undefined, NO_COLOR: '1' },
      timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stderr);
    const byPid = new Map<number, any>(JSON.parse(r.stdout).targets.map((t: any) => [t.pid, t]));
    for (const p of mine) {
      assert.equal(byPid.get(p)?.outcome, 'terminated', JSON.stringify(byPid.get(p)));
      assert.ok(!alive(p));
    }
    const failed = byPid.get(disguised);
    assert.equal(failed.outcome, 'failed');
    assert.match(failed.reason, /EPERM/);
    assert.deepEqual(failed.signals, []);
    assert.ok(alive(disguised), 'the root process was not touched');
    for (const p of [shell, shellChild]) {
      assert.equal(byPid.get(p)?.outcome, 'terminated', JSON.stringify(byPid.get(p)));
      assert.equal(byPid.get(p)?.user, USER);
    }
    const skipped = byPid.get(rootSleep);
    assert.equal(skipped.outcome, 'skipped');
    assert.match(skipped.reason, /belongs to uid 0, not to you/);
    assert.ok(alive(rootSleep));
    assert.equal(JSON.parse(r.stdout).summary.failed, 1);
  });

  test('kill-group as the user: its own group (owners the fast scan does not read) goes; a root PID is refused', async () => {
    const mark = scope.mark('epermkg');
    const home = join(dir, 'home2');
    mkdirSync(home);
    chownSync(home, uid, gid);
    const leader = scope.spawn('setpriv', asUser(['sh', '-c', 'sleep 300 & sleep 300; true', mark]), { detached: true }).pid!; // setpriv execs sh
    assert.ok(await waitFor(() => descendants(leader).length === 2)); // two sleeps, without the marker
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, NO_COLOR: '1' };
    const tree = [leader, ...descendants(leader)];
    const r = spawnSync('setpriv', asUser([process.execPath, BIN, 'kill-group', '-y', '--json', ...LOCK_ARGS, String(leader)]), { maxBuffer: Infinity, encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const t of JSON.parse(r.stdout).targets) assert.equal(t.outcome, 'terminated', JSON.stringify(t));
    for (const p of tree) assert.ok(await waitFor(() => !alive(p)), `${p} alive`);
    const refused = spawnSync('setpriv', asUser([process.execPath, BIN, 'kill-group', '-y', String(process.pid)]), { maxBuffer: Infinity, encoding: 'utf8', env });
    assert.equal(refused.status, 2, refused.stderr);
  });
});
