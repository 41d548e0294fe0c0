import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IncrementalReader } from '../../src/core/read/procfs/incremental.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { statLine, writeTree, type FixtureProc } from '../fixtures/make-proc.js';

const dir = mkdtempSync(join(tmpdir(), 'psw-incr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const init: FixtureProc = { pid: 1, comm: 'systemd', argv: ['/sbin/init'], ppid: 0, start: 1 };
const sup: FixtureProc = { pid: 100, comm: 'node', argv: ['node', 'server.js'], ppid: 1, start: 50 };
const worker: FixtureProc = { pid: 200, comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'x', '-f', 'null', '-'], ppid: 100, sid: 100, start: 70, threads: 3 };
const idle: FixtureProc = { pid: 300, comm: 'sleep', argv: ['sleep', '600'], ppid: 1, start: 80 };

test('known processes are re-read only when hot, young or due; exec, reuse and exit are seen', () => {
  writeTree(dir, [init, sup, worker, idle]);
  const inc = new IncrementalReader(new ProcReader(dir), true, { refreshTicks: 1000, hotTicks: 1, forkCounter: false });
  const s1 = inc.snapshot(new Set());
  assert.deepEqual([...s1.processes.keys()], [1, 100, 200, 300]);

  // Change both on disk: only the hot one is re-read; the cold one keeps its last reading.
  writeFileSync(join(dir, '200', 'stat'), statLine({ ...worker, threads: 9 }));
  writeFileSync(join(dir, '300', 'stat'), statLine({ ...idle, threads: 7 }));
  const s2 = inc.snapshot(new Set([200]));
  assert.equal(s2.processes.get(200)!.threads, 9);
  assert.equal(s2.processes.get(300)!.threads, 1, 'cold process not re-read');

  // Hot and turned zombie: argv goes, as a full read would show.
  writeFileSync(join(dir, '200', 'stat'), statLine({ ...worker, state: 'Z' }));
  const s3 = inc.snapshot(new Set([200]));
  assert.equal(s3.processes.get(200)!.state, 'Z');
  assert.deepEqual(s3.processes.get(200)!.argv, []);

  // The pid is reused by a new process (new start time, new comm): read in full again.
  writeTree(dir, [init, sup, { ...worker, pid: 200, comm: 'srt-live-transm', argv: ['srt-live-transmit', 'udp://:1', 'srt://:2'], start: 900 }, idle]);
  const s4 = inc.snapshot(new Set([200]));
  assert.deepEqual(s4.processes.get(200)!.argv, ['srt-live-transmit', 'udp://:1', 'srt://:2']);
  assert.equal(s4.processes.get(200)!.startTicks, 900);

  // Gone from the pid list: gone from the snapshot, hot or not.
  rmSync(join(dir, '300'), { recursive: true });
  assert.ok(!inc.snapshot(new Set()).processes.has(300));
});

test('a rolling refresh re-reads every known process within refreshTicks ticks', () => {
  writeTree(dir, [init, sup, idle]);
  const inc = new IncrementalReader(new ProcReader(dir), true, { refreshTicks: 4, hotTicks: 0, forkCounter: false });
  inc.snapshot(new Set());
  writeFileSync(join(dir, '300', 'stat'), statLine({ ...idle, comm: 'ffmpeg' }));
  writeFileSync(join(dir, '300', 'cmdline'), 'ffmpeg\0-i\0y\0');
  let seen = false;
  for (let i = 0; i < 4 && !seen; i++) seen = inc.snapshot(new Set()).processes.get(300)!.argv[0] === 'ffmpeg';
  assert.ok(seen, 'the exec was noticed within 4 ticks');
});

test('the pid directory is listed again only when the fork counter moves, or every refreshTicks ticks', () => {
  writeTree(dir, [init, sup, idle]);
  const statFile = (forks: number): void => writeFileSync(join(dir, 'stat'), `cpu  1 2 3 4\nbtime 1795132800\nprocesses ${forks}\n`);
  statFile(5000);
  const inc = new IncrementalReader(new ProcReader(dir), true, { refreshTicks: 5, hotTicks: 0 });
  inc.snapshot(new Set());
  writeTree(dir, [init, sup, idle, worker]); // a new process appears...
  statFile(5000); // ...but the counter says no fork happened (as a fixture can): not listed yet
  assert.ok(!inc.snapshot(new Set()).processes.has(200));
  statFile(5001);
  assert.ok(inc.snapshot(new Set()).processes.has(200), 'a fork: the directory is listed');
  // Without any fork, a vanished process is still dropped within refreshTicks ticks.
  rmSync(join(dir, '300'), { recursive: true });
  let gone = false;
  for (let i = 0; i < 5 && !gone; i++) gone = !inc.snapshot(new Set()).processes.has(300);
  assert.ok(gone);
});
