// Seed 001, the SRT router: a Node router saves each route's PIDs to
// `{routeId}_{type}.pid` (PID, then epoch ms) and starts srt-live-transmit and ffmpeg. The server
// crashes; its workers keep running, holding their ports. On restart the router's own answer was
// `pkill -9 srt-live-transmit` plus "kill every srt-live-transmit without a pidfile", which also
// kills the routes of any other router on the host. procsweep removes the crashed router's
// workers through their pidfiles, then the one it never recorded, and nothing else.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ACTORS, alive, crash, entry, firstLine, freeUdpPorts, needs, procState, requireCommand, Stage, waitFor } from './stage.js';

interface RouteInfo {
  id: string;
  srt: number;
  ffmpeg: number | null;
}

describe('scenario 1: the SRT router crashes and leaves its routes running (seed 001)', { skip: needs('ffmpeg', 'srt-live-transmit'), timeout: 60_000 }, () => {
  const stage = new Stage('srt-router');
  let crashedDir = '';
  let healthyDir = '';
  let router = 0;
  let supervisor = 0;
  let routes: RouteInfo[] = [];
  let healthy: RouteInfo;
  /** The three workers the crashed router recorded, and the one it never did. */
  let recorded: number[] = [];
  let unrecorded = 0;
  /** The output type of the second route, port included, as the router names its pidfile. */
  let outType = '';

  /** Starts the router actor with its routes; resolves with what it reports once its pidfiles are saved. */
  async function startRouter(pidDir: string, routeDefs: object[]): Promise<{ pid: number; routes: RouteInfo[] }> {
    const cfg = { pidDir, logDir: stage.mkdir('logs'), mark: stage.mark, routes: routeDefs };
    const child = stage.spawn(process.execPath, [join(ACTORS, 'srt-router.mjs'), JSON.stringify(cfg)], ['ignore', 'pipe', 'inherit']);
    const ready = JSON.parse(await firstLine(child));
    return { pid: child.pid!, routes: ready.routes };
  }

  before(async () => {
    crashedDir = stage.mkdir('srt-gateway-pids');
    healthyDir = stage.mkdir('other-router-pids');
    const [a, b, c, d, e, f, g, h] = await freeUdpPorts(8);
    const t = Date.now();
    outType = `srtOut:${d}`;
    // The router that will crash: a transcoded route, a plain route whose output type carries a
    // port (`srtOut:PORT`), and a route it spawned but crashed before recording.
    const crashed = await startRouter(crashedDir, [
      { id: `route_${t}`, udpIn: a, srtOut: b, transcode: true },
      { id: `route_${t + 1}`, udpIn: c, srtOut: d, outType },
      { id: `route_${t + 2}`, udpIn: e, srtOut: f, pidfile: false },
    ]);
    // Another router on the same host, alive and well, with its own pid dir.
    const other = await startRouter(healthyDir, [{ id: `route_${t + 3}`, udpIn: g, srtOut: h }]);
    router = crashed.pid;
    supervisor = other.pid;
    routes = crashed.routes;
    healthy = other.routes[0];
    recorded = [routes[0].srt, routes[0].ffmpeg!, routes[1].srt];
    unrecorded = routes[2].srt;
    assert.ok(await waitFor(() => [...recorded, unrecorded, healthy.srt].every(alive)), 'every route is up');

    await crash(router);
    assert.ok(await waitFor(() => [...recorded, unrecorded].every((pid) => procState(pid)?.ppid !== router)), 'workers reparented');
  });
  after(() => stage.cleanup());

  test('the crash leaves three pidfiles naming live workers, one worker unrecorded', () => {
    const files = readdirSync(crashedDir).sort();
    assert.deepEqual(files, [`${routes[0].id}_ffmpeg.pid`, `${routes[0].id}_srt.pid`, `${routes[1].id}_${outType}.pid`].sort());
    for (const f of files) assert.match(readFileSync(join(crashedDir, f), 'utf8'), /^\d+\n\d{13}\n$/);
    for (const pid of [...recorded, unrecorded]) assert.ok(alive(pid), `worker ${pid} outlived its router`);
  });

  test('list: all four workers of the crashed router are orphans; the other router\'s route is not', () => {
    const doc = stage.list();
    for (const pid of [...recorded, unrecorded]) {
      const p = entry(doc, pid);
      assert.ok(p.flags.includes('orphan'), `${pid}: ${JSON.stringify(p.reasons)}`);
      assert.match(p.reasons.orphan, /parent is PID 1 .*session leader \d+ is gone/);
    }
    assert.equal(entry(doc, routes[0].srt).signature, 'srt-live-transmit');
    assert.equal(entry(doc, routes[0].ffmpeg!).signature, 'ffmpeg');
    const ok = entry(doc, healthy.srt);
    assert.deepEqual(ok.flags, []);
    assert.equal(ok.ppid, supervisor);
  });

  test('list --pid-dir: the recorded workers are orphan + tracked, the unrecorded one orphan + untracked', () => {
    requireCommand(['pidfiles', 'list'], 'the pidfiles helper (tracked/untracked come from src/core/pidfiles)');
    const doc = stage.list(['--pid-dir', crashedDir, '--pid-dir', healthyDir]);
    for (const pid of recorded) {
      const p = entry(doc, pid);
      assert.deepEqual([...p.flags].sort(), ['orphan', 'tracked'], `${pid}: ${JSON.stringify(p.reasons)}`);
      assert.ok(p.pidfile?.startsWith(crashedDir), `${pid} tracked by ${p.pidfile}`);
    }
    const lost = entry(doc, unrecorded);
    assert.deepEqual([...lost.flags].sort(), ['orphan', 'untracked']);
    assert.match(lost.reasons.untracked, /no live pidfile/);
    // The other router's route: its supervisor is alive and its pidfile names it.
    const ok = entry(doc, healthy.srt);
    assert.deepEqual(ok.flags, ['tracked']);
    assert.equal(ok.pidfile, join(healthyDir, `${healthy.id}_srt.pid`));
  });

  test('pidfiles list: every entry of the crashed router is live, with route and type parsed', () => {
    requireCommand(['pidfiles', 'list'], 'the pidfiles helper');
    const r = stage.psw(['pidfiles', 'list', '--json', '--pid-dir', crashedDir]);
    assert.equal(r.code, 0, r.stderr);
    const entries = r.json().pidfiles as Array<Record<string, unknown>>;
    assert.equal(entries.length, 3);
    const byPid = new Map(entries.map((e) => [e.pid, e]));
    const ff = byPid.get(routes[0].ffmpeg!)!;
    assert.equal(ff.format, 'timestamped');
    assert.equal(ff.routeId, routes[0].id);
    assert.equal(ff.processType, 'ffmpeg');
    assert.ok(Math.abs(Date.parse(String(ff.recordedAt)) - Date.now()) < 60_000, `recordedAt ${ff.recordedAt} is the time the router wrote`);
    assert.equal(byPid.get(routes[1].srt)!.processType, outType, 'a type may carry a port after a colon');
    for (const e of entries) assert.equal(e.status, 'live', `${e.path}: ${e.reason}`);
  });

  test('pidfiles clean --kill: the recorded workers and their files are gone', async () => {
    requireCommand(['pidfiles', 'clean'], 'the pidfiles helper');
    const r = stage.psw(['pidfiles', 'clean', '--kill', '-y', '--json', '--grace', '2s', '--lock-file', stage.lockFile, '--pid-dir', crashedDir]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(doc.pidfiles.length, 3);
    assert.ok(await waitFor(() => recorded.every((pid) => !alive(pid))), 'recorded workers terminated');
    assert.deepEqual(readdirSync(crashedDir), [], 'their pidfiles removed');
    // Only the pid dir's own entries were acted on.
    assert.ok(alive(unrecorded), 'the unrecorded worker is left for the sweep');
    assert.ok(alive(healthy.srt) && alive(supervisor), 'the other router and its route are untouched');
  });

  test('sweep --target untracked: the worker no pidfile names is removed', async () => {
    requireCommand(['sweep'], 'the engine helper');
    const args = ['sweep', '--target', 'untracked', '-y', '--json', '--grace', '2s', '--args', stage.mark, '--pid-dir', crashedDir, '--pid-dir', healthyDir, '--lock-file', stage.lockFile];
    const preview = stage.psw([...args.filter((a) => a !== '-y'), '-n']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.deepEqual(preview.json().targets.map((t: { pid: number }) => t.pid), [unrecorded], 'the dry run plans exactly the unrecorded worker');
    assert.ok(alive(unrecorded), 'a dry run signals nothing');

    const r = stage.psw(args);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.deepEqual(doc.targets.map((t: { pid: number }) => t.pid), [unrecorded]);
    assert.ok(['terminated', 'killed'].includes(doc.targets[0].outcome), doc.targets[0].reason);
    assert.ok(await waitFor(() => !alive(unrecorded)));
  });

  test('the other router survives all of it: supervisor, route and pidfile', () => {
    assert.ok(alive(supervisor), 'supervisor alive');
    assert.ok(alive(healthy.srt), 'its srt-live-transmit alive');
    assert.equal(procState(healthy.srt)?.ppid, supervisor);
    assert.deepEqual(readdirSync(healthyDir), [`${healthy.id}_srt.pid`]);
    assert.ok(existsSync(join(healthyDir, `${healthy.id}_srt.pid`)));
    const doc = stage.list(['--pid-dir', healthyDir]);
    assert.deepEqual(doc.processes.filter((p) => p.state !== 'Z').map((p) => p.pid), [healthy.srt], 'only the healthy route is left');
  });
});
