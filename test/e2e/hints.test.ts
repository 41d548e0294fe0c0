import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cli, Scope, waitFor } from '../helpers/procs.js';
import { tempDir } from '../helpers/pidfiles.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';

// A `next:` hint is pasted at 3 a.m.: it must act on exactly what the view showed. Two sets of
// orphans share one signature (the wider host); the view is scoped to one of them by --args, and
// the hint line (everything after `next: `, its `# why` comment included) is run by a real shell
// with `procsweep` on PATH. Every hinted command here is a dry run or a read.
const tmp = tempDir('psw-hint');
const scope = new Scope();
const base = scope.mark('hint');
const shown = `${base}a`;
const wider = `${base}b`;
const bin = join(tmp.dir, 'bin');
const pidDir = join(tmp.dir, 'pids dir'); // a space: the hint must quote it
// A regex with shell specials (| and a space) that still selects only the shown set.
const argsRe = `${shown}|no such worker`;
const scoped = ['--signature', `stub=${base}`, '--args', argsRe, '--pid-dir', pidDir];

/** The `next:` lines of an output, without their label. */
function hints(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('next: ')).map((l) => l.slice('next: '.length));
}

/** Runs a hint line in a POSIX shell with `procsweep` on PATH, colour off. */
function runLine(line: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', line], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: undefined } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The candidate PIDs of a human dry-run plan: its `why PID, PID:` lines (identical reasons share one). */
function planned(out: string): number[] {
  return [...out.matchAll(/^\s+why\s+(\d+(?:, \d+)*):/gm)].flatMap((m) => m[1].split(', ').map(Number)).sort((a, b) => a - b);
}

describe('next: hints keep the scope of the view', () => {
  const shownPids: number[] = [];
  const widerPids: number[] = [];
  let detachedPid = 0;

  before(async () => {
    mkdirSync(bin);
    mkdirSync(pidDir);
    writeFileSync(join(bin, 'procsweep'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'procsweep'), 0o755);
    const a = markedSleep(tmp.dir, shown);
    const b = markedSleep(tmp.dir, wider);
    for (let i = 0; i < 3; i++) shownPids.push(await sleeperOrphan(scope, a));
    for (let i = 0; i < 4; i++) widerPids.push(await sleeperOrphan(scope, b));
    shownPids.sort((x, y) => x - y);
    // A dead record, so list also hints at pidfiles.
    const gone = spawnSync('true').pid!;
    writeFileSync(join(pidDir, 'cam9_ffmpeg.pid'), `${gone}\n${Date.now() - 5000}\n`);
    assert.ok(await waitFor(() => cli(['list', '--json', ...scoped]).json().processes.filter((p: any) => p.flags.includes('orphan')).length === 3));
  });
  after(() => {
    scope.cleanup();
    tmp.done();
  });

  test('list --args: the sweep hint, run as typed, plans only the orphans the view counted', () => {
    const list = cli(['list', ...scoped]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /3 matched \(stub 3\): 3 orphan, /);
    const [sweepHint] = hints(list.stdout).filter((h) => h.includes(' sweep '));
    assert.ok(sweepHint, list.stdout);
    assert.match(sweepHint, /^procsweep sweep -n --signature /);
    assert.match(sweepHint, /# preview removing 3 orphans and their trees$/);
    const r = runLine(sweepHint);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(planned(r.stdout), shownPids, r.stdout);
    for (const pid of widerPids) assert.doesNotMatch(r.stdout, new RegExp(`\\b${pid}\\b`));
    assert.match(r.stdout, /Dry run: would signal 3 processes in 3 trees/);
    // Without --args the plan would be wider (both sets): the scope is what keeps it to 3.
    const wide = cli(['sweep', '-n', '--signature', `stub=${base}`, '--match', 'stub']);
    assert.equal(planned(wide.stdout).length, 7, wide.stdout);
  });

  test('list --flag: the hint names exactly the flags shown, and run as typed plans only what was shown', () => {
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');
    for (const flag of ['duplicate', 'orphan', 'zombie']) {
      const view = ['list', '--proc-root', fixture, '--flag', flag];
      const list = cli(view);
      assert.equal(list.code, 0, list.stderr);
      const flagged = cli([...view, '--json']).json().processes.filter((p: any) => p.flags.includes(flag)).map((p: any) => p.pid).sort((a: number, b: number) => a - b);
      assert.ok(flagged.length > 0, `the fixture has a ${flag}`);
      const [sweepHint] = hints(list.stdout).filter((h) => h.includes(' sweep '));
      if (flag === 'zombie') {
        // Nothing to sweep in a view of zombies: no sweep hint, only the note that zombies need their parent.
        assert.equal(sweepHint, undefined, list.stdout);
        assert.match(list.stdout, /zombies cannot be killed/);
        continue;
      }
      assert.ok(sweepHint, list.stdout);
      const r = runLine(sweepHint);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(planned(r.stdout), flagged, `${flag}: ${sweepHint}\n${r.stdout}`);
    }
    // The other flags' hints and notes do not leak into a narrowed view.
    const dup = cli(['list', '--proc-root', fixture, '--flag', 'duplicate']);
    assert.doesNotMatch(dup.stdout, /zombies cannot be killed|orphans/);
  });

  test('the stale-record hint and pidfiles list\'s own hint carry --pid-dir, quoted', () => {
    const list = cli(['list', ...scoped]);
    const [recHint] = hints(list.stdout).filter((h) => h.includes('pidfiles list'));
    assert.ok(recHint, list.stdout);
    assert.match(recHint, /--pid-dir '[^']*pids dir'/);
    const r = runLine(recHint);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 record: 1 dead\./);
    const [cleanHint] = hints(r.stdout);
    assert.ok(cleanHint, r.stdout);
    assert.match(cleanHint, /^procsweep pidfiles clean -n /);
    const c = runLine(cleanHint);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /Dry run: would remove 1 record\. Nothing changed\./);
    assert.ok(existsSync(join(pidDir, 'cam9_ffmpeg.pid')), 'a dry run removed the record');
  });

  test('when the only suspects are detached, list and sweep say so and offer the scoped --target detached', async () => {
    const mark = `${base}d`;
    const path = markedSleep(tmp.dir, mark);
    // setsid: the worker leads its own session under PID 1, which is `detached`, not orphan.
    spawnSync('setsid', ['-f', path, '300'], { stdio: 'ignore' });
    const only = ['--signature', `stub=${base}`, '--args', mark, '--older-than', '0s'];
    const listOnly = only.filter((_a, i) => i < 4);
    assert.ok(await waitFor(() => {
      const p = cli(['list', '--json', ...listOnly]).json().processes;
      detachedPid = p[0]?.pid ?? 0;
      return p.length === 1 && p[0].flags.includes('detached');
    }));
    const list = cli(['list', ...listOnly]);
    const [hint] = hints(list.stdout);
    assert.ok(hint, list.stdout);
    assert.match(hint, /^procsweep sweep -n --target detached --signature .* --args \S+ +# the only suspect is 1 detached/);
    const r = runLine(hint);
    assert.deepEqual(planned(r.stdout), [detachedPid], r.stdout);

    const sweep = cli(['sweep', '-n', ...only]);
    assert.equal(sweep.code, 0, sweep.stderr);
    assert.match(sweep.stdout, /Nothing to sweep: the 1 matched process is not orphan or abandoned older than 0s\./);
    const [again] = hints(sweep.stdout);
    assert.ok(again, sweep.stdout);
    assert.match(again, /--target detached .*--older-than 0s/);
    assert.deepEqual(planned(runLine(again).stdout), [detachedPid]);
  });
});
