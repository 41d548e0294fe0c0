import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { classify } from '../../src/core/decide/classify.js';
import { parseCgroup } from '../../src/core/read/owner/cgroup.js';
import { systemdUnitStates } from '../../src/core/read/owner/read.js';
import type { OwnerPorts } from '../../src/core/read/owner/resolve.js';
import type { Evidence, EnvInfo } from '../../src/core/read/owner/types.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { Finding, ProcessInfo } from '../../src/core/types.js';
import { proc, snap } from '../helpers/snapshot.js';

// Owner liveness over hand-built snapshots (safety review items 2-5): `abandoned` (swept by
// default) needs positive evidence that the owner is gone; a worker whose chain runs through a
// live process procsweep does not recognise has unknown liveness and is never abandoned.

const FF = (tag: string): string[] => ['ffmpeg', '-i', 'testsrc', '-f', 'null', tag];
const HOME = '/srv/.pm2';
const pm2 = (name: string, id: string, home = HOME): EnvInfo => ({ pm2Home: home, pmId: id, pm2Name: name });
const svd = (prog: string): EnvInfo => ({ supervisorProcess: prog, supervisorUrl: 'unix:///run/s.sock' });

function ports(env: Record<number, EnvInfo>, cg: Record<number, Evidence['cgroup']> = {}, extra: Partial<OwnerPorts> = {}): OwnerPorts {
  return { evidence: (p) => ({ env: env[p.pid] ?? {}, cgroup: cg[p.pid] ?? null }), pm2Pid: () => 4711, unixListeners: () => new Set(), ...extra };
}
function run(procs: ProcessInfo[], p: OwnerPorts): Map<number, Finding> {
  return new Map(classify(snap(procs), { signatures: BUILTIN_SIGNATURES, ownership: { ports: p } }).map((f) => [f.proc.pid, f]));
}
const init = proc(1, 0, ['/sbin/init']);
const abandoned = (f: Finding): boolean => f.flags.includes('abandoned');

describe('liveness needs positive evidence (item 4)', () => {
  test('pm2-runtime and pm2 --no-daemon (no God Daemon title) are the live daemon of their apps', () => {
    for (const argv of [['node', '/usr/local/bin/pm2-runtime', 'ecosystem.config.js'], ['node', '/usr/lib/node_modules/pm2/bin/pm2', 'start', 'eco.js', '--no-daemon']]) {
      const f = run([init, proc(40, 1, argv), proc(41, 40, FF('r'))], ports({ 41: pm2('cam', '0') }));
      assert.equal(f.get(41)!.owner!.alive, true, argv.join(' '));
      assert.equal(f.get(41)!.owner!.pid, 40);
      assert.ok(!abandoned(f.get(41)!));
    }
  });

  test('an ancestor whose pid $PM2_HOME/pm2.pid names is the live daemon (PM2_DAEMON_TITLE)', () => {
    const f = run([init, proc(40, 1, ['media-pm2']), proc(41, 40, FF('t'))], ports({ 41: pm2('cam', '0') }, {}, { pm2Pid: () => 40 }));
    assert.equal(f.get(41)!.owner!.alive, true);
    assert.match(f.get(41)!.owner!.reason, /PM2 daemon 40 \(PM2_HOME \/srv\/.pm2\) runs it/);
    assert.ok(!abandoned(f.get(41)!));
  });

  test('a live chain through a process not recognised as the daemon: alive null, never abandoned', () => {
    const f = run([init, proc(40, 1, ['node', '/opt/odd/god.js']), proc(41, 40, FF('u'))], ports({ 41: pm2('cam', '0') }));
    assert.equal(f.get(41)!.owner!.alive, null);
    assert.ok(!abandoned(f.get(41)!), JSON.stringify(f.get(41)!.reasons));
    assert.match(f.get(41)!.owner!.reason, /no PM2 daemon .* recognised .* 40 \(node\), not recognised as its supervisor, is alive under PID 1; whether its daemon lives is unknown/);
    // The same under supervisord's and MediaMTX's env.
    const g = run([init, proc(40, 1, ['/usr/bin/python3', '/opt/sup.py']), proc(41, 40, FF('v')), proc(50, 1, ['/opt/mtx']), proc(51, 50, FF('w'))], ports({ 41: svd('cam'), 51: { mtxPath: 'cam1' } }));
    for (const pid of [41, 51]) {
      assert.equal(g.get(pid)!.owner!.alive, null, `${pid}`);
      assert.ok(!abandoned(g.get(pid)!));
    }
  });

  test('a chain that breaks (a parent missing from the table) is unknown', () => {
    const f = run([init, proc(41, 40, FF('x'))], ports({ 41: pm2('cam', '0') }));
    assert.equal(f.get(41)!.owner!.alive, null);
    assert.ok(!abandoned(f.get(41)!));
  });

  test('gone is claimed when PID 1 or a reaper adopted the worker or an app process of the same slot', () => {
    const loop = ['sh', '-c', 'while :; do ffmpeg -i x -f null -; done'];
    const f = run([
      init,
      proc(60, 1, loop, { sid: 60, pgid: 60 }), proc(61, 60, ['ffmpeg', '-i', 'x', '-f', 'null', '-'], { sid: 60, pgid: 60 }),
      proc(70, 1, ['tini', '--', 'app']), proc(71, 70, FF('y')),
    ], ports({ 60: pm2('loop', '3'), 61: pm2('loop', '3'), 71: svd('cam') }));
    assert.equal(f.get(60)!.owner!.alive, false);
    assert.equal(f.get(61)!.owner!.alive, false, 'its app process, adopted by PID 1, carries the same slot');
    assert.ok(abandoned(f.get(60)!));
    assert.equal(f.get(71)!.owner!.alive, false, 'adopted by the reaper tini');
    assert.ok(abandoned(f.get(71)!));
  });

  test('supervisord from its whole argv: python3 -s /usr/bin/supervisord, python3 -m supervisor.supervisord', () => {
    for (const argv of [['/usr/bin/python3', '-s', '/usr/bin/supervisord', '-n'], ['python3', '-m', 'supervisor.supervisord', '-c', '/etc/s.conf']]) {
      const f = run([init, proc(30, 1, argv), proc(31, 30, FF('s'))], ports({ 31: svd('cam') }));
      assert.equal(f.get(31)!.owner!.alive, true, argv.join(' '));
      assert.equal(f.get(31)!.owner!.pid, 30);
    }
  });
});

describe('replaced needs two app processes of one live daemon (item 2)', () => {
  const daemon = proc(10, 1, ['PM2 v7.0.4: God Daemon (/srv/.pm2)']);
  test('one app that spawns one ffmpeg per camera: none is a replacement of another', () => {
    const f = run([init, daemon, proc(20, 10, ['node', '/srv/cams.js']), proc(30, 20, FF('cam1'), { ageMs: 900_000 }), proc(31, 20, FF('cam2'), { ageMs: 1000 })],
      ports({ 30: pm2('cams', '0'), 31: pm2('cams', '0') }));
    for (const pid of [30, 31]) {
      assert.equal(f.get(pid)!.owner!.alive, true);
      assert.deepEqual(f.get(pid)!.flags, [], `${pid}: ${JSON.stringify(f.get(pid)!.reasons)}`);
    }
  });
  test('two app processes of the daemon in one slot: the older app\'s workers are replaced, the newer\'s not', () => {
    const f = run([
      init, daemon,
      proc(20, 10, ['node', '/srv/cams.js'], { ageMs: 900_000 }), proc(30, 20, FF('cam1'), { ageMs: 900_000 }), proc(31, 20, FF('cam2'), { ageMs: 900_000 }),
      proc(21, 10, ['node', '/srv/cams.js'], { ageMs: 1000 }), proc(32, 21, FF('cam1'), { ageMs: 1000 }),
    ], ports({ 30: pm2('cams', '0'), 31: pm2('cams', '0'), 32: pm2('cams', '0') }));
    for (const pid of [30, 31]) assert.match(f.get(pid)!.reasons.abandoned ?? '', /replaced: the same slot now runs as PID 21, and this one's older app process 20 \(node\) was left behind/);
    assert.ok(!abandoned(f.get(32)!));
  });
});

describe('slots are per supervisor instance (item 3)', () => {
  const A = 'a'.repeat(64);
  const B = 'b'.repeat(64);
  const cg = (id: string): Evidence['cgroup'] => ({ path: `/system.slice/docker-${id}.scope`, unit: null, container: { runtime: 'docker', id, pod: null }, userManager: null });
  test('two containers, each PM2 /root/.pm2 with app id 0 and the same argv: neither replaced, neither duplicate', () => {
    const title = ['PM2 v5.3.0: God Daemon (/root/.pm2)'];
    const f = run([init, proc(10, 1, title), proc(11, 10, FF('same'), { ageMs: 900_000 }), proc(20, 1, title), proc(21, 20, FF('same'), { ageMs: 1000 })],
      ports({ 11: pm2('cam', '0', '/root/.pm2'), 21: pm2('cam', '0', '/root/.pm2') }, { 11: cg(A), 21: cg(B) }));
    for (const pid of [11, 21]) assert.deepEqual(f.get(pid)!.flags, [], `${pid}: ${JSON.stringify(f.get(pid)!.reasons)}`);
  });
  test('two MediaMTX instances with the same path: neither replaced', () => {
    const f = run([init, proc(10, 1, ['/usr/local/bin/mediamtx', '/a.yml']), proc(11, 10, FF('same'), { ageMs: 900_000 }), proc(20, 1, ['/usr/local/bin/mediamtx', '/b.yml']), proc(21, 10, FF('other'), { ageMs: 1000 }), proc(22, 20, FF('same'), { ageMs: 1000 })],
      ports({ 11: { mtxPath: 'cam1' }, 21: { mtxPath: 'cam2' }, 22: { mtxPath: 'cam1' } }));
    for (const pid of [11, 21, 22]) assert.deepEqual(f.get(pid)!.flags, [], `${pid}: ${JSON.stringify(f.get(pid)!.reasons)}`);
  });
});

describe('systemd: user units and units the manager does not know (item 5)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  test('a service under user@UID.service is the user manager\'s; the user manager itself is a system unit', () => {
    assert.deepEqual(parseCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/cam.service\n'), {
      path: '/user.slice/user-1000.slice/user@1000.service/app.slice/cam.service', unit: 'cam.service', container: null, userManager: 1000,
    });
    const self = parseCgroup('0::/user.slice/user-1000.slice/user@1000.service/init.scope\n')!;
    assert.deepEqual([self.unit, self.userManager], ['user@1000.service', null]);
    assert.equal(parseCgroup('0::/system.slice/cam.service\n')!.userManager, null);
  });
  test('a user unit is unknown and never asked of the system manager; LoadState=not-found is unknown', () => {
    const user = parseCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/cam.service\n');
    const asked: string[] = [];
    const unitStates = (u: readonly string[]): Map<string, string | null> => {
      asked.push(...u);
      return new Map(u.map((x) => [x, x === 'gone.service' ? 'not-found' : 'inactive']));
    };
    const sys = parseCgroup('0::/system.slice/gone.service\n');
    const f = run([init, proc(80, 1, FF('u'), { sid: 80 }), proc(81, 1, FF('g'), { sid: 81 })], ports({}, { 80: user, 81: sys }, { unitStates }));
    assert.deepEqual(asked, ['gone.service']);
    for (const pid of [80, 81]) {
      assert.equal(f.get(pid)!.owner!.alive, null, `${pid}`);
      assert.ok(!abandoned(f.get(pid)!), `${pid}: ${JSON.stringify(f.get(pid)!.reasons)}`);
    }
    assert.match(f.get(80)!.owner!.reason, /systemd user unit cam.service \(user@1000.service\)/);
    assert.match(f.get(81)!.owner!.reason, /LoadState=not-found/);
  });
  test('systemdUnitStates asks for LoadState and maps not-found (systemctl stub: systemd is not PID 1 here)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'psw-sysctl-'));
    dirs.push(dir);
    // Answers as systemctl show does: an unknown unit exits 0 with LoadState=not-found, ActiveState=inactive.
    writeFileSync(join(dir, 'systemctl'), `#!/bin/sh
case "$*" in *--property=LoadState*) ;; *) exit 1;; esac
printf 'Id=cam.service\\nLoadState=loaded\\nActiveState=failed\\n\\nId=gone.service\\nLoadState=not-found\\nActiveState=inactive\\n'
`);
    chmodSync(join(dir, 'systemctl'), 0o755);
    const states = systemdUnitStates(['cam.service', 'gone.service'], { ...process.env, PATH: `${dir}:${process.env.PATH}` });
    assert.deepEqual([...states], [['cam.service', 'failed'], ['gone.service', 'not-found']]);
  });
});
