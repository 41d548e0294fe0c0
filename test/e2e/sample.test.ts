import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { badInputTests, cli, privateWorld, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';

// CPU% says what it is (#15 item 11): the lifetime average by default (like ps -o pcpu), recent
// use with --sample, labelled; --json keeps cpuPercent and adds cpuSamplePercent.
describe('list --sample: recent CPU of the listed processes', () => {
  const { dir, scope } = privateWorld('sample');
  const mark = scope.mark('sample');
  const scoped = ['--signature', `stub=${mark}`, '--args', mark];
  let spinner = 0;
  let sleeper = 0;
  let stalled = 0;

  before(async () => {
    const sleep = markedSleep(dir, mark);
    spinner = await scope.orphan('sh', ['-c', 'while :; do :; done', `${mark}-spin`]);
    sleeper = await sleeperOrphan(scope, sleep);
    // Burns CPU, then sleeps: hot on average over its life, idle now (the stalled ffmpeg of the report).
    stalled = await scope.orphan('sh', ['-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec "$0" 300', sleep]);
    assert.ok(await waitFor(() => {
      const ps = cli(['list', '--json', ...scoped]).json().processes;
      const s = ps.find((p: any) => p.pid === stalled);
      return ps.length === 3 && s && !s.argv.includes('-c');
    }, 30_000), 'the three workers, the stalled one past its burn');
  });

  test('the spinner sampled is hotter than the sleeper; the stalled one is hot over its life only', () => {
    const r = cli(['list', '--json', '--sample', '500ms', ...scoped]);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json();
    assert.equal(j.cpuSampleMs, 500);
    const by = new Map<number, any>(j.processes.map((p: any) => [p.pid, p]));
    for (const p of by.values()) {
      assert.equal(typeof p.cpuSamplePercent, 'number', JSON.stringify(p));
      assert.equal(typeof p.cpuPercent, 'number', 'the lifetime average is still there');
    }
    assert.ok(by.get(spinner).cpuSamplePercent > by.get(sleeper).cpuSamplePercent, JSON.stringify([...by.values()].map((p) => [p.pid, p.cpuSamplePercent])));
    assert.ok(by.get(stalled).cpuPercent > by.get(stalled).cpuSamplePercent, `stalled: lifetime ${by.get(stalled).cpuPercent}, sampled ${by.get(stalled).cpuSamplePercent}`);
    // Without --sample the JSON is as it was.
    const plain = cli(['list', '--json', ...scoped]).json();
    assert.equal('cpuSampleMs' in plain, false);
    assert.equal('cpuSamplePercent' in plain.processes[0], false);
  });

  test('the human table labels the column: CPU% (lifetime) or CPU%(500ms)', () => {
    const sampled = cli(['list', '--sample', '500ms', ...scoped]);
    assert.match(sampled.stdout, /^\s*PID\s.*\sCPU%\(500ms\)\s/m, sampled.stdout);
    const plain = cli(['list', ...scoped]);
    assert.match(plain.stdout, /^\s*PID\s.*\sCPU%\s/m);
    assert.doesNotMatch(plain.stdout, /CPU%\(/);
  });

  badInputTests([
    [['list', '--sample', 'soon'], 2, /^procsweep: --sample 'soon' is not a duration/],
    [['list', '--sample', '5ms'], 2, /^procsweep: --sample '5ms' is too short: at least 100ms/],
    [['list', '--sample', '2h'], 2, /^procsweep: --sample '2h' is too long: at most 1m/],
    [['list', '--sample', '1s', '--tree'], 2, /^procsweep: --sample fills the table's CPU% column/],
  ]);
});
