import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alive, BIN, have, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';

// EPERM on one target while the others still die. procsweep runs as an unprivileged user (via
// setpriv) against three marked targets: two of that user's own sleeps, and one root process
// that only *looks* like the user's: `node -e 'process.seteuid(uid)'` keeps real and saved uid 0,
// so ps and the guard (effective uid) see the user, but the kernel refuses the user's signals.
// A plain root-owned sleep shows the guard's other-users rule on the side.
const ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const USER = 'procsweep-test';
const why = !ROOT ? 'needs root (to start processes as a second user)' : !have('setpriv') ? 'setpriv missing (util-linux)' : false;

describe('EPERM is a failure of one target only', { skip: why }, () => {
  const scope = new Scope();
  const dir = mkdtempSync(join(tmpdir(), 'psw-eperm-'));
  let uid = 0;
  let gid = 0;
  const asUser = (args: string[]): string[] => ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', ...args];

  before(() => {
    chmodSync(dir, 0o755); // mkdtemp makes it 0700: the user must reach the marked sleep and its home
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
      assert.equal(r.status, 0, `useradd: ${r.stderr}`);
    }
    uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout);
    gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout);
  });
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An orphaned marked sleep owned by the test user. */
  const userOrphan = async (sleepPath: string): Promise<number> => {
    const sh = spawn('setpriv', asUser(['sh', '-c', '"$0" 300 </dev/null >/dev/null 2>&1 & echo $!', sleepPath]), { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
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
    const skipped = byPid.get(rootSleep);
    assert.equal(skipped.outcome, 'skipped');
    assert.match(skipped.reason, /belongs to uid 0, not to you/);
    assert.ok(alive(rootSleep));
    assert.equal(JSON.parse(r.stdout).summary.failed, 1);
  });
});
