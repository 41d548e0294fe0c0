import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { alive, BIN } from '../helpers/procs.js';
import { startInTerminal, terminalExit, terminalWorld, type TerminalRun } from '../helpers/tmux.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// The interactive prompt, driven in a real terminal: a private tmux server runs procsweep with
// stdout to a file, so the pane shows exactly what goes to stderr (the prompts).

describe('sweep prompt in a terminal (tmux)', { skip: needs('tmux') }, () => {
  const { dir, scope, terms } = terminalWorld('prompt');

  const start = (args: string[]): TerminalRun => startInTerminal(BIN, dir, terms, ['sweep', ...args]);
  const exited = terminalExit;

  const setup = async (): Promise<{ pids: number[]; args: string[] }> => {
    const mark = scope.mark('prompt');
    const path = markedSleep(dir, mark);
    const pids = [await sleeperOrphan(scope, path), await sleeperOrphan(scope, path), await sleeperOrphan(scope, path)].sort((a, b) => a - b);
    return { pids, args: ['--json', '--grace', '1s', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(dir, `${mark}.lock`)] };
  };

  test('answering No kills nothing', async () => {
    const { pids, args } = await setup();
    const run = start(args);
    const { term, out } = run;
    const screen = await term.waitFor(/Remove these processes/, 20_000);
    for (const p of pids) assert.match(screen, new RegExp(`\\b${p}\\b.*orphan.*sleep 300`));
    term.send('Enter');
    await term.waitFor(/Signal these 3 processes\?/);
    term.send('n');
    term.send('Enter');
    assert.equal(await exited(run), 0);
    assert.match(term.capture(), /Nothing was signalled/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(doc.dryRun, true);
    for (const p of pids) assert.ok(alive(p), `${p} was killed`);
  });

  test('answering Yes kills exactly the checked targets (one unchecked with space)', async () => {
    const { pids, args } = await setup();
    const run = start(args);
    const { term, out } = run;
    await term.waitFor(/Remove these processes/, 20_000);
    term.send('Down');
    term.send('Space');
    await term.waitFor(new RegExp(`◯\\s+${pids[1]}\\b`));
    term.send('Enter');
    await term.waitFor(/Signal these 2 processes\?/);
    term.send('y');
    term.send('Enter');
    assert.equal(await exited(run), 0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(doc.dryRun, false);
    assert.deepEqual(doc.targets.map((t: any) => t.pid).sort((a: number, b: number) => a - b), [pids[0], pids[2]]);
    assert.ok(!alive(pids[0]));
    assert.ok(alive(pids[1]), 'the unchecked one is alive');
    assert.ok(!alive(pids[2]));
  });
});
