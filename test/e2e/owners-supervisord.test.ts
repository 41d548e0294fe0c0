import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, cli, ffmpegArgs, pidsWith, Scope, waitFor } from '../helpers/procs.js';
import { descendants } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// Real supervisord (Debian's supervisor) with a private config, unix socket and pidfile in a temp
// dir whose path carries the marker (so supervisord's own command line carries it too). Two
// programs: a plain ffmpeg and a `sh -c` restart loop around one.
const scope = new Scope();
const dirs: string[] = [];
after(() => {
  scope.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const q = (args: string[]): string => args.map((a) => `'${a}'`).join(' ');
const ffmpegs = (mark: string): number[] => pidsWith(mark).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'ffmpeg';
  } catch {
    return false;
  }
});

describe('supervisord: the owner names the program', { skip: needs('supervisord', 'ffmpeg') }, () => {
  test('while supervisord lives its programs are owned and alive; after SIGKILL they are abandoned (program named, socket gone) and the default sweep removes both', async () => {
    const mark = scope.mark('svd');
    const dir = mkdtempSync(join(tmpdir(), `psw-svd-${mark}-`));
    dirs.push(dir);
    const sock = join(dir, 'sup.sock');
    writeFileSync(join(dir, 'supervisord.conf'), [
      '[unix_http_server]', `file=${sock}`,
      '[supervisord]', `pidfile=${join(dir, 'supervisord.pid')}`, `logfile=${join(dir, 'supervisord.log')}`, `childlogdir=${dir}`, 'nodaemon=false',
      '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[program:cam1]', `command=ffmpeg ${ffmpegArgs(`${mark}-cam1`).join(' ')}`,
      '[program:loop]', `command=sh -c "while true; do ffmpeg ${q(ffmpegArgs(`${mark}-loop`))}; sleep 1; done"`,
      '',
    ].join('\n'));
    const r0 = spawnSync('supervisord', ['-c', join(dir, 'supervisord.conf')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r0.status, 0, r0.stderr);
    assert.ok(await waitFor(() => ffmpegs(mark).length === 2, 20_000), 'both programs run');
    const supervisord = Number(readFileSync(join(dir, 'supervisord.pid'), 'utf8').trim());
    const cam1 = ffmpegs(`${mark}-cam1`)[0];
    const loopFfmpeg = ffmpegs(`${mark}-loop`)[0];
    const loop = pidsWith(`${mark}-loop`).find((p) => descendants(p).includes(loopFfmpeg) && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sh')!;
    assert.ok(loop, 'the sh -c loop');

    const doc = new Map<number, any>(cli(['list', '--json', '--args', mark]).json().processes.map((p: any) => [p.pid, p]));
    assert.deepEqual(doc.get(cam1).owner, { kind: 'supervisord', name: 'cam1', pid: supervisord, alive: true, reason: `supervisord program cam1: supervisord ${supervisord} (unix://${sock}) runs it` });
    assert.equal(doc.get(loop).owner.name, 'loop');
    assert.equal(doc.get(loop).role, 'wrapper');
    assert.equal(doc.get(loopFfmpeg).owner.name, 'loop');
    for (const p of [cam1, loop, loopFfmpeg]) assert.deepEqual(doc.get(p).flags, []);
    assert.deepEqual(cli(['list', '--json', '--args', mark, '--owner', 'supervisord:cam1']).json().processes.map((p: any) => p.pid), [cam1]);

    process.kill(supervisord, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(supervisord)));
    const gone = new Map<number, any>(cli(['list', '--json', '--args', mark]).json().processes.map((p: any) => [p.pid, p]));
    for (const [p, prog] of [[cam1, 'cam1'], [loop, 'loop']] as const) {
      const rec = gone.get(p);
      assert.ok(rec.flags.includes('abandoned'), `${p}: ${JSON.stringify(rec.flags)}`);
      assert.equal(rec.owner.name, prog);
      assert.equal(rec.owner.alive, false);
      assert.equal(rec.reasons.abandoned, `supervisord program ${prog} (unix://${sock}): the supervisord that started it is gone; nothing listens on ${sock} any more`);
    }
    const r = cli(['sweep', '-y', '--json', '--args', mark, '--lock-file', join(dir, 'sweep.lock')]);
    assert.equal(r.code, 0, r.stderr);
    const swept = r.json().targets.map((t: any) => t.pid);
    for (const p of [cam1, loop, loopFfmpeg]) assert.ok(swept.includes(p), `${p} in the sweep`);
    assert.ok(await waitFor(() => [cam1, loop, loopFfmpeg].every((p) => !alive(p))));
    assert.ok(await waitFor(() => ffmpegs(mark).length === 0), 'the loop did not respawn');
  });
});
