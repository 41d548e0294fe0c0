import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alive, BIN, cli, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// A full disk must not hide what a sweep did (issue 12, item 6): the report is always printed, a
// failed --log write is a warning (exit 1: the record asked for is missing), and watch
// --metrics-file keeps watching and retries. A real tmpfs, filled to the last page, as root.

/** Fills the file system under `path` with one file until ENOSPC; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('a full disk (a real full tmpfs)', { skip: needs('root') }, () => {
  const base = mkdtempSync(join(tmpdir(), 'psw-full-'));
  const mnt = join(base, 'full');
  const scope = new Scope();
  let mounted = false;
  before(() => {
    spawnSync('mkdir', [mnt]);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', mnt], { encoding: 'utf8' });
    assert.equal(r.status, 0, `cannot mount a 64 KiB tmpfs on ${mnt} (${(r.stderr || r.error?.message || '').trim()}): this test needs root with the right to mount (CAP_SYS_ADMIN)`);
    mounted = true;
  });
  after(() => {
    scope.cleanup();
    if (mounted) spawnSync('umount', [mnt]);
    rmSync(base, { recursive: true, force: true });
  });

  const orphans = async (n: number): Promise<{ mark: string; pids: number[] }> => {
    const mark = scope.mark('full');
    const sleep = markedSleep(base, mark);
    const pids: number[] = [];
    for (let i = 0; i < n; i++) pids.push(await sleeperOrphan(scope, sleep));
    assert.ok(await waitFor(() => pids.every((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark))));
    return { mark, pids };
  };

  test('sweep -y --log on a full disk: every target ends, the report is printed, the log failure is a warning, exit 1', async () => {
    const filler = fill(mnt);
    try {
      const { mark, pids } = await orphans(3);
      const log = join(mnt, 'audit.jsonl');
      const r = cli(['sweep', '-y', '--json', '--grace', '2s', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(base, `${mark}.lock`), '--log', log]);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(r.json().targets.map((t: any) => t.outcome), ['terminated', 'terminated', 'terminated']);
      assert.match(r.stderr, /warning: could not write the audit log .*audit\.jsonl \(ENOSPC\): its 3 records are missing, so the report on standard output is this run's only record/);
      assert.doesNotMatch(r.stderr, /unexpected error/);
      for (const p of pids) assert.ok(!alive(p), `${p} survived`);

      // The human report too.
      const h = await orphans(2);
      const r2 = cli(['sweep', '-y', '--grace', '2s', '--signature', `stub=${h.mark}`, '--args', h.mark, '--lock-file', join(base, `${h.mark}.lock`), '--log', log]);
      assert.equal(r2.code, 1, r2.stderr);
      for (const p of h.pids) assert.match(r2.stdout, new RegExp(`\\b${p}\\b.*terminated`));
      assert.match(r2.stderr, /could not write the audit log .* \(ENOSPC\)/);
    } finally {
      unlinkSync(filler);
    }
  });

  test('a write that fails partway is cut back: the log keeps only whole lines', async () => {
    const log = join(mnt, 'audit2.jsonl');
    // One whole record from a sweep with room, then one free page: 30 records (about 15 KiB) do not fit.
    const first = await orphans(1);
    const ok = cli(['sweep', '-y', '--json', '--grace', '2s', '--signature', `stub=${first.mark}`, '--args', first.mark, '--lock-file', join(base, `${first.mark}.lock`), '--log', log]);
    assert.equal(ok.code, 0, ok.stderr);
    const before = readFileSync(log, 'utf8');
    assert.equal(before.split('\n').filter(Boolean).length, 1);
    const filler = fill(mnt);
    const fd = openSync(filler, 'r+');
    ftruncateSync(fd, fstatSync(fd).size - 4096);
    closeSync(fd);
    try {
      const { mark, pids } = await orphans(30);
      const r = cli(['sweep', '-y', '--json', '--grace', '2s', '--signature', `stub=${mark}`, '--args', mark, '--lock-file', join(base, `${mark}.lock`), '--log', log]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\(ENOSPC\)/);
      for (const p of pids) assert.ok(!alive(p));
      assert.equal(readFileSync(log, 'utf8'), before, 'the partial write was not cut back');
    } finally {
      unlinkSync(filler);
    }
  });

  test('watch --metrics-file on a full disk keeps watching, warns once, and writes the file once there is room', async () => {
    const filler = fill(mnt);
    const prom = join(mnt, 'procsweep.prom');
    const w = spawn(process.execPath, [BIN, 'watch', '--json', '--interval', '150ms', '--args', scope.mark('fullw'), '--metrics-file', prom], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    w.stdout!.on('data', (d) => (stdout += d));
    w.stderr!.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((r) => w.on('close', (c) => r(c)));
    const ticks = (): number => stdout.split('\n').filter((l) => l.includes('"tick"')).length;
    try {
      assert.ok(await waitFor(() => /--metrics-file: cannot write .*procsweep\.prom \(ENOSPC\)/.test(stderr), 20_000), stderr);
      const at = ticks();
      assert.ok(await waitFor(() => ticks() >= at + 3, 20_000), `watch stopped scanning:\n${stderr}`);
      assert.equal(stderr.match(/cannot write/g)?.length, 1, 'warned more than once for one outage');
      assert.ok(!existsSync(prom));
    } finally {
      unlinkSync(filler);
    }
    assert.ok(await waitFor(() => existsSync(prom), 20_000), `not written once there was room:\n${stderr}`);
    assert.match(readFileSync(prom, 'utf8'), /^procsweep_/m);
    assert.ok(await waitFor(() => /procsweep\.prom written again/.test(stderr), 5000), stderr);
    w.kill('SIGINT');
    assert.equal(await closed, 0, stderr);
  });
});
