import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classify } from '../../src/core/decide/classify.js';
import { parseCgroup, parseCgroupPath } from '../../src/core/read/owner/cgroup.js';
import { parseEnviron, parseEnvironBytes } from '../../src/core/read/owner/environ.js';
import type { OwnerPorts } from '../../src/core/read/owner/resolve.js';
import { parseOwnerSpec } from '../../src/core/read/owner/select.js';
import type { Evidence, EnvInfo } from '../../src/core/read/owner/types.js';
import { UsageError } from '../../src/core/errors.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { Finding, ProcessInfo } from '../../src/core/types.js';
import { proc, snap } from '../helpers/snapshot.js';

const ID = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);

describe('cgroup', () => {
  test('v2 and v1 name=systemd lines name a service unit; / names nothing', () => {
    assert.equal(parseCgroup('0::/system.slice/cam-ingest.service\n')!.unit, 'cam-ingest.service');
    assert.equal(parseCgroup('12:pids:/\n1:name=systemd:/system.slice/mediamtx.service\n0::/\n')!.unit, 'mediamtx.service');
    assert.equal(parseCgroup('1:name=systemd:/\n0::/\n'), null);
    assert.equal(parseCgroup('0::/user.slice/user-1000.slice/session-3.scope\n'), null, 'a login session scope is not an owner');
  });
  test('equal cgroup texts give one frozen result (parsed once, shared by the workers of a unit), and the cache stays bounded', () => {
    const text = `0::/system.slice/docker-${ID}.scope\n`;
    const a = parseCgroup(text)!;
    assert.equal(parseCgroup(`${text}`), a);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.container));
    assert.throws(() => ((a as { unit: string | null }).unit = 'x'), TypeError);
    for (let i = 0; i < 2000; i++) parseCgroup(`0::/system.slice/u${i}.service\n`);
    assert.equal(parseCgroup(`0::/system.slice/u1999.service\n`)!.unit, 'u1999.service');
    assert.deepEqual(parseCgroup(text), a, 'after the cache was cleared, the same answer');
  });
  test('container scopes: docker (both drivers), containerd/CRI with its pod, CRI-O, podman', () => {
    assert.deepEqual(parseCgroupPath(`/system.slice/docker-${ID}.scope`).container, { runtime: 'docker', id: ID, pod: null });
    assert.deepEqual(parseCgroupPath(`/docker/${ID}`).container, { runtime: 'docker', id: ID, pod: null });
    const k = parseCgroupPath(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e3d4c_5b6a_7980_a1b2_c3d4e5f60718.slice/cri-containerd-${ID}.scope`);
    assert.deepEqual(k.container, { runtime: 'containerd', id: ID, pod: '1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718' });
    assert.equal(parseCgroupPath(`/kubepods/besteffort/pod1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718/${ID}`).container!.pod, '1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718');
    assert.equal(parseCgroupPath(`/machine.slice/libpod-${ID}.scope`).container!.runtime, 'podman');
    assert.equal(parseCgroupPath(`/system.slice/crio-${ID}.scope`).container!.runtime, 'cri-o');
    // A service inside the container is the container's business.
    assert.equal(parseCgroupPath(`/system.slice/docker-${ID}.scope/system.slice/nginx.service`).unit, null);
  });
});

describe('environ', () => {
  test('PM2 keys only with both PM2_HOME and pm_id; a shell that ran the pm2 CLI is not PM2\'s', () => {
    assert.deepEqual(parseEnviron('PATH=/bin\0name=cam1\0PM2_HOME=/root/.pm2\0pm_id=0\0'), { pm2Name: 'cam1', pm2Home: '/root/.pm2', pmId: '0' });
    assert.deepEqual(parseEnviron('PM2_HOME=/root/.pm2\0name=x\0'), {});
  });
  test('supervisord, MediaMTX, systemd and PROCSWEEP_KEEP', () => {
    const e = parseEnviron('SUPERVISOR_ENABLED=1\0SUPERVISOR_SERVER_URL=unix:///tmp/s.sock\0SUPERVISOR_PROCESS_NAME=cam1\0SUPERVISOR_GROUP_NAME=cam1\0MTX_PATH=cam/1\0INVOCATION_ID=abc\0PROCSWEEP_KEEP=1');
    assert.deepEqual(e, { supervisorUrl: 'unix:///tmp/s.sock', supervisorProcess: 'cam1', supervisorGroup: 'cam1', mtxPath: 'cam/1', invocationId: 'abc', keep: true });
    assert.equal(parseEnviron('PROCSWEEP_KEEP=0\0').keep, false);
  });
  test('the byte parser gives what decoding the whole text and splitting it gave, bad UTF-8 included', () => {
    // The text form this replaced, kept here as the reference.
    const KEYS: Record<string, keyof EnvInfo> = { PM2_HOME: 'pm2Home', pm_id: 'pmId', name: 'pm2Name', SUPERVISOR_PROCESS_NAME: 'supervisorProcess', SUPERVISOR_GROUP_NAME: 'supervisorGroup', SUPERVISOR_SERVER_URL: 'supervisorUrl', MTX_PATH: 'mtxPath', INVOCATION_ID: 'invocationId' };
    const reference = (text: string): EnvInfo => {
      const out: EnvInfo = {};
      for (const entry of text.split('\0')) {
        const eq = entry.indexOf('=');
        if (eq <= 0) continue;
        const key = entry.slice(0, eq);
        if (key === 'PROCSWEEP_KEEP') out.keep = entry.slice(eq + 1) === '1';
        else if (Object.hasOwn(KEYS, key)) (out as Record<string, string>)[KEYS[key]] = entry.slice(eq + 1);
      }
      if (out.pmId === undefined || out.pm2Home === undefined) {
        delete out.pm2Home;
        delete out.pmId;
        delete out.pm2Name;
      }
      return out;
    };
    const pieces = ['PM2_HOME=/h', 'pm_id=3', 'name=caf\u00e9', 'name=x=y', '=name', 'name', 'MTX_PATH=', 'PROCSWEEP_KEEP=1', 'PROCSWEEP_KEEP=0', 'INVOCATION_ID=\u2603', 'pm_idx=1', 'SUPERVISOR_GROUP_NAME=g', 'PATH=/bin'];
    const bad = [Buffer.from([0xff]), Buffer.from([0xe2, 0x98]), Buffer.from([0xc3]), Buffer.from('=', 'latin1'), Buffer.from([0])];
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let round = 0; round < 400; round++) {
      const parts: Buffer[] = [];
      for (let k = rnd(8); k >= 0; k--) {
        parts.push(Buffer.from(pieces[rnd(pieces.length)], 'utf8'));
        if (rnd(3) === 0) parts.push(bad[rnd(bad.length)]);
        if (rnd(4) !== 0) parts.push(Buffer.from([0]));
      }
      const bytes = Buffer.concat(parts);
      assert.deepEqual(parseEnvironBytes(bytes), reference(bytes.toString('utf8')), JSON.stringify(bytes.toString('latin1')));
    }
  });
});

test('--owner KIND[:NAME] is validated', () => {
  assert.deepEqual(parseOwnerSpec('pm2:cam1'), { kind: 'pm2', name: 'cam1' });
  assert.deepEqual(parseOwnerSpec('systemd'), { kind: 'systemd', name: undefined });
  assert.throws(() => parseOwnerSpec('docker:x'), (e: unknown) => e instanceof UsageError && /unknown kind 'docker'/.test(e.message));
  assert.throws(() => parseOwnerSpec('pm2:'), UsageError);
});

const FF = (tag: string): string[] => ['ffmpeg', '-i', 'testsrc', '-f', 'null', tag];
const DAEMON = ['PM2 v7.0.4: God Daemon (/srv/.pm2)                 '];

function ports(env: Record<number, EnvInfo>, cg: Record<number, Evidence['cgroup']> = {}, extra: Partial<OwnerPorts> = {}): OwnerPorts {
  return { evidence: (p) => ({ env: env[p.pid] ?? {}, cgroup: cg[p.pid] ?? null }), pm2Pid: () => 4711, ...extra };
}
function run(procs: ProcessInfo[], p: OwnerPorts, opts: Parameters<typeof classify>[1]['ownership'] extends infer O ? Partial<NonNullable<O>> : never = {}): Map<number, Finding> {
  return new Map(classify(snap(procs), { signatures: BUILTIN_SIGNATURES, ownership: { ports: p, ...opts } }).map((f) => [f.proc.pid, f]));
}
const pm2 = (name: string, id: string): EnvInfo => ({ pm2Home: '/srv/.pm2', pmId: id, pm2Name: name });

describe('owners and what follows', () => {
  test('three PM2 apps with one command line under a live daemon: owned, alive, never duplicate', () => {
    const f = run([proc(1, 0, ['init']), proc(100, 1, DAEMON), proc(201, 100, FF('x')), proc(202, 100, FF('x')), proc(203, 100, FF('x'))],
      ports({ 201: pm2('cam1', '0'), 202: pm2('cam2', '1'), 203: pm2('cam3', '2') }));
    for (const pid of [201, 202, 203]) {
      assert.deepEqual(f.get(pid)!.flags, [], `${pid}: ${JSON.stringify(f.get(pid)!.reasons)}`);
      assert.equal(f.get(pid)!.owner!.alive, true);
      assert.equal(f.get(pid)!.owner!.pid, 100);
    }
    assert.equal(f.get(201)!.owner!.name, 'cam1');
  });

  test('a daemon title the kernel cut short still names its home; another home\'s daemon is not its daemon (liveness unknown)', () => {
    const cut = ['PM2 v7.0.4: God Daemon (/srv/.p'];
    const f = run([proc(1, 0, ['init']), proc(100, 1, cut), proc(201, 100, FF('x')), proc(400, 1, ['PM2 v7.0.4: God Daemon (/other)']), proc(401, 400, FF('y'))],
      ports({ 201: pm2('cam1', '0'), 401: pm2('cam9', '0') }));
    assert.equal(f.get(201)!.owner!.alive, true);
    assert.equal(f.get(401)!.owner!.alive, null, 'its chain is alive through a daemon of another home: unknown, not gone');
    assert.ok(!f.get(401)!.flags.includes('abandoned'));
  });

  test('the daemon gone: abandoned, the reason names the app and the daemon from pm2.pid', () => {
    const f = run([proc(1, 0, ['init']), proc(201, 1, FF('x')), proc(202, 1, FF('x'))], ports({ 201: pm2('cam1', '0'), 202: pm2('cam2', '1') }));
    assert.deepEqual(f.get(201)!.flags, ['detached', 'abandoned']);
    assert.equal(f.get(201)!.reasons.abandoned, 'PM2 app cam1 (id 0): PM2 daemon 4711 (PM2_HOME /srv/.pm2) is gone');
    assert.equal(f.get(201)!.owner!.alive, false);
  });

  test('after pm2 resurrect: only the old apps are abandoned (a new daemon that is not their ancestor)', () => {
    const f = run([proc(1, 0, ['init']), proc(201, 1, FF('x')), proc(300, 1, DAEMON), proc(301, 300, FF('x'))], ports({ 201: pm2('cam1', '0'), 301: pm2('cam1', '0') }, {}, { pm2Pid: () => 300 }));
    assert.ok(f.get(201)!.flags.includes('abandoned'));
    assert.match(f.get(201)!.reasons.abandoned!, /daemon 300 .* runs now but did not start it/);
    assert.deepEqual(f.get(301)!.flags, []);
  });

  test('two workers in one slot under a live owner: the older is abandoned (replaced), the newer not', () => {
    const sup = ['/usr/bin/python3', '/usr/bin/supervisord', '-c', '/etc/s.conf'];
    const env = { supervisorProcess: 'cam1', supervisorUrl: 'unix:///run/s.sock' };
    const f = run([proc(1, 0, ['init']), proc(50, 1, sup), proc(60, 50, FF('y'), { ageMs: 900_000 }), proc(61, 50, FF('y'), { ageMs: 1000 })], ports({ 60: env, 61: env }));
    assert.ok(f.get(60)!.flags.includes('abandoned'));
    assert.match(f.get(60)!.reasons.abandoned!, /replaced: the same slot now runs as PID 61/);
    assert.ok(!f.get(61)!.flags.includes('abandoned'));
  });

  test('supervisord gone: abandoned, and whether its socket still has a listener', () => {
    const env = { supervisorProcess: 'loop', supervisorUrl: 'unix:///tmp/x/sup.sock' };
    const f = run([proc(1, 0, ['init']), proc(70, 1, ['sh', '-c', 'while :; do ffmpeg -i x -f null -; done'], { sid: 40, pgid: 70 })], ports({ 70: env }, {}, { unixListeners: () => new Set() }));
    assert.equal(f.get(70)!.owner!.name, 'loop');
    assert.match(f.get(70)!.reasons.abandoned!, /supervisord program loop \(unix:\/\/\/tmp\/x\/sup.sock\): the supervisord that started it is gone; nothing listens on \/tmp\/x\/sup.sock/);
  });

  test('systemd unit state: failed is abandoned, unknown (no systemctl) is alive null', () => {
    const cg = { path: '/system.slice/cam-ingest.service', unit: 'cam-ingest.service', container: null, userManager: null };
    const procs = [proc(1, 0, ['init']), proc(80, 1, FF('z'), { sid: 80 })];
    const failed = run(procs, ports({}, { 80: cg }, { unitStates: (u) => new Map(u.map((x) => [x, 'failed'])) }));
    assert.ok(failed.get(80)!.flags.includes('abandoned'));
    assert.match(failed.get(80)!.reasons.abandoned!, /cam-ingest.service is failed, but this process is still in its cgroup/);
    const unknown = run(procs, ports({}, { 80: cg }));
    assert.equal(unknown.get(80)!.owner!.alive, null);
    assert.ok(!unknown.get(80)!.flags.includes('abandoned'));
  });

  test('keep rules: --keep, a config rule by unit, PROCSWEEP_KEEP=1; a kept loop keeps its worker', () => {
    const cg = { path: '/system.slice/archive.service', unit: 'archive.service', container: null, userManager: null };
    const f = run([
      proc(1, 0, ['init']),
      proc(90, 1, FF('manual'), { sid: 5 }),
      proc(91, 1, FF('env'), { sid: 5 }),
      proc(92, 1, FF('unit'), { sid: 5 }),
      proc(93, 1, ['sh', '-c', 'while :; do ffmpeg -i loop -f null -; done'], { sid: 5, pgid: 93 }),
      proc(94, 93, ['ffmpeg', '-i', 'loop', '-f', 'null', '-'], { sid: 5, pgid: 93 }),
      proc(95, 1, FF('plain'), { sid: 5 }),
    ], ports({ 91: { keep: true } }, { 92: cg }), { keep: [{ args: /manual/, source: '--keep manual' }, { unit: 'archive', source: 'keep[0] of c.json' }, { args: /while/, source: '--keep while' }] });
    assert.match(f.get(90)!.reasons.kept!, /--keep manual/);
    assert.match(f.get(91)!.reasons.kept!, /PROCSWEEP_KEEP=1/);
    assert.match(f.get(92)!.reasons.kept!, /keep\[0\] of c.json/);
    assert.match(f.get(94)!.reasons.kept!, /ancestor 93 \(sh\) is kept/);
    assert.ok(!f.get(95)!.flags.includes('kept'));
    assert.ok(f.get(90)!.flags.includes('orphan'), 'kept does not hide what it is');
  });

  test('--unit, --container and --owner narrow like --args', () => {
    const cg = (unit: string | null, id: string | null): Evidence['cgroup'] => ({ path: '/', unit, container: id ? { runtime: 'docker', id, pod: null } : null, userManager: null });
    const procs = [proc(1, 0, ['init']), proc(10, 1, FF('a'), { sid: 3 }), proc(11, 1, FF('b'), { sid: 3 }), proc(12, 1, FF('c'), { sid: 3 })];
    const p = ports({}, { 10: cg('cam-ingest.service', null), 11: cg(null, ID) });
    assert.deepEqual([...run(procs, p, { select: { unit: 'cam-ingest' } }).keys()], [10]);
    assert.deepEqual([...run(procs, p, { select: { container: ID.slice(0, 12) } }).keys()], [11]);
    assert.deepEqual([...run(procs, p, { select: { owner: { kind: 'container' } } }).keys()], [11]);
    assert.deepEqual([...run(procs, p, { select: { owner: { kind: 'systemd', name: 'cam-ingest.service' } } }).keys()], [10]);
  });

  test('a record whose owner is gone no longer counts as tracked', () => {
    const procs = [proc(1, 0, ['init']), proc(201, 1, FF('x'))];
    const f = new Map(classify(snap(procs), {
      signatures: BUILTIN_SIGNATURES,
      tracking: { entries: new Map([[201, { startTicks: 1201, source: '/srv/.pm2/pids/cam1-0.pid' }]]), sources: ['/srv/.pm2/pids'] },
      ownership: { ports: ports({ 201: pm2('cam1', '0') }) },
    }).map((x) => [x.proc.pid, x]));
    assert.ok(!f.get(201)!.flags.includes('tracked'));
    assert.match(f.get(201)!.reasons.untracked!, /named by \/srv\/.pm2\/pids\/cam1-0.pid, but its owner is gone: PM2 app cam1/);
  });
});

test('the OWNER cell: kind:name, ! when gone, escaped (a PM2 app name is anyone\'s text)', async () => {
  const { ownerLabel } = await import('../../src/render/owner.js');
  const { renderListTable } = await import('../../src/render/list.js');
  const { palette } = await import('../../src/render/palette.js');
  assert.equal(ownerLabel(null), '-');
  assert.equal(ownerLabel({ kind: 'pm2', name: 'cam1', pid: 1, alive: true, reason: '' }), 'pm2:cam1');
  assert.equal(ownerLabel({ kind: 'pm2', name: 'cam1', pid: null, alive: false, reason: '' }), 'pm2:cam1!');
  assert.equal(ownerLabel({ kind: 'systemd', name: null, pid: null, alive: null, reason: '' }), 'systemd');
  const f = run([proc(1, 0, ['init']), proc(201, 1, FF('x'))], ports({ 201: pm2('\u001b[2Jevil', '0') }));
  const table = renderListTable(snap([proc(201, 1, FF('x'))]), [...f.values()], null, palette(0));
  assert.match(table, /OWNER/);
  assert.match(table, /pm2:\?\[2Jevil!/);
  assert.doesNotMatch(table, /\u001b/);
});

test('the list footer counts abandoned and kept and offers the sweep preview for abandoned workers', async () => {
  const { renderListFooter } = await import('../../src/render/list.js');
  const { palette } = await import('../../src/render/palette.js');
  const { summarize } = await import('../../src/core/decide/list-report.js');
  const procs = [proc(1, 0, ['init']), proc(201, 1, FF('x')), proc(202, 1, FF('y'))];
  const f = run(procs, ports({ 201: pm2('cam1', '0'), 202: pm2('cam2', '1') }));
  const lines = renderListFooter(summarize(snap(procs), [...f.values()]), 2, palette(0));
  assert.match(lines[0], /2 abandoned/);
  assert.match(lines.join('\n'), /sweep -n.*preview removing 2 abandoned with their trees/);
});
