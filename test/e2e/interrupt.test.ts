import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, BIN, Scope, waitFor } from '../helpers/procs.js';
import { startInTerminal, terminalExit, terminalWorld, type TerminalRun, type Tmux } from '../helpers/tmux.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// Ctrl-C during a run of the engine (issue 12, item 3), in a real terminal: the first lets the
// run go on, the second cuts a long grace short (SIGKILL, verification, report), and the command
// exits 130 saying what it left. Ctrl-C at a prompt exits 130 too, signalling nothing.

/** Start time of a live process as epoch ms, from /proc (btime + ticks at USER_HZ 100). */
function startedAt(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  return btime * 1000 + ticks * 10;
}

describe('Ctrl-C while the engine runs, and at the prompts (tmux)', { skip: needs('tmux') }, () => {
  const { dir, scope, terms } = terminalWorld('int');

  const start = (args: string[]): TerminalRun => startInTerminal(BIN, dir, terms, args);
  const exited = terminalExit;

  /** Three marked orphans that ignore SIGTERM, and the options that scope a command to them. */
  const setup = async (): Promise<{ pids: number[]; mark: string; sleep: string; scoped: string[] }> => {
    const mark = scope.mark('int');
    const sleep = markedSleep(dir, mark);
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) pids.push(await sleeperOrphan(scope, sleep, { ignoreTerm: true }));
    pids.sort((a, b) => a - b);
    assert.ok(await waitFor(() => pids.every((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark))));
    return { pids, mark, sleep, scoped: ['--signature', `stub=${mark}`, '--args', mark] };
  };

  /** Ctrl-C once mid-grace: the run goes on and says how to cut it short; the targets are alive and not stopped. */
  const firstCtrlC = async (term: Tmux, pids: number[]): Promise<void> => {
    await term.waitFor(/0 terminated, 3 left; SIGKILL in \d+s/, 20_000);
    term.send('C-c');
    await term.waitFor(/SIGINT: finishing the run so no process is left stopped: the grace ends in \d+s.*Press Ctrl-C again/s);
    // The Ctrl-C may have landed mid-freeze: the run goes on and resumes them (the grace is long).
    const running = (p: number): boolean => alive(p) && !/\) [Tt] /.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
    assert.ok(await waitFor(() => pids.every(running), 10_000), `not all running after the first Ctrl-C: ${pids.filter((p) => !running(p)).join(', ')}`);
  };

  test('sweep -y --grace 120s: the second Ctrl-C SIGKILLs at once, reports, and exits 130', async () => {
    const { pids, scoped } = await setup();
    const run = start(['sweep', '-y', '--json', '--grace', '120s', ...scoped, '--lock-file', join(dir, 'a.lock')]);
    await firstCtrlC(run.term, pids);
    run.term.send('C-c');
    assert.equal(await exited(run), 130, run.term.capture());
    for (const p of pids) assert.ok(!alive(p), `${p} survived`);
    const doc = JSON.parse(readFileSync(run.out, 'utf8'));
    assert.deepEqual(doc.targets.map((t: any) => t.outcome), ['killed', 'killed', 'killed']);
    for (const t of doc.targets) assert.match(t.reason, /of the 120\.0s grace, cut short on request; SIGKILL ended it/);
    assert.match(run.term.capture(), /interrupted by SIGINT: 3 processes ended, nothing was left running/);
  });

  test('kill-group -y --grace 120s: the same two Ctrl-Cs end the group and exit 130', async () => {
    const { pids } = await setup();
    const run = start(['kill-group', '-y', '--json', '--grace', '120s', '--lock-file', join(dir, 'kg.lock'), ...pids.map(String)]);
    await firstCtrlC(run.term, pids);
    run.term.send('C-c');
    assert.equal(await exited(run), 130, run.term.capture());
    for (const p of pids) assert.ok(!alive(p), `${p} survived`);
    const doc = JSON.parse(readFileSync(run.out, 'utf8'));
    assert.deepEqual(doc.targets.filter((t: any) => pids.includes(t.pid)).map((t: any) => t.outcome), ['killed', 'killed', 'killed']);
    assert.match(run.term.capture(), /interrupted by SIGINT: 3 processes ended/);
  });

  test('pidfiles clean --kill -y --grace 120s: two Ctrl-Cs kill, remove the records, exit 130', async () => {
    const { pids, mark, scoped } = await setup();
    const pidDir = join(dir, `pids-${mark}`);
    mkdirSync(pidDir);
    pids.forEach((p, i) => writeFileSync(join(pidDir, `cam${i}_sleep.pid`), `${p}\n${startedAt(p) + 100}\n`));
    const run = start(['pidfiles', 'clean', '--kill', '-y', '--json', '--grace', '120s', '--lock-file', join(dir, 'pc.lock'), '--pid-dir', pidDir, ...scoped]);
    await firstCtrlC(run.term, pids);
    run.term.send('C-c');
    assert.equal(await exited(run), 130, run.term.capture());
    for (const p of pids) assert.ok(!alive(p), `${p} survived`);
    const doc = JSON.parse(readFileSync(run.out, 'utf8'));
    assert.deepEqual(doc.pidfiles.map((p: any) => p.action), ['killed', 'killed', 'killed']);
    assert.match(run.term.capture(), /interrupted by SIGINT: 3 processes ended, nothing was left running/);
  });

  test('Ctrl-C at the checkbox exits 130 and signals nothing', async () => {
    const { pids, scoped } = await setup();
    const run = start(['sweep', '--json', '--grace', '1s', ...scoped, '--lock-file', join(dir, 'b.lock')]);
    await run.term.waitFor(/Remove these processes/, 20_000);
    run.term.send('C-c');
    assert.equal(await exited(run), 130, run.term.capture());
    assert.match(run.term.capture(), /cancelled at the prompt: nothing was signalled/);
    for (const p of pids) assert.ok(alive(p), `${p} was killed`);
    assert.equal(readFileSync(run.out, 'utf8'), '', 'a cancel prints no report');
  });

  test('Ctrl-C at the confirm exits 130 and signals nothing; answering No still exits 0', async () => {
    const { pids, scoped } = await setup();
    const run = start(['sweep', '--grace', '1s', ...scoped, '--lock-file', join(dir, 'c.lock')]);
    await run.term.waitFor(/Remove these processes/, 20_000);
    run.term.send('Enter');
    await run.term.waitFor(/Signal these 3 processes\?/);
    run.term.send('C-c');
    assert.equal(await exited(run), 130, run.term.capture());
    for (const p of pids) assert.ok(alive(p), `${p} was killed`);

    const no = start(['kill-group', '--grace', '1s', '--lock-file', join(dir, 'kgp.lock'), String(pids[0])]);
    await no.term.waitFor(/Signal these 1 process|Signal these \d+ process/, 20_000);
    no.term.send('n', 'Enter');
    assert.equal(await exited(no), 0, no.term.capture());
    assert.ok(alive(pids[0]));
  });
});

describe('SIGTERM twice during a sweep (no terminal)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-int-'));
  const scope = new Scope();
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the second SIGTERM SIGKILLs at once; exit 143 with the full report', async () => {
    const mark = scope.mark('intterm');
    const sleep = markedSleep(dir, mark);
    const pids = [await sleeperOrphan(scope, sleep, { ignoreTerm: true }), await sleeperOrphan(scope, sleep, { ignoreTerm: true })];
    const child = spawn(process.execPath, [BIN, 'sweep', '-y', '--json', '--grace', '120s', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(dir, 'l.lock')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    // The engine has begun once it holds every target's /proc/PID/stat open (its identity checks).
    const holds = (): boolean => {
      try {
        const links = readdirSync(`/proc/${child.pid}/fd`).map((fd) => readlinkSync(`/proc/${child.pid}/fd/${fd}`));
        return pids.every((p) => links.includes(`/proc/${p}/stat`));
      } catch {
        return false;
      }
    };
    assert.ok(await waitFor(holds, 20_000), stderr);
    child.kill('SIGTERM');
    assert.ok(await waitFor(() => /SIGTERM: finishing the run/.test(stderr), 10_000), stderr);
    assert.ok(pids.every((p) => alive(p)));
    child.kill('SIGTERM');
    assert.equal(await closed, 143, stderr);
    for (const p of pids) assert.ok(!alive(p));
    const doc = JSON.parse(stdout);
    assert.deepEqual(doc.targets.map((t: any) => t.outcome), ['killed', 'killed']);
    assert.match(stderr, /interrupted by SIGTERM: 2 processes ended, nothing was left running/);
  });
});
