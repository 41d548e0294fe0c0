import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { alive, BIN, cli, waitFor } from '../helpers/procs.js';
import { startInTerminal, terminalExit, terminalWorld, Tmux } from '../helpers/tmux.js';
import { needs } from '../helpers/needs.js';

// Tell the workers apart (#15 item 2): three leaked ffmpeg that differ only in their input and
// output. Shortened to the terminal, each row still shows its own colour and output file, in the
// list, the picker, the plan and the report; below 80 columns columns are left out, never wrapped.
const COLOURS = ['red', 'green', 'blue'] as const;

describe('shortened commands keep what tells the workers apart (tmux)', { skip: needs('ffmpeg', 'tmux') }, () => {
  const { dir, scope, terms } = terminalWorld('distinct');
  const mark = scope.mark('distinct');
  const pids = new Map<string, number>();

  before(async () => {
    for (const c of COLOURS) {
      const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=${c}:size=32x32:rate=5`, '-metadata', `comment=${mark}`, '-f', 'nut', join(dir, `out-${c}.nut`)];
      pids.set(c, await scope.orphan('ffmpeg', args));
    }
    assert.ok(await waitFor(() => cli(['list', '--json', '--flag', 'orphan', '--args', mark]).json().processes.length === 3, 10_000));
  });

  /** The screen's row of a pid. */
  const rowOf = (screen: string, pid: number): string => screen.split('\n').find((l) => new RegExp(`^\\s*(\\S+\\s+)?${pid}\\s`).test(l)) ?? '';

  /** `procsweep ARGS` on a terminal `width` wide, stdout on the screen; the screen once it is done. */
  async function onTerminal(width: number, args: string[]): Promise<string> {
    const t = new Tmux(width, 40);
    terms.push(t);
    t.start(`${process.execPath} ${BIN} ${args.map((a) => `'${a}'`).join(' ')}; echo DONE; sleep 30`, { NO_COLOR: '1' });
    return t.waitFor(/^DONE$/m, 20_000);
  }

  for (const width of [140, 80, 60]) {
    test(`list at ${width} columns: every row shows its own input and output; the header stays whole`, async () => {
      const screen = await onTerminal(width, ['list', '--args', mark]);
      const header = screen.split('\n').find((l) => /^\s*PID\s/.test(l)) ?? '';
      assert.match(header, /\sFLAGS\s+COMMAND$/, screen);
      const table = [header, ...COLOURS.map((c) => rowOf(screen, pids.get(c)!))];
      assert.equal(table.length, 4, screen);
      for (const l of table) assert.ok(l.trimEnd().length < width, `wider than the terminal (wrapped): ${l}`);
      const cells = COLOURS.map((c) => {
        const row = rowOf(screen, pids.get(c)!);
        assert.ok(row.includes(c), `${width}: the ${c} row shows ${c}: ${row}\n${screen}`);
        assert.match(row, /ffmpeg /);
        return row.slice(row.indexOf('ffmpeg'));
      });
      assert.equal(new Set(cells).size, 3, cells.join('\n'));
      if (width >= 140) for (const c of COLOURS) assert.ok(rowOf(screen, pids.get(c)!).includes(`out-${c}.nut`), screen);
      else assert.doesNotMatch(screen, /-hide_banner -loglevel error -re/, 'the shared options give way first');
    });
  }

  test('the picker at 80 columns tells the three apart, shows the highlighted one in full with its reason, and the plan does too', async () => {
    const run = startInTerminal(BIN, dir, terms, ['sweep', '--json', '--args', mark, '--lock-file', join(dir, 'p.lock')], [80, 40]);
    const { term } = run;
    const first = await term.waitFor(/3 candidates/, 20_000);
    for (const c of COLOURS) assert.ok(rowOf(first.replace(/[❯◉◯]/g, ' '), pids.get(c)!).includes(c), `picker row of ${c}:\n${first}`);
    assert.match(first, /^orphan: parent is PID 1/m, 'the reason of the highlighted row');
    assert.match(first.replace(/\n/g, ' '), new RegExp(`comment=${mark} -f nut \\S+/out-\\w+\\.nut`), 'its whole command');
    term.send('Enter');
    const plan = await term.waitFor(/Signal these 3 processes\?/);
    for (const c of COLOURS) assert.ok(rowOf(plan, pids.get(c)!).includes(c), `plan row of ${c}:\n${plan}`);
    term.send('n', 'Enter');
    assert.equal(await terminalExit(run), 0, term.capture());
    for (const c of COLOURS) assert.ok(alive(pids.get(c)!), `${c} was signalled`);
  });

  test('the report at 80 columns tells them apart too (sweep -y, scoped to this test)', async () => {
    const screen = await onTerminal(80, ['sweep', '-y', '--args', mark, '--lock-file', join(dir, 'y.lock')]);
    for (const c of COLOURS) {
      const row = rowOf(screen.split(/^Done in/m)[0].split(/^\s*PID\s+OUTCOME/m)[1] ?? '', pids.get(c)!);
      assert.match(row, /terminated|killed/, screen);
      assert.ok(row.includes(c), `report row of ${c}: ${row}\n${screen}`);
    }
    for (const c of COLOURS) assert.ok(await waitFor(() => !alive(pids.get(c)!)), `${c} still alive`);
  });
});
