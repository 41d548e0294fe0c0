// Seed 002, the GStreamer RTSP bridge (neolink): streaming work runs on blocking threads; when a
// camera stalls, a thread hangs in C code for good and the timeout can only abandon it, so
// `ps` shows the thread count creeping up and the pipeline living far longer than any stream.
// The bridge is no ffmpeg: the operator describes it with `--signature`. `watch --json` raises
// the growth alarm for the leaking bridge only, `list --max-age` flags the pipeline that has
// outlived its welcome, and `sweep --target long-lived` removes it while a fresh one keeps going.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ACTORS, alive, entry, needs, procState, PYTHON, requireCommand, Stage, waitFor } from './stage.js';

describe('scenario 5: a GStreamer bridge leaks threads and outlives its streams (seed 002)', { skip: needs(PYTHON), timeout: 60_000 }, () => {
  const stage = new Stage('bridge');
  /** How the operator tells procsweep what the bridge looks like, fenced to this scenario. */
  const scope = (): string[] => ['--signature', 'neolink=neolink-bridge\\.py', '--match', 'neolink', '--args', stage.mark];
  let stuck = 0;
  let fresh = 0;
  let threadsAtStart = 0;

  const bridge = (camera: string, leak: boolean): number =>
    stage.spawn(PYTHON, [join(ACTORS, 'neolink-bridge.py'), '--camera', camera, ...(leak ? ['--leak'] : []), stage.mark]).pid!;

  before(async () => {
    stuck = bridge('driveway', true);
    assert.ok(await waitFor(() => (procState(stuck)?.threads ?? 0) >= 3), 'the bridge is up');
    threadsAtStart = procState(stuck)!.threads;
  });
  after(() => stage.cleanup());

  test('the stuck bridge\'s thread count keeps climbing', async () => {
    // What the operator saw with `ps`: sample it for a while; it only ever goes up.
    const samples = [threadsAtStart];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 250));
      samples.push(procState(stuck)?.threads ?? 0);
    }
    assert.deepEqual(samples, [...samples].sort((a, b) => a - b), `never falls: ${samples.join(' ')}`);
    assert.ok(samples[samples.length - 1] >= threadsAtStart + 5, `climbs: ${samples.join(' ')}`);
  });

  test('list --signature finds the bridge, with its thread count', () => {
    fresh = bridge('porch', false);
    const doc = stage.list(scope());
    const p = entry(doc, stuck);
    assert.equal(p.signature, 'neolink');
    assert.ok((p.threads ?? 0) > threadsAtStart, `threads ${p.threads}`);
  });

  test('watch --json raises the growth alarm for the leaking bridge only', () => {
    requireCommand(['watch'], 'the watch helper');
    assert.ok(alive(fresh));
    const r = stage.psw(['watch', '--json', '--interval', '250ms', '--window', '1500ms', '--count', '12', ...scope()]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.type === 'tick'), 'ticks are reported');
    const alarms = lines.filter((l) => l.type === 'event' && l.event === 'alarm' && l.state === 'raised').map((l) => l.alarm);
    const growth = alarms.filter((a) => a.kind === 'growth');
    assert.deepEqual([...new Set(growth.map((a) => a.pid))], [stuck], JSON.stringify(alarms));
    assert.match(growth[0].reason, /threads grew/);
    assert.ok(growth[0].value > growth[0].threshold);
  });

  test('list --max-age flags the pipeline that has run too long, not the fresh one', () => {
    const ages = stage.list(scope());
    const startOf = (pid: number): number => Date.parse(entry(ages, pid).startedAt!);
    assert.ok(startOf(fresh) - startOf(stuck) >= 2000, 'the fresh bridge started well after the stuck one');
    // The stuck bridge's age now, less clock-tick rounding: it is past that at any later scan, and the
    // fresh one (started >= 2 s later) stays under it unless the scan itself comes seconds late.
    const maxAge = Math.round(Date.now() - startOf(stuck)) - 100;
    const doc = stage.list([...scope(), '--max-age', `${maxAge}ms`]);
    assert.ok(entry(doc, stuck).flags.includes('long-lived'), JSON.stringify(entry(doc, stuck).flags));
    assert.match(entry(doc, stuck).reasons['long-lived'], /longer than --max-age/);
    assert.ok(!entry(doc, fresh).flags.includes('long-lived'));
  });

  test('sweep --target long-lived removes the stuck bridge and keeps the fresh one', async () => {
    requireCommand(['sweep'], 'the engine helper');
    const ages = stage.list(scope());
    const startOf = (pid: number): number => Date.parse(entry(ages, pid).startedAt!);
    const olderThan = Math.round(Date.now() - startOf(stuck)) - 100; // as in the --max-age test above
    const r = stage.psw(['sweep', '--target', 'long-lived', '--older-than', `${olderThan}ms`, '-y', '--json', '--grace', '2s', ...scope(), '--lock-file', stage.lockFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().targets.map((t: { pid: number }) => t.pid), [stuck]);
    assert.ok(await waitFor(() => !alive(stuck)));
    assert.ok(alive(fresh), 'the fresh bridge still runs');
  });
});
