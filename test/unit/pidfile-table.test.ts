import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildPidfileReport, isPm2PidDir, parsePm2PidfileName, planClean, readPidfiles, recordName, type PidfileEntry } from '../../src/core/pidfiles/index.js';
import { palette } from '../../src/render/palette.js';
import { renderPidfileTable, staleRecordsLine, wrapText } from '../../src/render/pidfiles.js';
import { fakeContext, snapshotOf, tempDir } from '../helpers/pidfiles.js';

const p = palette(0);
const NOW = new Date(2026, 11, 3, 11, 45, 0).getTime();

function entry(path: string, o: Partial<PidfileEntry> = {}): PidfileEntry {
  return { path, format: 'plain', pid: 30001, recordedAt: NOW - 60_000, recordedFrom: 'mtime', routeId: null, processType: null, taskId: null, status: 'dead', reason: 'no process 30001: it exited and this pidfile was left behind', startTicks: null, ...o };
}

/** The records of seed 000's router, PM2's pids dir and a registry, as the operator meets them. */
const ENTRIES: PidfileEntry[] = [
  entry('/tmp/srt-gateway-pids/route_1761154355576_srtOut:6000.pid', { format: 'timestamped', recordedFrom: 'content', routeId: 'route_1761154355576', processType: 'srtOut:6000' }),
  entry('/tmp/srt-gateway-pids/route_1761154355576_ffmpeg.pid', { format: 'timestamped', recordedFrom: 'content', routeId: 'route_1761154355576', processType: 'ffmpeg', status: 'reused', reason: "PID 812 is now 'sshd: /usr/sbin/sshd -D', which matches no signature (ffmpeg, srt-live-transmit): the PID was reused" }),
  entry('/home/media/.pm2/pids/cam-ingest-3.pid', { pm2: { name: 'cam-ingest', id: 3 } }),
  entry('/tmp/ecosystem-manager-processes.json', { format: 'registry', taskId: 'resource-generator-example-20250110', registryIndex: 0, recordedFrom: 'content', recordedAt: NOW - 86_400_000 * 30, reason: 'no process 30001: it exited and this registry entry was left behind' }),
];

test('PM2 pidfile names: NAME-ID.pid, split at the last hyphen', () => {
  assert.deepEqual(parsePm2PidfileName('cam-ingest-3.pid'), { name: 'cam-ingest', id: 3 });
  assert.deepEqual(parsePm2PidfileName('my_app-12.pid'), { name: 'my_app', id: 12 });
  for (const n of ['cam.pid', '-3.pid', 'cam-3.pid.bak', 'cam-x.pid', 'route_1_ffmpeg.pid']) assert.equal(parsePm2PidfileName(n), null, n);
});

test('a record is named relative to its directory; a registry entry as file#task', () => {
  assert.equal(recordName(ENTRIES[0]), 'route_1761154355576_srtOut:6000.pid');
  assert.equal(recordName(ENTRIES[3]), 'ecosystem-manager-processes.json#resource-generator-example-20250110');
  assert.equal(recordName({ ...ENTRIES[3], taskId: null }), 'ecosystem-manager-processes.json#[0]');
  assert.equal(recordName({ ...ENTRIES[3], registryIndex: undefined }), 'ecosystem-manager-processes.json', 'a whole registry that does not parse');
  assert.equal(staleRecordsLine([ENTRIES[3], { ...ENTRIES[3], taskId: 'cam2', registryIndex: 1 }], null), '2 stale pidfile records (dead or reused) in /tmp: ecosystem-manager-processes.json#resource-generator-example-20250110, ecosystem-manager-processes.json#cam2');
  assert.equal(staleRecordsLine(ENTRIES, 140), '4 stale pidfile records (dead or reused) in /tmp/srt-gateway-pids, /home/media/.pm2/pids, /tmp: route_1761154355576_srtOut:6000.pid, ...');
  assert.equal(staleRecordsLine(ENTRIES.slice(0, 2), 60), '2 stale pidfile records (dead or reused) in /tmp/srt-gatew…');
});

describe('PM2 names are read only in a PM2 home', () => {
  test('$PM2_HOME/pids/NAME-ID.pid names its app, in list and JSON; the same name elsewhere is only a name', async () => {
    const tmp = tempDir();
    try {
      const pids = join(tmp.dir, 'pm2home', 'pids');
      const other = join(tmp.dir, 'other', 'pids');
      mkdirSync(pids, { recursive: true });
      mkdirSync(other, { recursive: true });
      writeFileSync(join(tmp.dir, 'pm2home', 'pm2.log'), '');
      for (const d of [pids, other]) writeFileSync(join(d, 'cam-ingest-3.pid'), '30001');
      assert.equal(isPm2PidDir(pids), true);
      assert.equal(isPm2PidDir(other), false);
      assert.equal(isPm2PidDir(join(tmp.dir, 'pm2home')), false);
      const entries = await readPidfiles(fakeContext([pids, other]), snapshotOf([]));
      const doc = buildPidfileReport(planClean(entries));
      assert.deepEqual(doc.pidfiles.map((r) => [r.path, r.name, r.pm2Id]), [
        [join(pids, 'cam-ingest-3.pid'), 'cam-ingest', 3],
        [join(other, 'cam-ingest-3.pid'), null, null],
      ]);
      assert.deepEqual(doc.pidfiles.map((r) => r.status), ['dead', 'dead']);
    } finally {
      tmp.done();
    }
  });
});

describe('the pidfiles table at 140 columns', () => {
  const items = planClean(ENTRIES);
  test('rows are grouped under their directory, named relative to it; no line is wider than the terminal', () => {
    const out = renderPidfileTable(items, 140, p, { now: NOW });
    const lines = out.split('\n');
    for (const l of lines) assert.ok(l.length < 140, `${l.length}: ${l}`);
    assert.match(lines[0], /^PATH\s+PID\s+RECORDED\s+STATUS\s+ACTION\s+REASON$/, 'RECORD repeats the names and gives way to the reason');
    assert.deepEqual(lines.filter((l) => l.startsWith('/')), ['/tmp/srt-gateway-pids/', '/home/media/.pm2/pids/', '/tmp/ecosystem-manager-processes.json']);
    assert.match(out, /^route_1761154355576_srtOut:6000\.pid +30001 +11:44:00 +dead +remove +no process 30001: it exited/m, "today's time without its date");
    assert.match(out, /^\/tmp\/ecosystem-manager-processes\.json\n#resource-generator-example-20250110 +30001 +2026-11-03 11:45 +dead/m, 'a registry entry as file#task: the file heads its entries');
    assert.doesNotMatch(out, /\/tmp\/srt-gateway-pids\/route/, 'no row repeats its directory');
    assert.equal(lines.length, 1 + 3 + ENTRIES.length);
  });
  test('--wide wraps a long reason inside its column: every row still starts on a line of its own', () => {
    const out = renderPidfileTable(items, 140, p, { now: NOW, wrap: true });
    const lines = out.split('\n');
    const at = lines[0].indexOf('REASON');
    for (const l of lines) assert.ok(l.length < 140, `${l.length}: ${l}`);
    const more = lines.filter((l) => l.startsWith(' '));
    assert.ok(more.length > 0);
    for (const l of more) assert.match(l.slice(0, at), /^ +$/, 'continuations sit under REASON');
    const reused = lines.findIndex((l) => l.startsWith('route_1761154355576_ffmpeg.pid'));
    let end = reused + 1;
    while (lines[end]?.startsWith(' ')) end++;
    const whole = lines.slice(reused, end).map((l) => l.slice(at)).join(' ');
    assert.equal(whole, ENTRIES[1].reason);
  });
  test('RECORD is shown when the reason keeps room, and in a pipe (no width); PM2 records name their app', () => {
    const pipe = renderPidfileTable(items, null, p, { now: NOW });
    assert.match(pipe, /^PATH\s+RECORD\s+PID\s+RECORDED\s+STATUS\s+ACTION\s+REASON$/m);
    assert.match(pipe, /^cam-ingest-3\.pid +pm2 cam-ingest id 3 +30001/m);
    assert.match(pipe, /route_1761154355576\/srtOut:6000/);
    const wide = renderPidfileTable(planClean(ENTRIES.slice(2, 3)), 150, p, { now: NOW });
    assert.match(wide, /^PATH\s+RECORD\s+PID/);
    const plain = renderPidfileTable(planClean([entry('/tmp/x/a.pid')]), null, p, { now: NOW });
    assert.match(plain, /^PATH\s+PID\s+RECORDED/, 'no row records anything beyond its name: no RECORD column');
  });
  test('at 80 columns the names give way before the reason does; nothing wraps', () => {
    const lines = renderPidfileTable(items, 80, p, { now: NOW }).split('\n');
    for (const l of lines) assert.ok(l.length < 80, `${l.length}: ${l}`);
    assert.ok(lines[0].length - lines[0].indexOf('REASON') >= 6);
    assert.ok(lines.some((l) => /^route_\S*… +30001/.test(l)));
  });
  test('wrapText keeps words whole and splits only a word wider than the column', () => {
    assert.deepEqual(wrapText('aa bb cc', 5), ['aa bb', 'cc']);
    assert.deepEqual(wrapText('abcdefgh ij', 3), ['abc', 'def', 'gh', 'ij']);
    assert.deepEqual(wrapText('', 5), ['']);
  });
});
