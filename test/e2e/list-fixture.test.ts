import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeTree } from '../fixtures/make-proc.js';
import { cli } from '../helpers/procs.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');

test('list --proc-root reads a fixture tree through the real binary', () => {
  const r = cli(['list', '--json', '--proc-root', ROOT]);
  assert.equal(r.code, 0, r.stderr);
  const doc = r.json();
  const pids = doc.processes.map((p: any) => p.pid);
  assert.deepEqual(pids, [101, 200, 201, 300, 401, 500, 501, 600, 601, 800, 901, 1001, 1100]);
  assert.deepEqual(doc.summary.flags.orphan, 5);
  assert.equal(doc.summary.signatures['srt-live-transmit'], 1);
  const zombie = doc.processes.find((p: any) => p.pid === 401);
  assert.equal(zombie.state, 'Z');
  assert.deepEqual(zombie.argv, []);
  assert.equal(zombie.rssBytes, 0);
});

test('--check exits 1 on suspects, 0 when the filter leaves none', () => {
  assert.equal(cli(['list', '--check', '--proc-root', ROOT]).code, 1);
  assert.equal(cli(['list', '--check', '--proc-root', ROOT, '--args', 'cam1/']).code, 0);
});

test('--flag filters; --config adds signatures and reapers', () => {
  const z = cli(['list', '--json', '--proc-root', ROOT, '--flag', 'zombie,detached']).json();
  assert.deepEqual(z.processes.map((p: any) => p.pid), [300, 401]);
  const custom = cli(['list', '--json', '--proc-root', ROOT, '--signature', 'probe=^ffprobe ']).json();
  const probe = custom.processes.find((p: any) => p.pid === 700);
  assert.equal(probe.signature, 'probe');
  assert.deepEqual(probe.flags, ['orphan']);
  const dir = mkdtempSync(join(tmpdir(), 'psw-cfg-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ reapers: ['node'], signatures: { probe: '^ffprobe ' } }));
  const viaConfig = cli(['list', '--json', '--proc-root', ROOT, '--config', cfg]).json();
  const byPid = new Map(viaConfig.processes.map((p: any) => [p.pid, p]));
  assert.equal((byPid.get(700) as any).signature, 'probe');
  // 101 is node's own child in node's session: a live supervisor's worker, never an orphan
  // (design.md section 4), even once node is configured as a reaper. What node adopted from a
  // session that is gone is one: a small tree of its own shows that.
  assert.deepEqual((byPid.get(101) as any).flags, [], 'a configured reaper\'s own child in its live session is not an orphan');
  const adopted = join(dir, 'proc');
  writeTree(adopted, [
    { pid: 1, comm: 'systemd', argv: ['/sbin/init'], ppid: 0, sid: 1, start: 1 },
    { pid: 100, comm: 'node', argv: ['node', '/srv/router/server.js'], ppid: 1, sid: 100, start: 500 },
    { pid: 101, comm: 'ffmpeg', argv: ['/usr/bin/ffmpeg', '-nostdin', '-i', 'rtsp://cam1/main', '-f', 'null', '-'], ppid: 100, pgid: 150, sid: 150, start: 600 },
  ]);
  const reaped = cli(['list', '--json', '--proc-root', adopted, '--config', cfg]).json();
  assert.deepEqual(reaped.processes.find((p: any) => p.pid === 101).flags, ['orphan'], 'a child a configured reaper adopted is an orphan');
  writeFileSync(cfg, JSON.stringify({ reaper: ['node'] }));
  const bad = cli(['list', '--proc-root', ROOT, '--config', cfg]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, new RegExp(`config ${cfg}: unknown key 'reaper'`));
});

test('colour follows FORCE_COLOR and --no-color', () => {
  const coloured = cli(['list', '--proc-root', ROOT], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.match(coloured.stdout, /\u001b\[/);
  const plain = cli(['list', '--proc-root', ROOT, '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.doesNotMatch(plain.stdout, /\u001b\[/);
});

test('the library sweep() plans exactly what `sweep -n` plans (one planner: planSweepOf)', async () => {
  const { sweep } = await import('../../src/index.js');
  for (const targets of [undefined, ['all']]) {
    const r = cli(['sweep', '-n', '--json', '--proc-root', ROOT, ...(targets ? ['--target', targets.join(',')] : [])]);
    assert.equal(r.code, 0, r.stderr);
    const { report } = await sweep({ procRoot: ROOT, dryRun: true, targets });
    const doc = r.json();
    assert.ok(doc.targets.length > 0, 'the fixture has something to sweep');
    assert.deepEqual(JSON.parse(JSON.stringify(report)), doc);
  }
});
