import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, BIN, have, marker, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';

// The interactive prompt, driven in a real terminal: a private tmux server runs procsweep with
// stdout to a file, so the pane shows exactly what goes to stderr (the prompts).
const HAVE = have('tmux');

describe('sweep prompt in a terminal (tmux)', { skip: HAVE ? false : 'tmux missing (.ci/run installs it)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-prompt-'));
  const scope = new Scope();
  const socket = marker('pswtmux');
  const tmux = (...args: string[]): string => spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' }).stdout ?? '';
  after(() => {
    tmux('kill-server');
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  let runs = 0;
  /** Starts `procsweep sweep` in a fresh tmux window; returns where its stdout and exit code land. */
  const start = (args: string[]): { out: string; code: string; window: string } => {
    const n = runs++;
    const out = join(dir, `out${n}.json`);
    const code = join(dir, `code${n}`);
    const cmd = `NO_COLOR=1 ${process.execPath} ${BIN} sweep ${args.map((a) => `'${a}'`).join(' ')} > ${out}; echo $? > ${code}; sleep 600`;
    const window = `w${n}`;
    if (n === 0) tmux('new-session', '-d', '-s', 'psw', '-n', window, '-x', '200', '-y', '50', cmd);
    else tmux('new-window', '-d', '-t', 'psw', '-n', window, cmd);
    return { out, code, window };
  };
  const screen = (w: string): string => tmux('capture-pane', '-p', '-t', `psw:${w}`);
  const keys = (w: string, ...k: string[]): void => void tmux('send-keys', '-t', `psw:${w}`, ...k);
  const exitCode = async (f: string): Promise<number> => {
    assert.ok(await waitFor(() => existsSync(f) && readFileSync(f, 'utf8').trim() !== '', 20_000), 'procsweep did not finish');
    return Number(readFileSync(f, 'utf8').trim());
  };

  const setup = async (): Promise<{ pids: number[]; args: string[] }> => {
    const mark = scope.mark('prompt');
    const path = markedSleep(dir, mark);
    const pids = [await sleeperOrphan(scope, path), await sleeperOrphan(scope, path), await sleeperOrphan(scope, path)].sort((a, b) => a - b);
    return { pids, args: ['--json', '--grace', '1s', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(dir, `${mark}.lock`)] };
  };

  test('answering No kills nothing', async () => {
    const { pids, args } = await setup();
    const run = start(args);
    assert.ok(await waitFor(() => screen(run.window).includes('Remove these processes'), 20_000), screen(run.window));
    for (const p of pids) assert.match(screen(run.window), new RegExp(`\\b${p}\\b.*orphan.*sleep 300`));
    keys(run.window, 'Enter');
    assert.ok(await waitFor(() => /Signal these 3 processes\?/.test(screen(run.window)), 10_000), screen(run.window));
    keys(run.window, 'n');
    keys(run.window, 'Enter');
    assert.equal(await exitCode(run.code), 0);
    assert.match(screen(run.window), /Nothing was signalled/);
    const doc = JSON.parse(readFileSync(run.out, 'utf8'));
    assert.equal(doc.dryRun, true);
    for (const p of pids) assert.ok(alive(p), `${p} was killed`);
  });

  test('answering Yes kills exactly the checked targets (one unchecked with space)', async () => {
    const { pids, args } = await setup();
    const run = start(args);
    assert.ok(await waitFor(() => screen(run.window).includes('Remove these processes'), 20_000), screen(run.window));
    keys(run.window, 'Down');
    keys(run.window, 'Space');
    assert.ok(await waitFor(() => /◯.*\b\d+\b/.test(screen(run.window)) || /\( \)/.test(screen(run.window))), screen(run.window));
    keys(run.window, 'Enter');
    assert.ok(await waitFor(() => /Signal these 2 processes\?/.test(screen(run.window)), 10_000), screen(run.window));
    keys(run.window, 'y');
    keys(run.window, 'Enter');
    assert.equal(await exitCode(run.code), 0);
    const doc = JSON.parse(readFileSync(run.out, 'utf8'));
    assert.equal(doc.dryRun, false);
    assert.deepEqual(doc.targets.map((t: any) => t.pid).sort((a: number, b: number) => a - b), [pids[0], pids[2]]);
    assert.ok(!alive(pids[0]));
    assert.ok(alive(pids[1]), 'the unchecked one is alive');
    assert.ok(!alive(pids[2]));
  });
});
