// Seed 004, the MediaMTX manager: each camera's ffmpeg runs inside
// `sh -c 'while true; do ffmpeg ...; sleep 2; done'` so it reconnects by itself. Before that fix,
// restarting a stream killed only the shell it knew about, and the old ffmpeg lived on next to
// the new one; after two hours the leaked copies had eaten the sockets. Here camera 1's previous
// loop was stopped that way, leaving a duplicate of its live ffmpeg. procsweep flags the copy,
// removes it without touching the live stream, and stops one camera's loop as a unit (the shell
// can never respawn it), leaving the other cameras alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { alive, childrenOf, cmdline, crash, entry, ffmpegTiny, freeUdpPorts, needs, pidsWith, procState, requireCommand, shq, Stage, staysGone, waitFor } from './stage.js';

interface Camera {
  name: string;
  /** The exact ffmpeg argv the loop runs (a duplicate has the very same). */
  argv: string[];
  shell: number;
  ffmpeg: number;
}

describe('scenario 3: MediaMTX restart loops and a leaked duplicate ffmpeg (seed 004)', { skip: needs('ffmpeg'), timeout: 60_000 }, () => {
  const stage = new Stage('mediamtx');
  const cams: Camera[] = [];
  let leaked = 0;

  /** Starts one camera's restart loop, as the manager does, and waits for its ffmpeg. */
  async function startLoop(name: string, argv: string[]): Promise<Camera> {
    const script = `while true; do ${shq(argv)}; sleep 2; done`;
    const shell = stage.spawn('sh', ['-c', script]).pid!;
    let ffmpeg = 0;
    assert.ok(await waitFor(() => ([ffmpeg] = childrenOf(shell, 'ffmpeg')).length > 0 && ffmpeg > 0), `${name}: loop started ffmpeg`);
    return { name, argv, shell, ffmpeg };
  }

  before(async () => {
    const ports = await freeUdpPorts(3);
    const argvFor = (i: number): string[] => ['ffmpeg', ...ffmpegTiny(`${stage.mark}-cam${i}`, ['-f', 'mpegts', `udp://127.0.0.1:${ports[i]}?pkt_size=1316`])];
    // Camera 0's loop as the old manager restarted it: it killed the shell and nothing else.
    const old = await startLoop('cam0-old', argvFor(0));
    await crash(old.shell);
    leaked = old.ffmpeg;
    assert.ok(await waitFor(() => procState(leaked)?.ppid !== old.shell), 'the old ffmpeg lost its shell');
    for (let i = 0; i < 3; i++) cams.push(await startLoop(`cam${i}`, argvFor(i)));
  });
  after(() => stage.cleanup());

  test('the old loop\'s ffmpeg still runs, with the very argv of camera 0\'s live one', () => {
    assert.ok(alive(leaked));
    assert.equal(cmdline(leaked), cmdline(cams[0].ffmpeg));
    assert.equal(cmdline(leaked), cams[0].argv.join(' '));
  });

  test('list flags the leaked copy as duplicate (and orphan); the live streams carry no flag', () => {
    const doc = stage.list();
    const dup = entry(doc, leaked);
    assert.deepEqual([...dup.flags].sort(), ['duplicate', 'orphan']);
    assert.match(dup.reasons.duplicate, new RegExp(`PID ${cams[0].ffmpeg}\\b`));
    for (const cam of cams) {
      const sh = entry(doc, cam.shell);
      assert.equal(sh.role, 'wrapper', `${cam.name}'s shell is a wrapper`);
      assert.equal(sh.signature, 'ffmpeg');
      assert.deepEqual(entry(doc, cam.ffmpeg).flags, [], `${cam.name}'s live ffmpeg`);
      assert.equal(entry(doc, cam.ffmpeg).ppid, cam.shell);
    }
    assert.equal(stage.psw(['list', '--check', '--args', stage.mark]).code, 1, '--check reports the duplicate');
  });

  test('watch --expect does the seed\'s arithmetic: 3 cameras are 6 processes (shell + ffmpeg each); the leaked copy makes 7', () => {
    requireCommand(['watch'], 'the watch helper');
    const r = stage.psw(['watch', '--json', '--interval', '200ms', '--count', '2', '--args', stage.mark, '--expect', 'ffmpeg=6']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const tick = lines.find((l) => l.type === 'tick');
    assert.equal(tick.signatures.ffmpeg.total, 7, JSON.stringify(tick.signatures));
    const alarm = lines.find((l) => l.event === 'alarm' && l.alarm.kind === 'expect');
    assert.ok(alarm, r.stdout);
    assert.match(alarm.alarm.reason, /ffmpeg: 7 processes running, 1 more than the 6 expected \(--expect ffmpeg=6\)/);
  });

  test('sweep --target duplicates removes the leaked copy only', async () => {
    requireCommand(['sweep'], 'the engine helper');
    const r = stage.psw(['sweep', '--target', 'duplicates', '-y', '--json', '--grace', '2s', '--args', stage.mark, '--lock-file', stage.lockFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().targets.map((t: { pid: number }) => t.pid), [leaked]);
    assert.ok(await waitFor(() => !alive(leaked)));
    for (const cam of cams) assert.ok(alive(cam.shell) && alive(cam.ffmpeg), `${cam.name} untouched`);
  });

  test('kill-group on camera 0\'s shell stops its loop for good: no respawn within 5 s', async () => {
    requireCommand(['kill-group'], 'the engine helper');
    const cam = cams[0];
    assert.equal(procState(cam.ffmpeg)?.pgid, cam.shell, 'the loop is one process group');
    // kill-group names its targets by PID, all of them this scenario's own; it takes no sweep lock.
    const r = stage.psw(['kill-group', String(cam.shell), '-y', '--json', '--grace', '2s', '--lock-file', stage.lockFile]);
    assert.equal(r.code, 0, r.stderr);
    const pids = r.json().targets.map((t: { pid: number }) => t.pid).sort();
    assert.deepEqual(pids, [cam.shell, cam.ffmpeg].sort());
    assert.ok(await waitFor(() => !alive(cam.shell) && !alive(cam.ffmpeg)));
    // (The leaked copy carries camera 0's tag too; the previous step owns its fate.)
    const respawned = await staysGone(() => pidsWith(`${stage.mark}-cam0`).filter((pid) => pid !== leaked), 5000);
    assert.deepEqual(respawned, [], 'nothing of camera 0 came back');
  });

  test('cameras 1 and 2 were never touched: same shells, same ffmpegs', () => {
    for (const cam of cams.slice(1)) {
      assert.ok(alive(cam.shell), `${cam.name} shell`);
      assert.ok(alive(cam.ffmpeg), `${cam.name} ffmpeg (not a respawned one)`);
      assert.deepEqual(childrenOf(cam.shell, 'ffmpeg'), [cam.ffmpeg]);
    }
  });
});
