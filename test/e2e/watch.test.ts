import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BASIC, writeTree } from '../fixtures/make-proc.js';
import { alive, cli, ffmpegArgs, Scope, waitFor } from '../helpers/procs.js';
import { WatchRun } from '../helpers/watch.js';
import { needs } from '../helpers/needs.js';

const q = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

describe('watch follows processes the test starts, orphans, zombifies and kills', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  const mark = scope.mark();
  let run: WatchRun | undefined;
  after(() => {
    run?.child.kill('SIGKILL');
    scope.cleanup();
  });

  test('the event sequence, alarms with reasons, and exit 0 on SIGTERM', async () => {
    run = new WatchRun(['watch', '--interval', '200ms', '--args', mark, '--expect', 'ffmpeg=1']);
    const w = run;
    await w.waitFor((l) => l.type === 'tick', 'the first tick');
    const byPid = (pid: number): string[] => w.events().filter((e) => e.pid === pid && e.event !== 'alarm').map((e) => e.event);

    // 1. A supervisor shell (a wrapper: its script runs ffmpeg) with an ffmpeg child.
    const sup = scope.spawn('sh', ['-c', `ffmpeg ${ffmpegArgs(mark).map(q).join(' ')}; true`], { detached: true });
    const started = await w.waitFor((l) => l.event === 'started' && l.ppid === sup.pid && l.role === 'process', 'the child ffmpeg started');
    const child = started.pid as number;
    await w.waitFor((l) => l.event === 'started' && l.pid === sup.pid, 'the wrapper started');
    assert.equal(w.events().find((e) => e.pid === sup.pid).role, 'wrapper');
    assert.equal(started.signature, 'ffmpeg');
    assert.ok(started.argv.includes(`comment=${mark}`));

    // 2. The supervisor dies: its ffmpeg is reparented to PID 1 and becomes an orphan.
    process.kill(sup.pid!, 'SIGKILL');
    const orphaned = await w.waitFor((l) => l.event === 'orphaned' && l.pid === child, 'the child orphaned');
    assert.match(orphaned.reason, /parent is PID 1/);
    assert.deepEqual(orphaned.flags, ['orphan']);
    await w.waitFor((l) => l.event === 'exited' && l.pid === sup.pid, 'the wrapper exited');

    // 3. A parent that never reaps: sh starts a short ffmpeg in the background, then becomes
    //    `sleep 60`. When ffmpeg ends it stays a zombie under sleep.
    const short = ffmpegArgs(`${mark}-z`, ['-frames:v', '6', '-f', 'null', '-']);
    const reaper = scope.spawn('sh', ['-c', `ffmpeg ${short.map(q).join(' ')} & exec sleep 60`], { detached: true });
    const zStart = await w.waitFor((l) => l.event === 'started' && l.ppid === reaper.pid && l.role === 'process', 'the short ffmpeg started');
    const zpid = zStart.pid as number;
    const zombie = await w.waitFor((l) => l.event === 'zombie' && l.pid === zpid, 'the zombie');
    assert.match(zombie.reason, new RegExp(`parent ${reaper.pid} \\(sleep\\) has not called wait\\(\\)`));
    assert.ok(zombie.argv.includes(`comment=${mark}-z`), 'the zombie keeps its last argv');
    const zAlarm = await w.waitFor((l) => l.event === 'alarm' && l.state === 'raised' && l.alarm.kind === 'zombie', 'the zombie alarm');
    assert.equal(zAlarm.alarm.pid, reaper.pid);
    assert.match(zAlarm.alarm.reason, /1 ffmpeg zombie unreaped for .* \(over 3 intervals\): parent PID \d+ does not wait\(\)/);
    const tickWithZombie = await w.waitFor((l) => l.type === 'tick' && l.zombie === 1, 'a tick counting the zombie');
    assert.equal(tickWithZombie.signatures.ffmpeg.zombie, 1);

    // 4. The wrapper and its worker (then the orphan and the zombie) put ffmpeg above --expect ffmpeg=1.
    const over = w.ticks().find((t) => (t.signatures?.ffmpeg?.total ?? 0) > 1);
    assert.ok(over, `some tick counted more than 1 ffmpeg processes: ${JSON.stringify(w.ticks().map((t) => t.signatures?.ffmpeg?.total))}`);
    const expectAlarm = await w.waitFor((l) => l.event === 'alarm' && l.alarm.kind === 'expect', 'the --expect alarm');
    assert.ok(expectAlarm.tick <= over.tick, 'raised on the tick that went over, not later');
    assert.match(expectAlarm.alarm.reason, /ffmpeg: \d+ processes running, \d+ more than the 1 expected \(--expect ffmpeg=1\)/);

    // 5. Killing the non-reaping parent hands the zombie to init, which reaps it.
    process.kill(reaper.pid!, 'SIGKILL');
    await w.waitFor((l) => l.event === 'reaped' && l.pid === zpid, 'the zombie reaped');
    await w.waitFor((l) => l.event === 'alarm' && l.state === 'cleared' && l.alarm.kind === 'zombie', 'the zombie alarm cleared');

    // 6. Killing the orphan ends it. Its new parent, PID 1, reaps it at once (exited) or after
    //    a moment (some container inits reap on a timer: zombie, then reaped).
    process.kill(child, 'SIGKILL');
    await w.waitFor((l) => (l.event === 'exited' || l.event === 'reaped') && l.pid === child, 'the orphan gone');
    assert.ok(await waitFor(() => !alive(child)));

    // Per process, the lifecycle in order.
    assert.ok(['started,orphaned,exited', 'started,orphaned,zombie,reaped'].includes(byPid(child).join()), byPid(child).join());
    assert.deepEqual(byPid(sup.pid!), ['started', 'exited']);
    assert.deepEqual(byPid(zpid), ['started', 'zombie', 'reaped']);
    // Events carry tick and time; ticks are numbered in order.
    for (const e of w.events()) {
      assert.equal(typeof e.tick, 'number');
      assert.ok(!Number.isNaN(Date.parse(e.at)));
    }
    const ticks = w.ticks().map((t) => t.tick);
    assert.deepEqual(ticks, ticks.map((_, i) => i + 1));
    assert.equal(typeof w.ticks()[0].scanMs, 'number');

    assert.equal(await w.stop('SIGTERM'), 0);
    assert.equal(w.stderr, '');
  });
});

describe('watch sees a process leaking file descriptors', () => {
  const scope = new Scope();
  const mark = scope.mark();
  after(() => scope.cleanup());

  test('its fd count keeps growing over the window: a growth alarm naming it', async () => {
    const w = new WatchRun(['watch', '--json', '--interval', '200ms', '--window', '2s', '--signature', `leak=${mark}`, '--match', 'leak']);
    try {
      await w.waitFor((l) => l.type === 'tick', 'the first tick');
      // One more open descriptor every 100 ms, then it holds them.
      const leaker = scope.spawn('bash', ['-c', 'for i in $(seq 10 80); do eval "exec $i</dev/null"; sleep 0.1; done; sleep 60', mark], { detached: true });
      const a = await w.waitFor((l) => l.event === 'alarm' && l.state === 'raised' && l.alarm.kind === 'growth', 'the growth alarm', 20_000);
      assert.equal(a.alarm.pid, leaker.pid);
      assert.equal(a.alarm.signature, 'leak');
      assert.match(a.alarm.reason, new RegExp(`PID ${leaker.pid} \\(leak\\): open fds grew from \\d+ to \\d+ over 2s and never fell: a descriptor leak`));
      assert.equal(await w.stop('SIGTERM'), 0);
    } finally {
      w.child.kill('SIGKILL');
    }
  });
});

describe('watch keeps going when a scan fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-watch-'));
  const root = join(dir, 'proc');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an unreadable proc root is reported per tick; scanning resumes when it is back', async () => {
    writeTree(root, BASIC);
    const w = new WatchRun(['watch', '--json', '--interval', '100ms', '--proc-root', root]);
    try {
      const first = await w.waitFor((l) => l.type === 'tick', 'a first tick');
      assert.equal(first.error, undefined);
      assert.ok(first.orphan > 0, 'the fixture has orphans');
      renameSync(root, `${root}.away`);
      const bad = await w.waitFor((l) => l.type === 'tick' && l.error, 'a failed tick');
      assert.match(bad.error, /cannot read process table at .*proc \(ENOENT\)/);
      renameSync(`${root}.away`, root);
      await w.waitFor((l) => l.type === 'tick' && l.tick > bad.tick && !l.error, 'a good tick after the failure');
      assert.match(w.stderr, /procsweep: scan \d+ failed: cannot read process table/);
      assert.equal(await w.stop('SIGINT'), 0);
    } finally {
      w.child.kill('SIGKILL');
    }
  });

  test('--count stops after N scans with exit 0', () => {
    writeTree(root, BASIC);
    const r = cli(['watch', '--count', '3', '--interval', '10ms', '--proc-root', root]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.filter((l) => l.type === 'tick').map((l) => l.tick), [1, 2, 3]);
    // The fixture's processes never change: the baseline is not reported as events.
    assert.deepEqual(lines.filter((l) => l.type === 'event' && l.event !== 'alarm'), []);
  });
});

describe('watch bad input', () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['watch', '--expect', 'ffmpeg'], 2, /--expect 'ffmpeg' must look like SIGNATURE=COUNT/],
    [['watch', '--expect', 'gst=3'], 2, /--expect: unknown signature 'gst'/],
    [['watch', '--interval', '0'], 2, /--interval must be longer than 0/],
    [['watch', '--interval', 'soon'], 2, /--interval 'soon' is not a duration/],
    [['watch', '--count', '0'], 2, /--count '0' must be a whole number of at least 1/],
    [['watch', '--metrics-port', '70000'], 2, /--metrics-port 70000 is not a TCP port/],
    [['watch', '--json', '--count', '1', '--proc-root', join(import.meta.dirname, '..', 'fixtures')], 3, /fixtures is not a proc tree/],
    [['pidfiles', 'watch', '--json', '--count', '1', '--pid-dir', '/tmp', '--proc-root', join(import.meta.dirname, '..', 'fixtures')], 3, /fixtures is not a proc tree/],
    [['watch', '--metrics-file', '/nonexistent/dir/x.prom', '--count', '1'], 3, /--metrics-file: cannot write \/nonexistent\/dir\/x.prom \(ENOENT\)/],
  ];
  for (const [args, code, re] of cases) {
    test(`${args.join(' ')} -> exit ${code}, one line`, () => {
      const r = cli(args, { timeout: 20_000 });
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
});
