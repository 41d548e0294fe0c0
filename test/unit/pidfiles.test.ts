import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  buildPidfileReport,
  executeClean,
  judgeRecord,
  parseIsoTime,
  parsePidfileContent,
  parsePidfileName,
  planClean,
  readPidfiles,
  removeEntries,
  removeOwnPidfile,
  trackingIndex,
  writePidfile,
  START_TOLERANCE_MS,
  type RecordFacts,
} from '../../src/core/pidfiles/index.js';
import { arrayElementSpans, formatArray } from '../../src/core/pidfiles/remove.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import { classify } from '../../src/core/decide/classify.js';
import { fakeContext, proc, snapshotOf, tempDir } from '../helpers/pidfiles.js';

const limits = { pidMax: 32768, now: Date.parse('2026-01-01T00:00:00Z') };
const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('parsePidfileContent: valid shapes', () => {
  const cases: Array<[string, string, number, number | null]> = [
    ['PID and newline', '4242\n', 4242, null],
    ['no final newline', '4242', 4242, null],
    ['CRLF', '4242\r\n', 4242, null],
    ['blanks around', '  4242 \t\n', 4242, null],
    ['trailing blank lines', '4242\n\n\n', 4242, null],
    ['timestamped', '28307\n1761210663315\n', 28307, 1761210663315],
    ['timestamped, CRLF, no final newline', '28307\r\n1761210663315', 28307, 1761210663315],
    ['largest PID below pid_max', '32767\n', 32767, null],
  ];
  for (const [what, text, pid, at] of cases) {
    test(what, () => {
      const r = parsePidfileContent(bytes(text), limits);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.pid, pid);
      assert.equal(r.recordedAt, at);
      assert.equal(r.format, at === null ? 'plain' : 'timestamped');
    });
  }
  test('pid_max itself is not a PID', () => {
    const r = parsePidfileContent(bytes('32768\n'), limits);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /above the largest possible PID 32767 \(pid_max 32768\)/);
  });
});

test('parsePidfileName splits route and type at the last underscore; types keep their colon', () => {
  assert.deepEqual(parsePidfileName('route_1761154355576_srtOut:6000.pid'), { routeId: 'route_1761154355576', processType: 'srtOut:6000' });
  assert.deepEqual(parsePidfileName('route_1761154355576_srt.pid'), { routeId: 'route_1761154355576', processType: 'srt' });
  assert.deepEqual(parsePidfileName('cam3_ffmpeg.pid'), { routeId: 'cam3', processType: 'ffmpeg' });
  assert.deepEqual(parsePidfileName('ffmpeg.pid'), { routeId: null, processType: null });
  assert.deepEqual(parsePidfileName('_x.pid'), { routeId: null, processType: null });
  assert.deepEqual(parsePidfileName('x_.pid'), { routeId: null, processType: null });
});

test('parseIsoTime takes RFC 3339 with a zone (Go writes nanoseconds and offsets)', () => {
  assert.equal(parseIsoTime('2025-01-10T12:34:56Z'), Date.parse('2025-01-10T12:34:56Z'));
  assert.equal(parseIsoTime('2025-01-10T12:34:56.123456789+01:00'), Date.parse('2025-01-10T11:34:56.123Z'));
  assert.equal(parseIsoTime('2025-01-10T12:34:56+0100'), Date.parse('2025-01-10T11:34:56Z'));
  assert.equal(parseIsoTime('2025-01-10T12:34:56'), null);
  assert.equal(parseIsoTime('Fri Jan 10 2025'), null);
});

describe('judgeRecord', () => {
  const T = 1_750_000_000_000;
  const ff = proc(500, { startedAt: T - 1000, uid: 1000 });
  const wrapper = proc(501, { argv: ['sh', '-c', 'while true; do ffmpeg -i x; done'], comm: 'sh', startedAt: T - 5000 });
  const sleeper = proc(502, { argv: ['sleep', '100'], comm: 'sleep', startedAt: T - 1000 });
  const zombie = proc(503, { argv: [], comm: 'ffmpeg', state: 'Z', ppid: 501 });
  const kthread = proc(504, { argv: [], comm: 'kworker/0:1', kernelThread: true, ppid: 2 });
  const unknownStart = { ...proc(505), startedAt: null, startTicks: null };
  // `procsweep run --pid-dir d --id job --type encode -- python3 job.py`: run records any CMD.
  const runner = proc(506, { argv: ['node', '/usr/lib/node_modules/procsweep/bin/procsweep.js', 'run', '--pid-dir', '/run/w', '--id', 'job', '--type', 'encode', '--', 'python3', 'job.py'], comm: 'node', startedAt: T - 3000 });
  const job = proc(507, { argv: ['python3', 'job.py'], comm: 'python3', ppid: 506, startedAt: T - 2000 });
  const snap = snapshotOf([ff, wrapper, sleeper, zombie, kthread, unknownStart, runner, job], T + 60_000);
  const facts = (pid: number, recordedAt: number | null, fileUid: number | null = 0): RecordFacts => ({ pid, recordedAt, recordedFrom: 'content', fileUid, kind: 'pidfile' });
  const judge = (f: RecordFacts) => judgeRecord(f, snap, { signatures: BUILTIN_SIGNATURES });

  test('dead: no such process', () => {
    const v = judge(facts(9999, T));
    assert.equal(v.status, 'dead');
    assert.match(v.reason, /no process 9999/);
    assert.equal(v.startTicks, null);
  });
  test('live: matching and started before the record', () => {
    const v = judge(facts(500, T));
    assert.equal(v.status, 'live');
    assert.match(v.reason, /alive: 500 \(ffmpeg\) is ffmpeg, started 1s before the recorded time/);
    assert.equal(v.startTicks, ff.startTicks);
  });
  test('live: a wrapper of a signature counts as matching', () => {
    assert.match(judge(facts(501, T)).reason, /is ffmpeg wrapper/);
  });
  test(`live within the ${START_TOLERANCE_MS} ms tolerance; reused just beyond it`, () => {
    assert.equal(judge(facts(500, T - 1000 - START_TOLERANCE_MS)).status, 'live');
    const v = judge(facts(500, T - 1000 - START_TOLERANCE_MS - 1));
    assert.equal(v.status, 'reused');
    assert.match(v.reason, /started .* after the recorded time .*tolerance 2s\): the PID was reused/);
  });
  test('live: the worker of a live procsweep run matches whatever its command (run records any CMD)', () => {
    const v = judge(facts(507, T));
    assert.equal(v.status, 'live');
    assert.match(v.reason, /alive: 507 \(python3\) is the worker of procsweep run 506 \(job_encode\), started 2s before/);
    assert.equal(judge(facts(507, T - 2000 - START_TOLERANCE_MS - 1)).status, 'reused', 'the start time is still checked');
  });
  test('an owner the fast scan left unknown is read before the record is judged: not unsafe for want of a read', () => {
    const unknownOwner = snapshotOf([{ ...sleeper, uid: null }], T + 60_000);
    const f = facts(502, T, 1000);
    assert.equal(judgeRecord(f, unknownOwner, { signatures: BUILTIN_SIGNATURES }).status, 'unsafe', 'without a way to read it');
    const v = judgeRecord(f, unknownOwner, { signatures: BUILTIN_SIGNATURES, ownerOf: () => 1000 });
    assert.equal(v.status, 'reused', v.reason);
    assert.equal(judgeRecord(f, unknownOwner, { signatures: BUILTIN_SIGNATURES, ownerOf: () => 0 }).status, 'unsafe', 'a file of uid 1000 naming root\'s process');
  });
  test('reused: the PID is now something that matches no signature', () => {
    const v = judge(facts(502, T));
    assert.equal(v.status, 'reused');
    assert.match(v.reason, /PID 502 is now 'sleep 100', which matches no signature \(ffmpeg, srt-live-transmit\)/);
    assert.match(judge(facts(504, T)).reason, /kernel thread \[kworker\/0:1\]/);
  });
  test('zombie names the parent that has not reaped it', () => {
    const v = judge(facts(503, T));
    assert.equal(v.status, 'zombie');
    assert.match(v.reason, /parent 501 \(sh\) has not reaped it/);
  });
  test("unsafe: the file's owner is neither root nor the process's owner", () => {
    const v = judge(facts(500, T, 1001));
    assert.equal(v.status, 'unsafe');
    assert.match(v.reason, /owned by .*uid 1001.* but PID 500 \(ffmpeg\) runs as .*uid 1000|owned by .*1001.*runs as .*1000/);
    assert.equal(judge(facts(500, T, 1000)).status, 'live', 'owner = process owner is fine');
    assert.equal(judge(facts(500, T, 0)).status, 'live', 'root may record anyone');
    assert.equal(judge(facts(9999, T, 1001)).status, 'dead', 'a dead PID is only a stale file');
  });
  test('unknown start time: live, but noted (nothing will signal it)', () => {
    assert.match(judge(facts(505, T)).reason, /start time is unknown/);
  });
  test('no recorded time: live, noted', () => {
    assert.match(judge(facts(500, null)).reason, /no recorded time/);
  });
});

describe('read, track, clean: pidfiles on disk', () => {
  test('plain pidfiles are checked against their mtime; timestamped ones carry route and type', async () => {
    const tmp = tempDir();
    try {
      const T = Date.parse('2025-10-23T09:00:00Z');
      const ff = proc(700, { startedAt: T, uid: 0 });
      const srt = proc(701, { argv: ['srt-live-transmit', 'udp://:1', 'srt://:2'], comm: 'srt-live-transm', startedAt: T });
      const snap = snapshotOf([ff, srt, proc(702, { ppid: 700, startedAt: T + 10 })], T + 3_600_000);
      writeFileSync(join(tmp.dir, 'old.pid'), '700\n');
      utimesSync(join(tmp.dir, 'old.pid'), (T - 3_600_000) / 1000, (T - 3_600_000) / 1000);
      writeFileSync(join(tmp.dir, 'fresh.pid'), '700\n');
      utimesSync(join(tmp.dir, 'fresh.pid'), (T + 50) / 1000, (T + 50) / 1000);
      writeFileSync(join(tmp.dir, 'route_1761154355576_srtOut:6000.pid'), `701\n${T + 20}\n`);
      writeFileSync(join(tmp.dir, 'notes.txt'), '700\n');
      const entries = await readPidfiles(fakeContext([tmp.dir, `${tmp.dir}/`]), snap, { pidMax: 32768 });
      assert.deepEqual(entries.map((e) => e.path.slice(tmp.dir.length + 1)), ['fresh.pid', 'old.pid', 'route_1761154355576_srtOut:6000.pid']);
      const [fresh, old, route] = entries;
      assert.equal(fresh.status, 'live');
      assert.equal(fresh.recordedFrom, 'mtime');
      assert.equal(old.status, 'reused');
      assert.match(old.reason, /after the pidfile was last written/);
      assert.equal(route.status, 'live');
      assert.equal(route.format, 'timestamped');
      assert.equal(route.routeId, 'route_1761154355576');
      assert.equal(route.processType, 'srtOut:6000');

      const idx = trackingIndex(entries, [tmp.dir]);
      assert.deepEqual([...idx.entries.keys()].sort(), [700, 701]);
      const findings = classify(snap, { signatures: BUILTIN_SIGNATURES, tracking: idx });
      const child = findings.find((f) => f.proc.pid === 702)!;
      assert.ok(child.flags.includes('tracked'));
      assert.match(child.reasons.tracked!, /ancestor 700 \(ffmpeg\) is named by .*fresh\.pid/);

      const plan = planClean(entries);
      assert.deepEqual(plan.map((i) => i.action), ['keep', 'remove', 'keep']);
      const dry = await executeClean(plan, { dryRun: true, backend: fakeContext([]).backend });
      assert.deepEqual(dry.map((i) => i.action), ['keep', 'remove', 'keep']);
      assert.ok(existsSync(old.path));
      const done = await executeClean(plan, { backend: fakeContext([]).backend });
      assert.deepEqual(done.map((i) => i.action), ['kept', 'removed', 'kept']);
      assert.equal(existsSync(old.path), false);
      assert.equal(existsSync(fresh.path), true);
      const doc = buildPidfileReport(done, false);
      assert.equal(doc.summary.removed, 1);
      assert.equal(doc.summary.live, 2);
      assert.equal(doc.pidfiles[2].processType, 'srtOut:6000');
    } finally {
      tmp.done();
    }
  });

  test('a pidfile rewritten after it was judged is not removed', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.dir, 'a.pid'), '4000\n');
      const [e] = await readPidfiles(fakeContext([tmp.dir]), snapshotOf([]), { pidMax: 32768 });
      assert.equal(e.status, 'dead');
      writeFileSync(join(tmp.dir, 'a.pid'), '4001\n'); // the supervisor restarted its worker in place
      const [r] = await removeEntries([e]);
      assert.equal(r.outcome, 'refused');
      assert.match(r.reason, /changed since it was read/);
      assert.equal(readFileSync(join(tmp.dir, 'a.pid'), 'utf8'), '4001\n');
    } finally {
      tmp.done();
    }
  });

  test('--kill targets carry the judged start time; a failed termination keeps the record', async () => {
    const tmp = tempDir();
    try {
      const T = Date.parse('2025-10-23T09:00:00Z');
      writeFileSync(join(tmp.dir, 'r_ffmpeg.pid'), `800\n${T + 100}\n`);
      writeFileSync(join(tmp.dir, 'r_srt.pid'), `801\n${T + 100}\n`);
      const snap = snapshotOf([proc(800, { startedAt: T }), proc(801, { startedAt: T, argv: ['srt-live-transmit', 'a', 'b'] })], T + 1000);
      const entries = await readPidfiles(fakeContext([tmp.dir]), snap, { pidMax: 32768 });
      const plan = planClean(entries, { kill: true });
      assert.deepEqual(plan.map((i) => i.action), ['kill', 'kill']);
      const seen: unknown[] = [];
      const done = await executeClean(plan, {
        backend: fakeContext([]).backend,
        terminate: async (targets) => {
          seen.push(...targets);
          return { results: [{ pid: 800, outcome: 'terminated', reason: 'exited on SIGTERM' }, { pid: 801, outcome: 'survived', reason: 'in D state' }] };
        },
      });
      assert.deepEqual(seen, [{ pid: 800, startTicks: proc(800, { startedAt: T }).startTicks }, { pid: 801, startTicks: proc(801, { startedAt: T }).startTicks }]);
      assert.equal(done[0].action, 'terminated', 'it exited on TERM: killed means needed SIGKILL');
      assert.equal(done[0].outcome, 'terminated');
      assert.equal(existsSync(entries[0].path), false);
      assert.equal(done[1].action, 'failed');
      assert.match(done[1].note, /survived: in D state\); record kept/);
      assert.equal(existsSync(entries[1].path), true);
    } finally {
      tmp.done();
    }
  });
});

describe('registries', () => {
  const T = Date.parse('2025-01-10T12:34:56Z');
  const snap = snapshotOf(
    [proc(12345, { startedAt: T - 500 }), proc(12346, { startedAt: T + 3_600_000 }), proc(12347, { argv: ['bash'], comm: 'bash', startedAt: T - 500 })],
    T + 7_200_000,
  );
  const registry = `[
  {
    "task_id": "live-one",
    "process_id": 12345,
    "start_time": "2025-01-10T12:34:56Z",
    "worker_inode": 18446744073709551615
  },
  {
    "task_id": "dead-one",
    "process_id": 23456,
    "start_time": "2025-01-10T12:34:56Z"
  },
  {
    "task_id": "reused-by-time",
    "process_id": 12346,
    "start_time": "2025-01-10T12:34:56.000000001Z"
  },
  {
    "task_id": "reused-by-signature",
    "process_id": 12347,
    "start_time": "2025-01-10T12:34:56Z"
  },
  {"task_id": "kept-as-written",   "process_id": 12345, "start_time": "2025-01-10T13:34:56+01:00", "note": "x"}
]
`;

  test('dead and reused entries are dropped by one atomic rewrite; the rest stays byte for byte', async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'procs.json');
      writeFileSync(path, registry, { mode: 0o640 });
      const entries = await readPidfiles(fakeContext([], [path]), snap, { pidMax: 32768 });
      assert.deepEqual(entries.map((e) => [e.taskId, e.status]), [
        ['live-one', 'live'], ['dead-one', 'dead'], ['reused-by-time', 'reused'], ['reused-by-signature', 'reused'], ['kept-as-written', 'live'],
      ]);
      const inode = statSync(path).ino;
      const done = await executeClean(planClean(entries), { backend: fakeContext([]).backend });
      assert.deepEqual(done.map((i) => i.action), ['kept', 'removed', 'removed', 'removed', 'kept']);
      const after = readFileSync(path, 'utf8');
      assert.equal(after, `[
  {
    "task_id": "live-one",
    "process_id": 12345,
    "start_time": "2025-01-10T12:34:56Z",
    "worker_inode": 18446744073709551615
  },
  {"task_id": "kept-as-written",   "process_id": 12345, "start_time": "2025-01-10T13:34:56+01:00", "note": "x"}
]
`);
      assert.notEqual(statSync(path).ino, inode, 'replaced by rename, not written in place');
      assert.equal(statSync(path).mode & 0o777, 0o640);
      assert.deepEqual(trackingIndex(entries).entries.get(12345), { startTicks: proc(12345, { startedAt: T - 500 }).startTicks, source: `${path}#live-one` });
    } finally {
      tmp.done();
    }
  });

  test('an entry the supervisor removed meanwhile is already gone; one it added survives', async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'procs.json');
      writeFileSync(path, JSON.stringify([{ task_id: 'a', process_id: 23456, start_time: '2025-01-10T12:34:56Z' }, { task_id: 'b', process_id: 23457, start_time: '2025-01-10T12:34:56Z' }]));
      const entries = await readPidfiles(fakeContext([], [path]), snap, { pidMax: 32768 });
      writeFileSync(path, JSON.stringify([{ task_id: 'new', process_id: 12345, start_time: '2025-01-10T12:34:56Z' }, { task_id: 'b', process_id: 23457, start_time: '2025-01-10T12:34:56Z' }]));
      const res = await removeEntries(entries);
      assert.deepEqual(res.map((r) => r.outcome), ['already-gone', 'removed']);
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), [{ task_id: 'new', process_id: 12345, start_time: '2025-01-10T12:34:56Z' }]);
    } finally {
      tmp.done();
    }
  });

  test('a corrupt registry is reported and left byte for byte untouched, even with --remove-invalid', async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'procs.json');
      const corrupt = '[{"task_id": "a", "process_id": 23456, "start_time": "2025-01-10T12:34:56Z"},\n{"task_id": "b", "proc';
      writeFileSync(path, corrupt);
      const before = statSync(path);
      const entries = await readPidfiles(fakeContext([], [path]), snap, { pidMax: 32768 });
      assert.equal(entries.length, 1);
      assert.equal(entries[0].status, 'invalid');
      assert.match(entries[0].reason, /registry does not parse as JSON .*; left untouched/);
      const done = await executeClean(planClean(entries, { removeInvalid: true, kill: true }), { backend: fakeContext([]).backend });
      assert.equal(done[0].action, 'never');
      assert.equal(readFileSync(path, 'utf8'), corrupt);
      assert.equal(statSync(path).mtimeMs, before.mtimeMs);
      assert.equal(statSync(path).ino, before.ino);
    } finally {
      tmp.done();
    }
  });

  test('a registry the supervisor cleared to null or truncated is empty, not corrupt', async () => {
    const tmp = tempDir();
    try {
      for (const text of ['null\n', '', '[]']) {
        const path = join(tmp.dir, 'procs.json');
        writeFileSync(path, text);
        assert.deepEqual(await readPidfiles(fakeContext([], [path]), snap, { pidMax: 32768 }), []);
      }
    } finally {
      tmp.done();
    }
  });

  test('element spans and layout', () => {
    const t = '[ {"a": "x,]\\"}"}, 12 , [1,[2]], "s" ]';
    assert.deepEqual(arrayElementSpans(t).map(([s, e]) => t.slice(s, e)), ['{"a": "x,]\\"}"}', '12', '[1,[2]]', '"s"']);
    assert.deepEqual(arrayElementSpans('[]'), []);
    assert.equal(formatArray('[1,2]', ['1']), '[1]');
    assert.equal(formatArray('[1, 2]\n', ['1', '2']), '[1, 2]\n');
    assert.equal(formatArray('[\n\t1,\n\t2\n]', ['2']), '[\n\t2\n]');
    assert.equal(formatArray('[\n  1\n]\n', []), '[]\n');
  });
});

describe('writePidfile / removeOwnPidfile', () => {
  test('writes the timestamped format atomically and reads back as live', async () => {
    const tmp = tempDir();
    try {
      const T = Date.parse('2025-10-23T09:00:00Z');
      const path = await writePidfile(tmp.dir, 'route_1', 'srtOut:6000', 900, T);
      assert.equal(path, join(tmp.dir, 'route_1_srtOut:6000.pid'));
      assert.equal(readFileSync(path, 'utf8'), `900\n${T}\n`);
      assert.equal(statSync(path).mode & 0o777, 0o644);
      const [e] = await readPidfiles(fakeContext([tmp.dir]), snapshotOf([proc(900, { startedAt: T - 20 })], T + 10), { pidMax: 32768 });
      assert.equal(e.status, 'live');
      assert.equal(await removeOwnPidfile(path, 901), false, 'names another PID: kept');
      assert.equal(await removeOwnPidfile(path, 900), true);
      assert.equal(existsSync(path), false);
      await assert.rejects(writePidfile(tmp.dir, '../x', 'ffmpeg', 900, T), /may not contain '\/'/);
      await assert.rejects(writePidfile(tmp.dir, 'x', 'ffmpeg', 1, T), /above 1/);
      const { EnvironmentError } = await import('../../src/core/errors.js');
      await assert.rejects(writePidfile(join(tmp.dir, 'missing'), 'x', 'ffmpeg', 900, T), (e: unknown) => e instanceof EnvironmentError && /cannot write pidfile .*missing\/x_ffmpeg\.pid \(ENOENT\): create the pid dir first/.test((e as Error).message));
    } finally {
      tmp.done();
    }
  });
});
