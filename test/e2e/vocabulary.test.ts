import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, cli, Scope, waitFor } from '../helpers/procs.js';
import { tempDir } from '../helpers/pidfiles.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';

// One vocabulary and one set of options across commands (#15 item 7): `killed` means "needed
// SIGKILL" everywhere, every command that signals or removes takes the sweep lock, and a flag
// may be named in the singular or the plural. Every worker is a marked sleep this file started.
const tmp = tempDir('psw-vocab');
const scope = new Scope();
after(() => {
  scope.cleanup();
  tmp.done();
});

/** A fresh marker, its sleep, and the options that scope a command to it. */
function sleepers(): { mark: string; path: string; scoped: string[] } {
  const mark = scope.mark('voc');
  return { mark, path: markedSleep(tmp.dir, mark), scoped: ['--signature', `stub=${mark}`, '--args', mark] };
}

/** Start time of a live process in epoch ms, as procsweep computes it. */
function startedAt(pid: number, scoped: string[]): number {
  const p = cli(['list', '--json', ...scoped]).json().processes.find((x: any) => x.pid === pid);
  assert.ok(p, `pid ${pid} not listed`);
  return Date.parse(p.startedAt);
}

/** A lock file held by this test process (a live holder), as a running sweep would hold it. */
function holdLock(path: string): void {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  writeFileSync(path, `${JSON.stringify({ pid: process.pid, startTicks, since: new Date().toISOString() })}\n`);
}

/** A pid dir with records of two live marked sleeps: one that exits on TERM, one that ignores it. */
async function liveRecords(name: string): Promise<{ s: ReturnType<typeof sleepers>; dir: string; soft: number; hard: number }> {
  const s = sleepers();
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  const soft = await sleeperOrphan(scope, s.path);
  const hard = await sleeperOrphan(scope, s.path, { ignoreTerm: true });
  assert.ok(await waitFor(() => cli(['list', '--json', ...s.scoped]).json().processes.length === 2));
  writeFileSync(join(dir, 'a_ffmpeg.pid'), `${soft}\n${startedAt(soft, s.scoped) + 100}\n`);
  writeFileSync(join(dir, 'b_ffmpeg.pid'), `${hard}\n${startedAt(hard, s.scoped) + 100}\n`);
  return { s, dir, soft, hard };
}

describe('pidfiles clean --kill: killed means needed SIGKILL; the summary counts every removed file', () => {
  test('one exits on TERM, one needs KILL, two dead, one invalid kept', async () => {
    const { s, dir, soft, hard } = await liveRecords('router');
    for (const name of ['gone1_ffmpeg.pid', 'gone2_ffmpeg.pid']) writeFileSync(join(dir, name), `${spawnSync('true').pid}\n${Date.now() - 5000}\n`);
    writeFileSync(join(dir, 'junk.pid'), 'not a pid\n');
    const lock = join(tmp.dir, 'clean.lock');
    const human = cli(['pidfiles', 'clean', '--kill', '-y', '--grace', '300ms', '--lock-file', lock, '--pid-dir', dir, ...s.scoped]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^5 records: 4 removed, 1 kept; 2 live processes ended first: 1 terminated, 1 killed \(needed SIGKILL\)\.$/m);
    assert.ok(await waitFor(() => !alive(soft) && !alive(hard)));
    assert.deepEqual(readdirSync(dir), ['junk.pid']);
    assert.ok(!existsSync(lock), 'the lock is released');
  });

  test('the JSON actions and summary use the same words', async () => {
    const { s, dir, soft, hard } = await liveRecords('json');
    writeFileSync(join(dir, 'c_ffmpeg.pid'), `${spawnSync('true').pid}\n${Date.now() - 5000}\n`);
    const r = cli(['pidfiles', 'clean', '--kill', '-y', '--json', '--grace', '300ms', '--lock-file', join(tmp.dir, 'json.lock'), '--pid-dir', dir, ...s.scoped]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    const by = new Map<string, any>(doc.pidfiles.map((p: any) => [p.path.slice(dir.length + 1), p]));
    assert.equal(by.get('a_ffmpeg.pid').action, 'terminated');
    assert.equal(by.get('a_ffmpeg.pid').outcome, 'terminated');
    assert.equal(by.get('b_ffmpeg.pid').action, 'killed');
    assert.equal(by.get('b_ffmpeg.pid').outcome, 'killed');
    assert.match(by.get('b_ffmpeg.pid').note, /needed SIGKILL/);
    assert.equal(by.get('c_ffmpeg.pid').action, 'removed');
    assert.equal(doc.summary.removed, 3);
    assert.equal(doc.summary.terminated, 1);
    assert.equal(doc.summary.killed, 1);
  });
});

describe('kill-group and pidfiles clean take the sweep lock (--lock-file, --wait-lock)', () => {
  test('a held lock stops kill-group -y and pidfiles clean with exit 3, touching nothing; dry runs take no lock', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path);
    const dir = join(tmp.dir, 'locked');
    mkdirSync(dir);
    writeFileSync(join(dir, 'gone_ffmpeg.pid'), `${spawnSync('true').pid}\n${Date.now() - 5000}\n`);
    const lock = join(tmp.dir, 'held.lock');
    holdLock(lock);
    const kg = cli(['kill-group', '-y', '--lock-file', lock, String(pid)]);
    assert.equal(kg.code, 3, kg.stderr);
    assert.match(kg.stderr, /another sweep holds the lock .*held\.lock.*Nothing was signalled/);
    assert.ok(alive(pid));
    const clean = cli(['pidfiles', 'clean', '--lock-file', lock, '--pid-dir', dir]);
    assert.equal(clean.code, 3, clean.stderr);
    assert.deepEqual(readdirSync(dir), ['gone_ffmpeg.pid']);
    assert.equal(cli(['kill-group', '-n', '--lock-file', lock, String(pid)]).code, 0);
    assert.equal(cli(['pidfiles', 'clean', '-n', '--lock-file', lock, '--pid-dir', dir]).code, 0);

    rmSync(lock);
    const ok = cli(['kill-group', '-y', '--json', '--grace', '1s', '--lock-file', lock, String(pid)]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(await waitFor(() => !alive(pid)));
    assert.equal(cli(['pidfiles', 'clean', '--lock-file', lock, '--pid-dir', dir]).code, 0);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('kill-group --help says the matching options only label', () => {
    const help = cli(['kill-group', '--help']).stdout.replace(/\s+/g, ' ');
    assert.match(help, /--args <regex> label processes whose command line matches this regex \(everything planned is still signalled\)/);
    assert.match(help, /--lock-file <path>/);
    assert.doesNotMatch(help, /only processes whose command line also matches/);
  });
});

describe('flags in the singular or the plural', () => {
  test('sweep --target orphan plans what --target orphans plans; list --flag orphans lists what --flag orphan lists', async () => {
    const s = sleepers();
    const pid = await sleeperOrphan(scope, s.path);
    for (const t of ['orphan', 'orphans']) {
      const r = cli(['sweep', '-n', '--json', '--target', t, ...s.scoped]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.json().targets.map((x: any) => x.pid), [pid]);
    }
    for (const f of ['orphan', 'orphans']) {
      assert.deepEqual(cli(['list', '--json', '--flag', f, ...s.scoped]).json().processes.map((x: any) => x.pid), [pid]);
    }
    const bad = cli(['sweep', '-n', '--target', 'orphanz', ...s.scoped]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown target 'orphanz'; use orphans, .* or all \(singular or plural\)/);
  });
});
