import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { cli, privateWorld, waitFor } from '../helpers/procs.js';
import { markedSleep } from '../helpers/workers.js';

// list shows why (#15 item 3): each suspect's reason in the human view, identical reasons on one
// line, in list and in the sweep -n plan. Ten workers leaked by one crashed supervisor (one
// session whose leader is gone) share one reason.
describe('list and sweep -n say why, grouping identical reasons', () => {
  const { dir, scope } = privateWorld('why');
  const mark = scope.mark('why');
  const scoped = ['--signature', `stub=${mark}`, '--args', mark];
  let pids: number[] = [];

  before(async () => {
    const sleep = markedSleep(dir, mark);
    // The supervisor: a session of its own, ten workers in the background (each sleeping a different time, so none is a duplicate), then it exits.
    const sup = spawn('sh', ['-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do "$0" $((300 + i)) </dev/null >/dev/null 2>&1 & done', sleep], { detached: true, stdio: 'ignore' });
    await new Promise((r) => sup.on('close', r));
    assert.ok(await waitFor(() => cli(['list', '--json', '--flag', 'orphan', ...scoped]).json().processes.length === 10, 10_000));
    pids = cli(['list', '--json', ...scoped]).json().processes.map((p: any) => p.pid).sort((a: number, b: number) => a - b);
  });

  test('list: one why line for the ten, naming the first six and counting the rest', () => {
    const r = cli(['list', ...scoped]);
    assert.equal(r.code, 0, r.stderr);
    const why = r.stdout.split('\n').filter((l) => /^\s+why\s/.test(l));
    assert.equal(why.length, 1, r.stdout);
    assert.match(why[0], new RegExp(`^  why  ${pids.slice(0, 6).join(', ')} and 4 more: orphan: parent is PID 1 \\(.*\\); session leader \\d+ is gone$`));
    // The table comes first, the reasons under it, then the summary.
    const lines = r.stdout.split('\n');
    assert.ok(lines.indexOf(why[0]) > lines.findIndex((l) => l.includes(String(pids[9]))), r.stdout);
    assert.ok(lines.indexOf(why[0]) < lines.findIndex((l) => /^10 matched/.test(l)), r.stdout);
    // --json keeps one reason per process, exactly.
    for (const p of cli(['list', '--json', ...scoped]).json().processes) assert.match(p.reasons.orphan, /^parent is PID 1 .*session leader \d+ is gone$/);
  });

  test('list --tree says why too', () => {
    const r = cli(['list', '--tree', ...scoped]);
    assert.equal(r.stdout.split('\n').filter((l) => /^\s+why\s.*orphan: parent is PID 1/.test(l)).length, 1, r.stdout);
  });

  test('sweep -n: the ten trees, one why line', () => {
    const r = cli(['sweep', '-n', ...scoped]);
    assert.equal(r.code, 0, r.stderr);
    const why = r.stdout.split('\n').filter((l) => /^\s+why\s/.test(l));
    assert.deepEqual(why.map((l) => l.replace(/:.*/, '')), [`  why  ${pids.slice(0, 6).join(', ')} and 4 more`], r.stdout);
    assert.match(r.stdout, /would signal 10 processes in 10 trees/);
    for (const pid of pids) assert.match(r.stdout, new RegExp(`^${pid} `, 'm'), 'every tree is still drawn');
  });
});
