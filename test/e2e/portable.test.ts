import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needs } from '../helpers/needs.js';
import { alive, cli, ffmpegArgs, LOCK_ARGS, pidsWith, privateWorld, waitFor } from '../helpers/procs.js';
import { descendants, markedSleep, sleeperOrphan } from '../helpers/workers.js';

// The portable backend (`--backend portable`: ps for reading, tree-kill for frozen trees) acting
// for real on Linux. Every command is scoped by a marker, a private --lock-file or --pid-dir; every
// worker is one this file started, in a session of its own.
const { dir, scope, lockFile } = privateWorld('port');
const P = ['--backend', 'portable'];
const q = (args: string[]): string => args.map((a) => `'${a}'`).join(' ');

/** Start time of a live process as epoch ms, the way ps tells it (to the second). */
function psStartMs(pid: number): number {
  const out = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, encoding: 'utf8' }).stdout.trim();
  return Date.parse(`${out} UTC`);
}

describe('--backend portable acts', () => {
  test('sweep: orphans are frozen, terminated or killed, and verified; the plan names what portable does differently', async () => {
    const mark = scope.mark('port');
    const path = markedSleep(dir, mark);
    const calm = await sleeperOrphan(scope, path);
    const deaf = await sleeperOrphan(scope, path, { ignoreTerm: true });
    const scoped = ['--signature', `stub=${mark}`, '--args', mark, '--lock-file', lockFile(), ...P];
    assert.ok(await waitFor(() => pidsWith(mark).length === 2));
    const dry = cli(['sweep', '-n', ...scoped]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /note portable backend: identity is the PID, the start second and the command line/);
    assert.ok(alive(calm) && alive(deaf), 'a dry run signals nothing');
    const r = cli(['sweep', '-y', '--json', '--grace', '300ms', ...scoped]);
    assert.equal(r.code, 0, r.stderr);
    const by = new Map<number, any>(r.json().targets.map((t: any) => [t.pid, t]));
    assert.equal(by.get(calm).outcome, 'terminated', by.get(calm).reason);
    assert.deepEqual(by.get(calm).signals.slice(0, 2), ['SIGSTOP', 'SIGTERM']);
    assert.equal(by.get(deaf).outcome, 'killed', by.get(deaf).reason);
    assert.deepEqual(by.get(deaf).signals, ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL']);
    assert.match(by.get(deaf).reason, /outlived SIGTERM for 300ms; SIGKILL ended it/);
    assert.equal(r.json().summary.killed, 1);
    assert.ok(!alive(calm) && !alive(deaf));
  });

  test('sweep: a TERM-ignoring sh -c restart loop is frozen whole, killed through tree-kill, and never respawns', { skip: needs('ffmpeg') }, async () => {
    const mark = scope.mark('portloop');
    const wrapper = await scope.orphan('sh', ['-c', `trap "" TERM; while true; do ffmpeg ${q(ffmpegArgs(mark))}; sleep 0.2; done`]);
    assert.ok(await waitFor(() => descendants(wrapper).length > 0));
    const r = cli(['sweep', '-y', '--json', '--grace', '300ms', '--args', mark, '--lock-file', lockFile(), ...P]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(doc.targets[0].pid, wrapper);
    assert.ok(doc.targets.length >= 2, 'the wrapper and its ffmpeg');
    const w = doc.targets[0];
    assert.equal(w.outcome, 'killed', w.reason);
    assert.match(w.reason, /sent to its frozen tree by tree-kill/);
    for (const t of doc.targets) assert.match(t.outcome, /^(terminated|killed)$/, `${t.pid}: ${t.reason}`);
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      assert.deepEqual(pidsWith(mark), [], 'something of the loop is alive');
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  test('kill-group: a TERM-ignoring group and its trees, killed and verified', async () => {
    const mark = scope.mark('portkg');
    const s = markedSleep(dir, mark);
    const root = scope.spawn('sh', ['-c', 'trap "" TERM; "$0" 300 & sh -c "trap \\"\\" TERM; \\"$0\\" 300; true" "$0" & wait', s], { detached: true }).pid!;
    assert.ok(await waitFor(() => descendants(root).length >= 3));
    const tree = [root, ...descendants(root)];
    const r = cli(['kill-group', '-y', '--json', '--grace', '300ms', ...LOCK_ARGS, String(root), ...P]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.deepEqual(doc.targets.map((t: any) => t.pid).sort(), [...tree].sort());
    for (const t of doc.targets) assert.match(t.outcome, /^(terminated|killed)$/, `${t.pid}: ${t.reason}`);
    assert.equal(doc.targets.find((t: any) => t.pid === root).outcome, 'killed');
    for (const p of tree) assert.ok(await waitFor(() => !alive(p)), `${p} alive`);
  });

  test('pidfiles clean --kill: the live record is killed, a reused PID is never signalled', { skip: needs('ffmpeg') }, async () => {
    const mark = scope.mark('portpid');
    const pids = join(dir, 'pids');
    mkdirSync(pids);
    const live = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-live`), { detached: true }).pid!;
    const bystander = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-bystander`), { detached: true }).pid!;
    const ok = (p: number): boolean => existsSync(`/proc/${p}/cmdline`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark);
    assert.ok(await waitFor(() => ok(live) && ok(bystander)));
    writeFileSync(join(pids, 'cam1_ffmpeg.pid'), `${live}\n${psStartMs(live) + 100}\n`);
    // Written ten minutes before the process holding the PID started: that PID was reused.
    writeFileSync(join(pids, 'cam2_ffmpeg.pid'), `${bystander}\n${psStartMs(bystander) - 600_000}\n`);
    const r = cli(['pidfiles', 'clean', '--kill', '-y', '--json', '--grace', '1s', ...LOCK_ARGS, '--pid-dir', pids, ...P]);
    assert.equal(r.code, 0, r.stderr);
    const by = new Map<string, any>(r.json().pidfiles.map((p: any) => [p.path.slice(pids.length + 1), p]));
    assert.equal(by.get('cam1_ffmpeg.pid').status, 'live');
    assert.match(by.get('cam1_ffmpeg.pid').action, /^(terminated|killed)$/, 'its process was ended, then its record removed');
    assert.equal(by.get('cam1_ffmpeg.pid').action, by.get('cam1_ffmpeg.pid').outcome);
    assert.equal(by.get('cam2_ffmpeg.pid').status, 'reused');
    assert.equal(by.get('cam2_ffmpeg.pid').action, 'removed');
    assert.ok(await waitFor(() => !alive(live)));
    assert.ok(alive(bystander), 'the process holding a reused PID was signalled');
  });
});
