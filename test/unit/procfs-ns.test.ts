import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { guardReason } from '../../src/core/decide/guard.js';
import { auxvPageSize, parseStatmResident } from '../../src/core/read/procfs/parse.js';
import { pageSize, ProcReader } from '../../src/core/read/procfs/reader.js';
import { writeTree } from '../fixtures/make-proc.js';

// A PID namespace seen through its own /proc: PID 1 is tini, PID 2 the restart loop, PID 3 its
// ffmpeg. Only PF_KTHREAD makes a kernel thread; a real kthread (with the flag) still is one.

const dir = mkdtempSync(join(tmpdir(), 'psw-ns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('PID 2 of a namespace and its children are ordinary processes; PF_KTHREAD alone marks kernel threads', () => {
  const root = join(dir, 'ns');
  writeTree(root, [
    { pid: 1, comm: 'tini', argv: ['/sbin/tini', '--', 'sh', '-c', 'loop'], ppid: 0, sid: 1, start: 1 },
    { pid: 2, comm: 'sh', argv: ['sh', '-c', 'while true; do ffmpeg -i srt://in -f null -; sleep 1; done'], ppid: 1, pgid: 1, sid: 1, start: 2 },
    { pid: 3, comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'srt://in', '-f', 'null', '-'], ppid: 2, pgid: 1, sid: 1, start: 3 },
    { pid: 40, comm: 'kworker/u8:1', argv: [], ppid: 0, sid: 0, pgid: 0, kthread: true, start: 4, state: 'I' },
  ]);
  const snap = new ProcReader(root).snapshot(0, true);
  const two = snap.processes.get(2)!;
  const three = snap.processes.get(3)!;
  assert.equal(two.kernelThread, false);
  assert.deepEqual(two.argv.slice(0, 2), ['sh', '-c']);
  assert.equal(three.kernelThread, false);
  assert.deepEqual(three.argv[0], 'ffmpeg');
  assert.equal(snap.processes.get(40)!.kernelThread, true);
  assert.equal(snap.processes.get(40)!.rssBytes, null);
  const g = { selfPid: 0, lineage: new Set<number>(), pgid: null, sid: null, uid: 0 };
  assert.doesNotMatch(guardReason(two, g) ?? '', /kernel thread/);
  assert.equal(guardReason(three, g), null);
  assert.match(guardReason(snap.processes.get(40)!, g) ?? '', /kernel thread/);
});

test("the host's kthreadd (PID 2, PF_KTHREAD) is still a kernel thread", () => {
  const snap = new ProcReader(join(import.meta.dirname, '..', 'fixtures', 'proc-basic')).snapshot(0, true);
  assert.equal(snap.processes.get(2)!.kernelThread, true);
  assert.equal(snap.processes.get(3)!.kernelThread, true);
});

test('RSS is VmRSS (= statm resident pages), not stat field 24; unknown (null) where status is not read', () => {
  const root = join(dir, 'rss');
  writeTree(root, [
    { pid: 1, comm: 'init', argv: ['/sbin/init'], ppid: 0, sid: 1, start: 1 },
    { pid: 10, comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'x'], ppid: 1, start: 5, rssPages: 1337 },
    { pid: 11, comm: 'ffmpeg', argv: ['ffmpeg', '-i', 'y'], ppid: 1, start: 6, noStatm: true },
  ]);
  const r = new ProcReader(root);
  assert.equal(r.read(10)!.rssBytes, 1337 * 4 * 1024, 'VmRSS, not stat field 24 (1200 pages)');
  assert.equal(r.rssBytes(10), 1337 * pageSize(), 'statm, as the incremental reader follows it');
  assert.equal(r.rssBytes(11), null);
  assert.equal(r.read(10, false)!.rssBytes, null, 'status not read: unknown');
  assert.equal(parseStatmResident('6 5 4 3 2 1 0\n'), 5);
  assert.equal(parseStatmResident('garbage'), null);
});

test('the page size comes from AT_PAGESZ in auxv', () => {
  const buf = Buffer.alloc(8 * 6);
  buf.writeBigUInt64LE(33n, 0); buf.writeBigUInt64LE(1234n, 8); // AT_SYSINFO_EHDR
  buf.writeBigUInt64LE(6n, 16); buf.writeBigUInt64LE(16384n, 24); // AT_PAGESZ
  assert.equal(auxvPageSize(buf, 8, true), 16384);
  assert.equal(auxvPageSize(Buffer.alloc(16), 8, true), null);
  const b32 = Buffer.alloc(16);
  b32.writeUInt32BE(6, 0); b32.writeUInt32BE(65536, 4);
  assert.equal(auxvPageSize(b32, 4, false), 65536);
  assert.ok([4096, 16384, 65536].includes(pageSize()));
});
