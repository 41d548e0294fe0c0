// Seed 000, the capture library: a capture host runs `ffmpeg -f lavfi ... -f mjpeg pipe:1` and
// the server reads the frames from the pipe. The host's cleanup lives in Drop, which never runs
// when the host dies hard, so its ffmpeg keeps encoding into the pipe with no one in charge. The
// library's own fix was `pgrep -f ffmpeg` filtered on "pipe:1" or "mjpeg"; procsweep does the
// same with `--args 'pipe:1|mjpeg'`, and only to orphans, so a recorder writing a file and the
// capture of a host that is still alive are left alone.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ACTORS, alive, crash, entry, ffmpegTiny, firstLine, needs, procState, requireCommand, Stage, waitFor } from './stage.js';

/** The seed's own filter for its ffmpeg, fenced to this scenario's marker. */
function captureFilter(mark: string): string {
  return `^(?=.*${mark}).*(pipe:1|mjpeg)`;
}

describe('scenario 2: a capture host dies and its mjpeg ffmpeg keeps running (seed 000)', { skip: needs('ffmpeg'), timeout: 60_000 }, () => {
  const stage = new Stage('capture');
  let deadHost: ChildProcess;
  let liveHost: ChildProcess;
  let leaked = 0;
  let liveCapture = 0;
  let recorder = 0;
  let framesAfterCrash = 0;

  /** Starts a capture host; resolves with the pid of its ffmpeg. */
  async function startHost(camera: string): Promise<{ host: ChildProcess; ffmpeg: number }> {
    const host = stage.spawn(process.execPath, [join(ACTORS, 'capture-host.mjs'), camera, stage.mark], ['ignore', 'pipe', 'pipe']);
    const ffmpeg = Number(await firstLine(host, 'stderr'));
    return { host, ffmpeg };
  }

  before(async () => {
    ({ host: deadHost, ffmpeg: leaked } = await startHost('cam0'));
    ({ host: liveHost, ffmpeg: liveCapture } = await startHost('cam1'));
    // The server consumes both frame pipes.
    liveHost.stdout!.resume();
    // Something else on the host that also runs ffmpeg, writing a file, and also orphaned.
    recorder = await stage.orphan('ffmpeg', ffmpegTiny(`${stage.mark}-recorder`, ['-f', 'mpegts', '-flush_packets', '1', '-y', stage.path('recording.ts')]));
    let frames = 0;
    deadHost.stdout!.on('data', (b: Buffer) => {
      for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] === 0xd8) frames++;
    });
    assert.ok(await waitFor(() => frames >= 2), 'frames flow from the capture');
    // The host dies without running Drop.
    await crash(deadHost.pid!);
    const before = frames;
    assert.ok(await waitFor(() => frames >= before + 2), 'its ffmpeg keeps producing frames after the host is gone');
    framesAfterCrash = frames - before;
  });
  after(() => stage.cleanup());

  test('the dead host\'s ffmpeg outlives it and keeps encoding', () => {
    assert.ok(framesAfterCrash >= 2);
    assert.ok(alive(leaked));
    assert.notEqual(procState(leaked)?.ppid, deadHost.pid);
  });

  test('list: the leaked capture and the recorder are orphans, the live host\'s capture is not', () => {
    const doc = stage.list();
    assert.deepEqual(entry(doc, leaked).flags, ['orphan']);
    assert.deepEqual(entry(doc, recorder).flags, ['orphan']);
    assert.deepEqual(entry(doc, liveCapture).flags, []);
    assert.equal(entry(doc, liveCapture).ppid, liveHost.pid);
    const seed = stage.psw(['list', '--json', '--args', captureFilter(stage.mark)]).json();
    assert.deepEqual(seed.processes.map((p: { pid: number }) => p.pid).sort(), [leaked, liveCapture].sort(), 'the seed filter matches both captures, not the recorder');
  });

  test('sweep --args \'pipe:1|mjpeg\' removes exactly the leaked capture', async () => {
    requireCommand(['sweep'], 'the engine helper');
    const r = stage.psw(['sweep', '--args', captureFilter(stage.mark), '-y', '--json', '--grace', '2s', '--lock-file', stage.lockFile]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.deepEqual(doc.targets.map((t: { pid: number }) => t.pid), [leaked]);
    assert.ok(['terminated', 'killed'].includes(doc.targets[0].outcome), doc.targets[0].reason);
    assert.ok(doc.targets[0].signals.includes('SIGTERM'));
    assert.ok(await waitFor(() => !alive(leaked)));
  });

  test('the frame pipe closes: nothing writes into it any more', async () => {
    assert.ok(await waitFor(() => deadHost.stdout!.readableEnded || deadHost.stdout!.destroyed, 5000), 'pipe reached EOF');
  });

  test('the recorder and the live host\'s capture are untouched', async () => {
    assert.ok(alive(recorder), 'recorder alive');
    assert.ok(alive(liveCapture) && alive(liveHost.pid!), 'live capture alive');
    const size = statSync(stage.path('recording.ts')).size;
    assert.ok(await waitFor(() => statSync(stage.path('recording.ts')).size > size, 5000), 'the recording still grows');
  });
});
