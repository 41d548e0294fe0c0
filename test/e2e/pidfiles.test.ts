import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alive, badInputTests, BIN, cli, ffmpegArgs, LOCK_ARGS, Scope, waitFor } from '../helpers/procs.js';
import { Tmux } from '../helpers/tmux.js';
import { freePid, startedAt, tempDir } from '../helpers/pidfiles.js';
import { needs } from '../helpers/needs.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'pidfiles');

/** Waits until every pid runs a command line holding `text` (exec done), or fails the test. */
async function running(pids: number[], text: string): Promise<void> {
  const ok = (p: number): boolean => existsSync(`/proc/${p}/cmdline`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
  assert.ok(await waitFor(() => pids.every(ok)), `not started: ${pids.filter((p) => !ok(p)).join(', ')}`);
}

describe('pidfiles: the malformed corpus through the CLI', () => {
  const tmp = tempDir();
  after(() => tmp.done());
  test('list reports every file with its reason; clean --remove-invalid removes them and signals nothing', () => {
    const dir = join(tmp.dir, 'pids');
    cpSync(join(FIX, 'corpus'), dir, { recursive: true });
    const expected = JSON.parse(readFileSync(join(FIX, 'corpus.expected.json'), 'utf8')) as Record<string, { status: string; reason: string }>;
    const r = cli(['pidfiles', 'list', '--json', '--pid-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = r.json();
    assert.equal(doc.pidfiles.length, Object.keys(expected).length);
    for (const rec of doc.pidfiles) {
      const want = expected[rec.path.slice(dir.length + 1)];
      assert.equal(rec.status, want.status, rec.path);
      assert.match(rec.reason, new RegExp(want.reason), rec.path);
      assert.equal(rec.action, 'keep');
    }
    assert.equal(doc.summary.invalid, doc.pidfiles.length);
    const c = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--remove-invalid', '--json', '--pid-dir', dir]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.json().summary.removed, doc.pidfiles.length);
    assert.equal(c.json().dryRun, false);
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('pidfiles against real processes', { skip: needs('ffmpeg', 'srt-live-transmit') }, () => {
  const scope = new Scope();
  const mark = scope.mark('pswpid');
  const tmp = tempDir();
  const dir = join(tmp.dir, 'pids');
  let ff = 0; // a live ffmpeg we started, named by a good record
  let reusedFf = 0; // a live ffmpeg named by a record from before it started
  let sleeper = 0; // a non-worker process of ours

  before(async () => {
    mkdirSync(dir);
    ff = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-live`), { detached: true }).pid!;
    reusedFf = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-reused`), { detached: true }).pid!;
    sleeper = scope.spawn('sh', ['-c', 'sleep 300; :', `${mark}-sleep`], { detached: true }).pid!;
    await running([ff, reusedFf, sleeper], mark);
  });
  after(() => {
    scope.cleanup();
    tmp.done();
  });

  test('live, reused (by time and by signature) and dead records; list tracks through them', () => {
    writeFileSync(join(dir, 'cam1_ffmpeg.pid'), `${ff}\n${startedAt(ff) + 150}\n`);
    writeFileSync(join(dir, 'cam2_ffmpeg.pid'), `${reusedFf}\n${startedAt(reusedFf) - 60_000}\n`);
    writeFileSync(join(dir, 'cam3_ffmpeg.pid'), `${sleeper}\n${Date.now()}\n`);
    writeFileSync(join(dir, 'route_1761154355576_srtOut:6000.pid'), `${freePid()}\n${Date.now() - 5000}\n`);
    const doc = cli(['pidfiles', 'list', '--json', '--pid-dir', dir]).json();
    const by = (name: string) => doc.pidfiles.find((p: any) => p.path === join(dir, name));
    assert.equal(by('cam1_ffmpeg.pid').status, 'live', by('cam1_ffmpeg.pid').reason);
    assert.equal(by('cam1_ffmpeg.pid').routeId, 'cam1');
    assert.equal(by('cam1_ffmpeg.pid').processType, 'ffmpeg');
    assert.equal(by('cam2_ffmpeg.pid').status, 'reused');
    assert.match(by('cam2_ffmpeg.pid').reason, /started .* after the recorded time/);
    assert.equal(by('cam3_ffmpeg.pid').status, 'reused');
    assert.match(by('cam3_ffmpeg.pid').reason, /matches no signature/);
    const srt = by('route_1761154355576_srtOut:6000.pid');
    assert.equal(srt.status, 'dead');
    assert.equal(srt.processType, 'srtOut:6000');
    assert.equal(srt.action, 'remove');

    const list = cli(['list', '--json', '--args', mark, '--pid-dir', dir]);
    assert.equal(list.code, 0, list.stderr);
    const procs = new Map<number, any>(list.json().processes.map((p: any) => [p.pid, p]));
    assert.ok(procs.get(ff).flags.includes('tracked'));
    assert.equal(procs.get(ff).pidfile, join(dir, 'cam1_ffmpeg.pid'));
    assert.ok(procs.get(reusedFf).flags.includes('untracked'), 'a reused record does not track the process that took the PID');
    assert.equal(procs.get(reusedFf).pidfile, null);
    assert.deepEqual(list.json().summary.pidfiles, { live: 1, dead: 1, reused: 2, zombie: 0, invalid: 0, unsafe: 0 });
    const human = cli(['list', '--args', mark, '--pid-dir', dir]);
    assert.match(human.stdout, /3 stale pidfile records \(dead or reused\)/);
    assert.equal(cli(['list', '--check', '--args', mark, '--pid-dir', dir]).code, 1, 'stale records fail --check');
    assert.equal(cli(['list', '--args', mark, '--pid-dir', dir]).code, 0);

    const table = cli(['pidfiles', 'list', '--pid-dir', dir]);
    assert.match(table.stdout, /^PATH\s+RECORD\s+PID\s+RECORDED\s+STATUS\s+ACTION\s+REASON/m);
    assert.match(table.stdout, /route_1761154355576\/srtOut:6000/);
    assert.match(table.stdout, /4 records: 1 live, 1 dead, 2 reused\./);
  });

  test('clean -n changes nothing; clean removes dead and reused records and leaves every process alone', () => {
    const before = readdirSync(dir).sort();
    const dry = cli(['pidfiles', 'clean', '-n', '--pid-dir', dir]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: would remove 3 records\. Nothing changed\./);
    assert.deepEqual(readdirSync(dir).sort(), before);
    const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--json', '--pid-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().summary.removed, 3);
    assert.deepEqual(readdirSync(dir), ['cam1_ffmpeg.pid']);
    for (const pid of [ff, reusedFf, sleeper]) assert.ok(alive(pid), `${pid} was touched`);
  });

  test('a symlinked pidfile is unsafe and left in place', () => {
    const other = join(tmp.dir, 'elsewhere.pid');
    writeFileSync(other, `${ff}\n`);
    symlinkSync(other, join(dir, 'link_ffmpeg.pid'));
    const doc = cli(['pidfiles', 'list', '--json', '--pid-dir', dir]).json();
    const link = doc.pidfiles.find((p: any) => p.path.endsWith('link_ffmpeg.pid'));
    assert.equal(link.status, 'unsafe');
    assert.match(link.reason, /a symlink to .*elsewhere\.pid: symlinks are never followed/);
    assert.equal(link.action, 'never');
    assert.equal(cli(['pidfiles', 'clean', ...LOCK_ARGS, '--remove-invalid', '--pid-dir', dir]).code, 0);
    assert.ok(existsSync(join(dir, 'link_ffmpeg.pid')));
    assert.equal(readFileSync(other, 'utf8'), `${ff}\n`);
  });

  test('a pidfile planted by an unprivileged user naming a root-owned worker is unsafe, and left alone', (t) => {
    const missing = needs('root', 'useradd');
    if (missing) return t.skip(missing);
    const user = `psw${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
    const add = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user], { maxBuffer: Infinity, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    try {
      const uid = Number(spawnSync('id', ['-u', user], { maxBuffer: Infinity, encoding: 'utf8' }).stdout.trim());
      const planted = join(dir, 'planted_ffmpeg.pid');
      writeFileSync(planted, `${ff}\n${Date.now()}\n`);
      chownSync(planted, uid, uid);
      const doc = cli(['pidfiles', 'list', '--json', '--pid-dir', dir]).json();
      const rec = doc.pidfiles.find((p: any) => p.path === planted);
      assert.equal(rec.status, 'unsafe');
      assert.match(rec.reason, new RegExp(`owned by ${user} \\(uid ${uid}\\), but PID ${ff} \\(ffmpeg\\) runs as root \\(uid 0\\)`));
      assert.equal(rec.action, 'never');
      const list = cli(['list', '--json', '--args', `${mark}-live`, '--pid-dir', dir]).json();
      assert.notEqual(list.processes[0].pidfile, planted, 'an unsafe record never tracks');
      assert.equal(cli(['pidfiles', 'clean', ...LOCK_ARGS, '--remove-invalid', '--pid-dir', dir]).code, 0);
      assert.ok(existsSync(planted));
      assert.ok(alive(ff));
    } finally {
      rmSync(join(dir, 'planted_ffmpeg.pid'), { force: true });
      spawnSync('userdel', [user]);
    }
  });

  test('a registry with dead, live and reused entries is rewritten atomically; unknown fields stay', () => {
    const reg = join(tmp.dir, 'ecosystem-manager-processes.json');
    const iso = (ms: number): string => new Date(ms).toISOString();
    const text = `${JSON.stringify(
      [
        { task_id: 'live-task', process_id: ff, start_time: iso(startedAt(ff) + 500), attempt: 3, meta: { big: 1 } },
        { task_id: 'dead-task', process_id: freePid(), start_time: iso(Date.now() - 3_600_000) },
        { task_id: 'reused-task', process_id: reusedFf, start_time: iso(startedAt(reusedFf) - 3_600_000) },
      ],
      null,
      2,
    )}\n`;
    writeFileSync(reg, text);
    const ino = statSync(reg).ino;
    const doc = cli(['pidfiles', 'list', '--json', '--registry', reg]).json();
    assert.deepEqual(doc.pidfiles.map((p: any) => [p.taskId, p.status, p.format]), [
      ['live-task', 'live', 'registry'], ['dead-task', 'dead', 'registry'], ['reused-task', 'reused', 'registry'],
    ]);
    const list = cli(['list', '--json', '--args', `${mark}-live`, '--registry', reg]).json();
    assert.equal(list.processes[0].pidfile, `${reg}#live-task`);
    const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--registry', reg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 records: 2 removed, 1 kept\./);
    assert.equal(readFileSync(reg, 'utf8'), `[\n${JSON.stringify([JSON.parse(text)[0]], null, 2).slice(2, -2)}\n]\n`);
    assert.notEqual(statSync(reg).ino, ino, 'rewritten by rename');
    assert.ok(alive(ff) && alive(reusedFf));
  });

  test('a corrupt registry is reported and left byte for byte untouched', () => {
    const reg = join(tmp.dir, 'corrupt.json');
    const text = `[{"task_id": "a", "process_id": ${ff}, "start_time": "2025-01-10T12:34:56Z"},\n{"task_id": "b", "process_`;
    writeFileSync(reg, text);
    const st = statSync(reg);
    const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--remove-invalid', '--json', '--registry', reg]);
    assert.equal(r.code, 0, r.stderr);
    const [rec] = r.json().pidfiles;
    assert.equal(rec.status, 'invalid');
    assert.equal(rec.action, 'never');
    assert.match(rec.reason, /registry does not parse as JSON/);
    assert.equal(readFileSync(reg, 'utf8'), text);
    assert.equal(statSync(reg).mtimeMs, st.mtimeMs);
  });
});

describe('pidfiles clean --kill and sweep against real processes', { skip: needs('ffmpeg', 'srt-live-transmit') }, () => {
  const scope = new Scope();
  const mark = scope.mark('pswkill');
  const tmp = tempDir();
  const port = 20000 + Math.floor(Math.random() * 20000);
  after(() => {
    scope.cleanup();
    tmp.done();
  });

  test('--kill without --yes and without a terminal refuses at once, naming --yes; nothing changes', async () => {
    const dir = join(tmp.dir, 'refuse');
    mkdirSync(dir);
    const ff = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-refuse`), { detached: true }).pid!;
    await running([ff], mark);
    writeFileSync(join(dir, 'x_ffmpeg.pid'), `${ff}\n${Date.now()}\n`);
    const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--kill', '--pid-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--yes/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(r.stdout, '');
    assert.ok(alive(ff));
    assert.ok(existsSync(join(dir, 'x_ffmpeg.pid')));
    const dry = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--kill', '-n', '--json', '--pid-dir', dir]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.json().pidfiles[0].action, 'kill');
    assert.ok(alive(ff));
  });

  test('clean --kill -y terminates a real srt-live-transmit and removes its record; reused and unsafe records never signal', async () => {
    const dir = join(tmp.dir, 'router');
    mkdirSync(dir);
    const srt = scope.spawn('srt-live-transmit', [`udp://127.0.0.1:${port}`, `srt://127.0.0.1:${port + 1}?mode=listener`], { detached: true }).pid!;
    const bystander = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-bystander`), { detached: true }).pid!;
    const other = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-other`), { detached: true }).pid!;
    await running([srt], 'srt-live-transmit');
    await running([bystander, other], mark);
    writeFileSync(join(dir, 'route_1761154355576_srt.pid'), `${srt}\n${startedAt(srt) + 100}\n`);
    // The PID of a worker started after this record was written: reused, so never signalled.
    writeFileSync(join(dir, 'route_1761154355576_ffmpeg.pid'), `${bystander}\n${startedAt(bystander) - 600_000}\n`);
    // A symlink to a record of a live worker: unsafe, never followed, never signalled.
    writeFileSync(join(tmp.dir, 'other.pid'), `${other}\n`);
    symlinkSync(join(tmp.dir, 'other.pid'), join(dir, 'route_1761154355576_srtOut:6000.pid'));
    const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--kill', '-y', '--json', '--grace', '2s', '--pid-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const by = new Map<string, any>(r.json().pidfiles.map((p: any) => [p.path.slice(dir.length + 1), p]));
    const s = by.get('route_1761154355576_srt.pid');
    assert.equal(s.status, 'live');
    assert.match(s.outcome, /^(terminated|killed)$/);
    assert.equal(s.action, s.outcome, 'the action says how the process ended: killed only when it needed SIGKILL');
    assert.equal(by.get('route_1761154355576_ffmpeg.pid').status, 'reused');
    assert.equal(by.get('route_1761154355576_ffmpeg.pid').action, 'removed');
    assert.equal(by.get('route_1761154355576_srtOut:6000.pid').status, 'unsafe');
    assert.equal(by.get('route_1761154355576_srtOut:6000.pid').action, 'never');
    assert.equal(r.json().summary.terminated + r.json().summary.killed, 1);
    assert.equal(r.json().summary.removed, 2, 'the live record and the reused one');
    assert.ok(await waitFor(() => !alive(srt)), 'srt-live-transmit still running');
    assert.ok(alive(bystander), 'the process holding a reused PID was signalled');
    assert.ok(alive(other), 'the target of a symlinked record was signalled');
    assert.deepEqual(readdirSync(dir), ['route_1761154355576_srtOut:6000.pid']);
  });

  test('--match narrows which live records --kill may terminate', async () => {
    const dir = join(tmp.dir, 'narrow');
    mkdirSync(dir);
    const ff = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-narrow`), { detached: true }).pid!;
    await running([ff], mark);
    writeFileSync(join(dir, 'cam_ffmpeg.pid'), `${ff}\n${Date.now()}\n`);
    const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--kill', '-y', '--json', '--match', 'srt-live-transmit', '--pid-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().pidfiles[0].action, 'kept');
    assert.match(r.json().pidfiles[0].note, /not killed, outside --match \(srt-live-transmit\)/);
    assert.ok(alive(ff));
    assert.ok(existsSync(join(dir, 'cam_ffmpeg.pid')));
  });

  test('sweep: killing a tracked process removes its record', async () => {
    const dir = join(tmp.dir, 'sweep');
    mkdirSync(dir);
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(`${mark}-orphan`));
    await running([orphan], mark);
    writeFileSync(join(dir, 'cam9_ffmpeg.pid'), `${orphan}\n${startedAt(orphan) + 50}\n`);
    writeFileSync(join(dir, 'stale_ffmpeg.pid'), `${freePid()}\n${Date.now() - 1000}\n`);
    const r = cli(['sweep', '-y', '--json', '--args', `${mark}-orphan`, '--pid-dir', dir, '--lock-file', join(tmp.dir, 'sweep.lock'), '--grace', '2s']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.ok(doc.targets.some((t: any) => t.pid === orphan && /terminated|killed/.test(t.outcome)));
    assert.deepEqual(doc.pidfilesRemoved, [join(dir, 'cam9_ffmpeg.pid')]);
    assert.deepEqual(readdirSync(dir), ['stale_ffmpeg.pid'], 'sweep removes only the records of what it killed');
  });

  test('clean --kill -y ends a recorded restart loop but never signals its kept (PROCSWEEP_KEEP=1) ffmpeg', async () => {
    const dir = join(tmp.dir, 'keptloop');
    mkdirSync(dir);
    const m = `${mark}-keptloop`;
    const wrapper = await scope.orphan('sh', ['-c', `while true; do PROCSWEEP_KEEP=1 ffmpeg ${ffmpegArgs(m).map((a) => `'${a}'`).join(' ')}; sleep 0.2; done`]);
    writeFileSync(join(dir, 'cam.pid'), `${wrapper}\n`);
    let ffmpeg = 0;
    assert.ok(await waitFor(() => {
      ffmpeg = Number(readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').trim().split(/\s+/)[0] || 0);
      return ffmpeg > 0 && readFileSync(`/proc/${ffmpeg}/cmdline`, 'utf8').includes(m);
    }), 'the loop started its ffmpeg');
    try {
      const r = cli(['pidfiles', 'clean', ...LOCK_ARGS, '--kill', '-y', '--json', '--args', m, '--pid-dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(await waitFor(() => !alive(wrapper)), 'the recorded wrapper is gone');
      assert.ok(alive(ffmpeg), 'the kept ffmpeg under it still runs');
      assert.notEqual(readFileSync(`/proc/${ffmpeg}/stat`, 'utf8').split(') ')[1].split(' ')[0], 'T', 'not left stopped');
    } finally {
      try {
        process.kill(ffmpeg, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
});

describe('sweep --target untracked works from the same records', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  const mark = scope.mark('pswut');
  const tmp = tempDir();
  after(() => {
    scope.cleanup();
    tmp.done();
  });
  test('the recorded worker is kept, the unrecorded one is swept', async () => {
    const dir = join(tmp.dir, 'pids');
    mkdirSync(dir);
    const kept = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-a`), { detached: true }).pid!;
    const leaked = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-b`), { detached: true }).pid!;
    await running([kept, leaked], mark);
    writeFileSync(join(dir, 'cam_ffmpeg.pid'), `${kept}\n${startedAt(kept) + 100}\n`);
    const args = ['sweep', '--target', 'untracked', '--json', '--args', mark, '--pid-dir', dir, '--lock-file', join(tmp.dir, 'lock'), '--grace', '2s'];
    const dry = cli([...args, '-n']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(dry.json().targets.map((t: any) => t.pid), [leaked]);
    const r = cli([...args, '-y']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await waitFor(() => !alive(leaked)));
    assert.ok(alive(kept));
    assert.deepEqual(r.json().pidfilesRemoved, []);
    assert.deepEqual(readdirSync(dir), ['cam_ffmpeg.pid']);
  });
  test('records that cannot be read refuse the untracked sweep (exit 3): a worker they name would look untracked', async () => {
    const worker = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-c`), { detached: true }).pid!;
    await running([worker], `${mark}-c`);
    const reg = join(tmp.dir, 'half-written.json');
    writeFileSync(reg, `[{"task_id":"cam","process_id":${worker},"start_time":"2026-`); // the supervisor died mid-write
    const lock = ['--lock-file', join(tmp.dir, 'lock2')];
    const cases: Array<[string[], RegExp]> = [
      [['--registry', reg], /refusing --target untracked: 1 record could not be read.*half-written\.json is invalid: registry does not parse as JSON/],
      [['--pid-dir', join(tmp.dir, 'typo-dir')], /refusing --target untracked: 1 record could not be read.*typo-dir does not exist/],
    ];
    for (const [records, re] of cases) {
      for (const mode of ['-n', '-y']) {
        const r = cli(['sweep', '--target', 'untracked', mode, '--args', `${mark}-c`, ...records, ...lock]);
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, re);
        assert.match(r.stderr, /Nothing was signalled/);
        assert.equal(r.stdout, '');
      }
      // Other targets are not affected; list still shows the flag, with the doubt in its reason.
      assert.equal(cli(['sweep', '-n', '--target', 'orphans', '--args', `${mark}-c`, ...records]).code, 0);
      const l = cli(['list', '--json', '--args', `${mark}-c`, ...records]);
      assert.match(l.json().processes[0].reasons.untracked, /uncertain: 1 record could not be read/);
    }
    assert.ok(alive(worker));
    assert.equal(readFileSync(reg, 'utf8').length > 0, true, 'the registry is left as it was');
  });
  test('--target untracked without any records is bad input (exit 2); through all it selects nothing', () => {
    const r = cli(['sweep', '-n', '--target', 'untracked', '--args', mark]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--target untracked needs the records that track workers: give --pid-dir DIR or --registry FILE/);
    assert.equal(cli(['sweep', '-n', '--target', 'all', '--older-than', '1h', '--args', mark]).code, 0);
  });
});

describe('pidfiles: bad input', () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['pidfiles', 'list'], 2, /give --pid-dir DIR or --registry FILE/],
    [['pidfiles', 'clean', '--pid-dir', '/etc/passwd'], 2, /--pid-dir \/etc\/passwd is not a directory/],
    [['pidfiles', 'clean', '--grace', 'soon', '--pid-dir', '/tmp'], 2, /--grace 'soon' is not a duration/],
    [['pidfiles', 'list', '--bogus'], 2, /unknown option '--bogus'/],
  ];
  badInputTests(cases);
  test('a pid dir that does not exist is a warning, not an error', () => {
    const r = cli(['pidfiles', 'list', '--pid-dir', '/nonexistent/psw-pids']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: pid dir \/nonexistent\/psw-pids does not exist/);
  });
});

describe('pidfiles clean --kill asks in a terminal (tmux)', { skip: needs('ffmpeg', 'tmux') }, () => {
  const scope = new Scope();
  const mark = scope.mark('pswask');
  const tmp = tempDir();
  const terms: Tmux[] = [];
  const dir = join(tmp.dir, 'pids');
  let ff = 0;
  before(async () => {
    mkdirSync(dir);
    ff = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-ask`), { detached: true }).pid!;
    await running([ff], mark);
    writeFileSync(join(dir, 'cam1_ffmpeg.pid'), `${ff}\n${startedAt(ff) + 100}\n`);
    writeFileSync(join(dir, 'gone_ffmpeg.pid'), `${freePid()}\n${Date.now() - 1000}\n`);
  });
  after(() => {
    for (const t of terms) t.kill();
    scope.cleanup();
    tmp.done();
  });

  /** Runs clean --kill in a fresh terminal up to the confirm; returns where stdout and the exit code land. */
  const untilConfirm = async (n: number): Promise<{ term: Tmux; out: string; code: string }> => {
    const term = new Tmux(160, 40);
    terms.push(term);
    const out = join(tmp.dir, `out${n}.json`);
    const code = join(tmp.dir, `code${n}`);
    term.start(`NO_COLOR=1 ${process.execPath} ${BIN} pidfiles clean --kill --json --grace 2s --lock-file '${LOCK_ARGS[1]}' --pid-dir '${dir}' > '${out}'; echo $? > '${code}'`);
    await term.waitFor(/Remove these processes/);
    assert.match(term.capture(), new RegExp(`${ff} cam1/ffmpeg\\s+ffmpeg`));
    term.send('Enter');
    await term.waitFor(/Terminate 1 process tree and remove its record \(and 1 stale record\)\? \(y\/N\)/);
    return { term, out, code };
  };
  const exitCode = async (term: Tmux, code: string): Promise<string> => {
    assert.ok(await waitFor(() => existsSync(code) && readFileSync(code, 'utf8').trim() !== '', 20_000), term.capture());
    return readFileSync(code, 'utf8').trim();
  };

  test('the confirm defaults to No: nothing is signalled or removed', async () => {
    const { term, code } = await untilConfirm(0);
    term.send('Enter');
    assert.equal(await exitCode(term, code), '0');
    assert.match(term.capture(), /Nothing was signalled or removed/);
    assert.ok(alive(ff));
    assert.deepEqual(readdirSync(dir).sort(), ['cam1_ffmpeg.pid', 'gone_ffmpeg.pid']);
  });

  test('Yes kills the checked record\'s process and removes its record and the stale one', async () => {
    const { term, out, code } = await untilConfirm(1);
    term.send('y', 'Enter');
    assert.equal(await exitCode(term, code), '0', term.capture());
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(doc.pidfiles.map((p: any) => (p.action === 'killed' ? 'terminated' : p.action)).sort(), ['removed', 'terminated']);
    assert.ok(await waitFor(() => !alive(ff)));
    assert.deepEqual(readdirSync(dir), []);
  });
});
