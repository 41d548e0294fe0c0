import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alive, badInputTests, cli, ffmpegArgs, Scope, waitFor } from '../helpers/procs.js';
import { needs } from '../helpers/needs.js';


describe('list against real processes', { skip: needs('ffmpeg', 'srt-live-transmit') }, () => {
  const scope = new Scope();
  const mark = scope.mark();
  const port = 20000 + Math.floor(Math.random() * 20000);
  let parentPid = 0;
  let childPid = 0;
  let orphanPid = 0;
  let srtPid = 0;

  before(async () => {
    // A supervisor (sh) with an ffmpeg child, an orphaned ffmpeg, and an srt-live-transmit.
    const sup = scope.spawn('sh', ['-c', `ffmpeg ${ffmpegArgs(mark).map((a) => `'${a}'`).join(' ')}; true`], { detached: true });
    parentPid = sup.pid!;
    orphanPid = await scope.orphan('ffmpeg', ffmpegArgs(`${mark}-orphan`));
    const srt = scope.spawn('srt-live-transmit', [`udp://127.0.0.1:${port}`, `srt://127.0.0.1:${port + 1}?mode=listener`], { detached: true });
    srtPid = srt.pid!;
    assert.ok(await waitFor(() => {
      const r = cli(['list', '--json', '--args', mark]);
      const p = r.json().processes.find((x: any) => x.ppid === parentPid && x.role === 'process');
      if (p) childPid = p.pid;
      return Boolean(p);
    }));
  });
  after(() => scope.cleanup());

  test('list --all --json agrees with ps for the processes we started', () => {
    const r = cli(['list', '--all', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    const ps = spawnSync('ps', ['-o', 'pid=,ppid=,pgid=,sid=,uid=,stat=,lstart=,args=', '-p', [parentPid, childPid, orphanPid, srtPid].join(',')], { maxBuffer: Infinity, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
    const rows = ps.stdout.trim().split('\n');
    assert.equal(rows.length, 4, ps.stdout);
    for (const row of rows) {
      const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\w{3} \w{3}\s+\d+ [\d:]{8} \d{4})\s+(.*)$/.exec(row)!;
      assert.ok(m, row);
      const pid = Number(m[1]);
      const rec = doc.processes.find((x: any) => x.pid === pid);
      assert.ok(rec, `pid ${pid} missing from list --all`);
      assert.equal(rec.ppid, Number(m[2]));
      assert.equal(rec.pgid, Number(m[3]));
      assert.equal(rec.sid, Number(m[4]));
      assert.equal(rec.uid, Number(m[5]));
      const runnable = (st: string): string => ('RSD'.includes(st) ? 'R/S/D' : st); // ffmpeg flips between R, S and brief D (I/O)
      assert.equal(runnable(rec.state), runnable(m[6][0]));
      const lstart = Date.parse(`${m[7]} UTC`);
      assert.ok(Math.abs(Date.parse(rec.startedAt) - lstart) < 1500, `start ${rec.startedAt} vs ps ${m[7]}`);
      assert.equal(rec.argv.join(' '), m[8]);
    }
  });

  test('flags: the orphan is orphan, the supervised child is not, srt leads its session (detached)', () => {
    const doc = cli(['list', '--json']).json();
    const byPid = new Map<number, any>(doc.processes.map((p: any) => [p.pid, p]));
    assert.deepEqual(byPid.get(orphanPid).flags, ['orphan']);
    assert.match(byPid.get(orphanPid).reasons.orphan, /parent is PID 1/);
    assert.match(byPid.get(orphanPid).reasons.orphan, /session leader \d+ is gone/);
    assert.deepEqual(byPid.get(childPid).flags, []);
    assert.equal(byPid.get(parentPid).role, 'wrapper');
    assert.equal(byPid.get(srtPid).signature, 'srt-live-transmit');
    assert.equal(byPid.get(srtPid).ppid, process.pid);
    assert.ok(byPid.get(childPid).fds > 0);
    assert.equal(byPid.get(childPid).exe, '/usr/bin/ffmpeg');
  });

  test('orphaning a child by killing its parent makes it an orphan', async () => {
    process.kill(parentPid, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(parentPid)));
    assert.ok(await waitFor(() => cli(['list', '--json', '--args', mark]).json().processes.some((p: any) => p.pid === childPid && p.flags.includes('orphan'))));
  });

  test('--args, --match and --flag narrow; --check exits 1 on orphans', () => {
    const only = cli(['list', '--json', '--args', `${mark}-orphan`]).json();
    assert.deepEqual(only.processes.map((p: any) => p.pid), [orphanPid]);
    const srt = cli(['list', '--json', '--match', 'srt-live-transmit', '--args', String(port)]).json();
    assert.deepEqual(srt.processes.map((p: any) => p.pid), [srtPid]);
    assert.equal(cli(['list', '--check', '--args', `${mark}-orphan`]).code, 1);
    assert.equal(cli(['list', '--check', '--match', 'srt-live-transmit', '--args', String(port)]).code, 0);
  });

  test('the portable backend (ps) finds the same process with the same flags, and leaves what ps lacks null', () => {
    const doc = cli(['list', '--json', '--backend', 'portable', '--args', `${mark}-orphan`]).json();
    const ref = cli(['list', '--json', '--args', `${mark}-orphan`]).json().processes.find((x: any) => x.pid === orphanPid);
    assert.equal(doc.backend, 'portable');
    const p = doc.processes.find((x: any) => x.pid === orphanPid);
    assert.ok(p, 'orphan found by ps');
    assert.equal(p.ppid, 1);
    // ps's lstart gives the start to the second: with the pid and the command line, the identity.
    const ps = spawnSync('ps', ['-o', 'lstart=', '-p', String(orphanPid)], { maxBuffer: Infinity, encoding: 'utf8' }).stdout.trim();
    assert.equal(Date.parse(p.startedAt), new Date(ps).getTime());
    assert.equal(p.startTicks, undefined, 'no identity field in the JSON');
    assert.deepEqual([p.pgid, p.sid, p.uid], [ref.pgid, ref.sid, ref.uid]);
    assert.deepEqual(p.flags, ref.flags);
    assert.deepEqual(p.argv, ref.argv);
    assert.equal(p.threads, null);
  });

  test('the human table shows the columns and a hint', () => {
    const r = cli(['list', '--args', mark]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\s*PID\s+PPID\s+USER\s+STATE\s+AGE\s+CPU%\s+RSS\s+FLAGS\s+COMMAND/m);
    assert.match(r.stdout, new RegExp(`^\\s*${orphanPid}\\s.*orphan.*ffmpeg`, 'm'));
    assert.match(r.stdout, /next: procsweep sweep -n/);
    const tree = cli(['list', '--tree', '--args', mark]);
    assert.match(tree.stdout, new RegExp(`[├└]─ ${orphanPid} ffmpeg`));
  });
});

describe('bad input', () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['list', '--bogus'], 2, /unknown option '--bogus'/],
    [['list', '--args', '(['], 2, /--args: invalid regular expression/],
    [['list', '--max-age', 'soon'], 2, /--max-age 'soon' is not a duration/],
    [['list', '--signature', 'nope'], 2, /NAME=REGEX/],
    [['list', '--match', 'gstreamer'], 2, /unknown signature 'gstreamer'/],
    [['list', '--flag', 'weird'], 2, /unknown flag 'weird'/],
    [['list', '--user', 'no-such-user-xyz'], 2, /no user named/],
    [['list', '--proc-root', '/nonexistent/proc'], 3, /cannot read process table/],
    [['list', '--check', '--proc-root', join(import.meta.dirname, '..', 'fixtures')], 3, /fixtures is not a proc tree: .*stat is missing or has no btime line/],
    [['list', '--config', '/nonexistent/procsweep.json'], 3, /cannot read config/],
    [['list', '--backend', 'magic'], 2, /magic/],
    [['frobnicate'], 2, /unknown command/],
  ];
  badInputTests(cases);
});

describe('help', () => {
  test('--help, help CMD and CMD --help print help with exit 0; a group without its subcommand exits 2', () => {
    for (const args of [['--help'], ['help'], ['help', 'sweep'], ['sweep', '--help'], ['pidfiles', 'clean', '--help']]) {
      const r = cli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: procsweep/, args.join(' '));
    }
    // The top-level help lists every command, although only the invoked one is fully defined.
    const top = cli(['--help']).stdout;
    for (const c of ['list', 'sweep', 'kill-group', 'kill-tree', 'pidfiles', 'watch', 'run']) assert.match(top, new RegExp(`^  ${c}\\b`, 'm'), c);
    assert.match(cli(['help', 'sweep']).stdout, /--target <targets>/);
    const bare = cli(['pidfiles']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Usage: procsweep pidfiles/);
  });
});
