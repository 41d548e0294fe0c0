import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { alive, BIN, cli, waitFor } from '../helpers/procs.js';
import { startInTerminal, terminalExit, terminalWorld } from '../helpers/tmux.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// Follow the wait (#15 item 5): during the grace a terminal shows a live line (countdown to
// SIGKILL, counts so far, how many are left), and the report names what needed SIGKILL.
describe('the live grace line (tmux)', { skip: needs('tmux') }, () => {
  const { dir, scope, terms } = terminalWorld('grace');

  test('2 exit on TERM, 3 ignore it: the countdown falls while nothing changes, then SIGKILL; the report names the 3', async () => {
    const mark = scope.mark('grace');
    const sleep = markedSleep(dir, mark);
    const soft = [await sleeperOrphan(scope, sleep), await sleeperOrphan(scope, sleep)];
    const hard: number[] = [];
    for (let i = 0; i < 3; i++) hard.push(await sleeperOrphan(scope, sleep, { ignoreTerm: true }));
    const scoped = ['--signature', `stub=${mark}`, '--args', mark];
    assert.ok(await waitFor(() => cli(['list', '--json', ...scoped]).json().processes.length === 5));
    const run = startInTerminal(BIN, dir, terms, ['sweep', '-y', '--grace', '6s', ...scoped, '--lock-file', join(dir, 'g.lock')]);
    const first = await run.term.waitFor(/2 terminated, 3 left; SIGKILL in \d\.\ds/, 20_000);
    const secs = (screen: string): number => Number(/SIGKILL in (\d+\.\d)s/.exec(screen)![1]);
    const t0 = secs(first);
    // The line is redrawn while no process changes: the countdown moves.
    const later = await run.term.waitFor(new RegExp(`SIGKILL in (?!${t0.toFixed(1).replace('.', '\\.')}s)\\d\\.\\ds`), 5000);
    assert.ok(secs(later) < t0, `${secs(later)} !< ${t0}`);
    assert.match(later, /^procsweep: 2 terminated, 3 left; SIGKILL in \d\.\ds to those if still running$/m);
    assert.equal(await terminalExit(run), 0, run.term.capture());
    for (const p of [...soft, ...hard]) assert.ok(!alive(p), `${p} is alive`);
    const out = readFileSync(run.out, 'utf8');
    assert.match(out, /2 terminated, 3 killed \(needed SIGKILL\); nothing left running\./);
    const named = /^Needed SIGKILL \(3; a recorder's output may be unfinalized\): (.*)$/m.exec(out);
    assert.ok(named, out);
    assert.deepEqual(named[1].split(', ').map((x) => Number(x.split(' ')[0])).sort(), [...hard].sort());
    assert.match(named[1], /^\d+ sleep, \d+ sleep, \d+ sleep$/);
  });
});
