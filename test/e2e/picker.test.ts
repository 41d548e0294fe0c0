import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { alive, BIN, cli, waitFor } from '../helpers/procs.js';
import { startInTerminal, terminalExit, terminalWorld } from '../helpers/tmux.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// The picker at scale (#15 item 6), in a real terminal: 30 candidates, 20 rows at a time. It
// says how many there are, filters as you type after `/`, and `a`/`i` act on the rows shown.
describe('the candidate picker at scale (tmux)', { skip: needs('tmux') }, () => {
  const { dir, scope, terms } = terminalWorld('pick');

  test('count, filter by typing, invert on what is shown; the plan then holds 29; No signals nothing', async () => {
    const mark = scope.mark('pick');
    const sleep = markedSleep(dir, mark);
    const pids: number[] = [];
    // Each sleep runs for a different number of seconds: the part of the command that tells them apart.
    for (let i = 0; i < 30; i++) pids.push(await sleeperOrphan(scope, sleep, { seconds: 400 + i }));
    const scoped = ['--signature', `stub=${mark}`, '--args', mark];
    assert.ok(await waitFor(() => cli(['list', '--json', ...scoped]).json().processes.length === 30, 10_000));
    const run = startInTerminal(BIN, dir, terms, ['sweep', '--json', ...scoped, '--lock-file', join(dir, 'p.lock')]);
    const { term } = run;
    const first = await term.waitFor(/30 candidates · rows 1 of 30, 20 at a time · 30 checked/, 20_000);
    assert.match(first, /PID\s+AGE\s+CPU%\s+FLAGS\s+COMMAND/);
    // The highlighted row in full under the list: its command and its reason.
    assert.match(first, new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${mark}/sleep 4\\d\\d$`, 'm'));
    assert.match(first, /^orphan: parent is PID 1/m);
    term.send('/');
    await term.waitFor(/filter: _/);
    // The filter matches words anywhere in a row, its PID and path too: pick a duration that no
    // PID and not the temp path contain (a fixed 'sleep 417' also matched the row of PID 7417 once).
    const secs = Array.from({ length: 30 }, (_, i) => 400 + i).find((n) => n !== 400 && !sleep.includes(String(n)) && !pids.some((p) => String(p).includes(String(n))));
    assert.ok(secs, `a duration none of ${pids.join(', ')} contains`);
    const q = `sleep ${secs}`;
    term.send('-l', q);
    const filtered = await term.waitFor(new RegExp(`1 of 30 match '${q}' · 30 checked \\(29 not shown\\)`));
    assert.match(filtered, new RegExp(q));
    assert.doesNotMatch(filtered, new RegExp(`sleep ${secs - 1}\\b`));
    term.send('Enter'); // keep the filter, back to the keys
    await term.waitFor(/a all shown • i invert shown/);
    term.send('i');
    await term.waitFor(new RegExp(`1 of 30 match '${q}' · 29 checked \\(29 not shown\\)`));
    term.send('a'); // all shown: the one row is checked again
    await term.waitFor(new RegExp(`1 of 30 match '${q}' · 30 checked`));
    term.send('i');
    await term.waitFor(/29 checked/);
    term.send('Enter');
    await term.waitFor(/Signal these 29 processes\?/);
    term.send('n', 'Enter');
    assert.equal(await terminalExit(run), 0, term.capture());
    assert.match(term.capture(), /Nothing was signalled/);
    assert.equal(JSON.parse(readFileSync(run.out, 'utf8')).dryRun, true);
    for (const p of pids) assert.ok(alive(p), `${p} was signalled`);
  });
});
