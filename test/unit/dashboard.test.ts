import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLine, tickLine } from '../../src/core/watch/json-lines.js';
import type { WatchEvent } from '../../src/core/watch/events.js';
import { fitLine, renderDashboard, renderPidfilesDashboard, sparkline } from '../../src/render/dashboard.js';
import { eventRowLine, foldEvents } from '../../src/render/events.js';
import { palette } from '../../src/render/palette.js';
import { sampleTick } from '../helpers/watch-tick.js';

test('sparkline scales to the largest value and keeps the newest', () => {
  assert.equal(sparkline([0, 0, 0], 5), '▁▁▁');
  assert.equal(sparkline([0, 1, 2, 4, 8], 5), '▁▂▃▅█');
  assert.equal(sparkline([1, 2, 3, 4, 5, 6], 3), '▆▇█');
});

test('fitLine cuts visible characters and keeps colour codes balanced', () => {
  assert.equal(fitLine('abcdef', 3), 'abc');
  assert.equal(fitLine('\x1b[31mabcdef\x1b[39m', 2), '\x1b[31mab\x1b[0m');
  assert.equal(fitLine('abc', 10), 'abc');
});

test('the dashboard fits the terminal and shows counts, alarms, processes and events', () => {
  const tick = sampleTick();
  for (const [width, height] of [[120, 40], [60, 20], [200, 60]]) {
    const lines = renderDashboard({ tick, events: tick.events, intervalMs: 2000, width, height, notes: ['sweep on'] }, palette(0));
    assert.ok(lines.length <= height, `${lines.length} lines for height ${height}`);
    for (const l of lines) assert.ok([...l].length <= width, `too wide for ${width}: ${l}`);
    const text = lines.join('\n');
    assert.match(text, /procsweep watch {2}· {2}every 2s {2}· {2}tick 1 {2}· {2}scan 3\.4ms/);
    assert.match(text, /sweep on/);
    assert.match(text, /^SIGNATURE\s+TOTAL\s+ORPHAN\s+ZOMBIE\s+DUP\s+HISTORY/m);
    assert.match(text, /^ffmpeg\s+3\s+1\s+1\s+0\s+█/m);
    assert.match(text, /ALARMS \(1\)/);
    assert.match(text, /!! ffmpeg: 3 processes running, 2 more than the 1 expected/);
    if (height >= 40) {
      assert.match(text, /OLDEST/);
      assert.match(text, /HEAVIEST/);
      assert.match(text, /LAST EVENTS/);
    }
  }
  const coloured = renderDashboard({ tick, events: tick.events, intervalMs: 2000, width: 120, height: 40, notes: [] }, palette(1)).join('\n');
  assert.match(coloured, /\x1b\[31m/, 'alarms in red');
});

test('JSON lines: tick and event records follow the documented schema', () => {
  const tick = sampleTick();
  const rec = tickLine(tick);
  assert.deepEqual(Object.keys(rec), ['type', 'tick', 'at', 'scanMs', 'scanned', 'matched', 'orphan', 'zombie', 'duplicate', 'detached', 'wrappers', 'signatures', 'files', 'alarms']);
  assert.equal(rec.type, 'tick');
  assert.equal(rec.at, '2027-01-15T08:00:00.000Z');
  assert.deepEqual(rec.alarms, ['expect:ffmpeg']);
  const failed = tickLine({ ...tick, error: 'cannot read process table at /x (ENOENT)' });
  assert.deepEqual(Object.keys(failed), ['type', 'tick', 'at', 'scanMs', 'error']);
  const ev = eventLine(tick.events[0]);
  assert.equal(ev.type, 'event');
  assert.equal(ev.event, 'alarm');
  assert.equal(ev.state, 'raised');
  assert.equal((ev.alarm as { since: string }).since, '2027-01-15T08:00:00.000Z');
});

test('the header names the scope; the last line is the key legend, whatever the height', () => {
  const tick = sampleTick();
  for (const [width, height] of [[120, 40], [60, 20], [100, 12]]) {
    const lines = renderDashboard({ tick, events: tick.events, intervalMs: 2000, width, height, notes: [], scope: ['--args', "'cam[0-9]'", '--user', 'media'], legend: ['q quit', 'Ctrl-C quit', 'nothing is killed from here; to act: procsweep sweep -n --args cam'] }, palette(0));
    assert.equal(lines.length, height, 'the legend sits on the bottom line');
    assert.ok(lines.slice(0, 4).includes("scope: --args 'cam[0-9]' --user media"), lines.slice(0, 4).join('\n'));
    assert.match(lines[height - 1], /^q quit {2}· {2}Ctrl-C quit {2}· {2}nothing is killed from here/);
    for (const l of lines) assert.ok([...l].length <= width, `too wide for ${width}: ${l}`);
  }
  const bare = renderDashboard({ tick, events: tick.events, intervalMs: 2000, width: 120, height: 40, notes: [] }, palette(0));
  assert.match(bare[1], /^scope: every matched process \(no --args, --user, --match or other filter\)$/);
  const hostile = renderDashboard({ tick, events: [], intervalMs: 2000, width: 120, height: 40, notes: [], scope: ['--args', '\x1b[2J'] }, palette(0));
  assert.equal(hostile[1], 'scope: --args ?[2J', 'escaped');
});

const T = 1_800_000_000_000;
const pev = (event: 'zombie' | 'reaped' | 'started', pid: number, at: number, startTicks = pid): WatchEvent =>
  ({ event, pid, startTicks, ppid: 700, signature: 'ffmpeg', role: 'process', argv: [], flags: [], reason: event === 'reaped' ? 'reaped after 2s as a zombie' : 'exited but not reaped', tick: 1, at });
const swept = (pid: number, at: number): WatchEvent =>
  ({ event: 'swept', pid, startTicks: pid, ppid: 700, argv: ['ffmpeg'], signature: 'ffmpeg', outcome: 'terminated', reason: 'orphan: parent is reaper 700', signals: ['SIGTERM'], tick: 1, at });

test("a kill and its slow reaper's zombie and reaped events fold into one line", () => {
  const p = palette(0);
  const other = pev('started', 900, T + 500);
  const rows = foldEvents([pev('zombie', 812, T), other, pev('reaped', 812, T + 2000)]);
  assert.equal(rows.length, 2);
  assert.equal(rows[0], other);
  assert.match(eventRowLine(rows[1], p), /^\d\d:\d\d:\d\d reaped {3}812 ffmpeg: exited, a zombie for 2s under parent 700, then reaped$/);
  // watch --sweep's kill, then the zombie and its reaping: one line, where the last one is.
  const killed = foldEvents([swept(812, T), pev('zombie', 812, T + 500), other, pev('reaped', 812, T + 3000)]);
  assert.equal(killed.length, 2);
  assert.match(eventRowLine(killed[1], p), /^\d\d:\d\d:\d\d swept {4}812 terminated; a zombie for 2s under parent 700, then reaped: orphan: parent is reaper 700$/);
  // Still a zombie: the zombie line as it was. Another process with the same pid (a new start time) is not folded in.
  const waiting = foldEvents([pev('zombie', 812, T)]);
  assert.match(eventRowLine(waiting[0], p), /zombie {3}812 ffmpeg: exited but not reaped$/);
  const reused = foldEvents([pev('zombie', 812, T), pev('reaped', 812, T + 1000, 9999)]);
  assert.equal(reused.length, 2);
});

test('the pidfiles dashboard names records in their directory (the scope line names it), with its legend', () => {
  const rec = (path: string, pid: number, status: 'dead' | 'live') => ({ path, format: 'plain' as const, pid, recordedAt: null, recordedFrom: null, routeId: null, processType: null, taskId: null, status, reason: status === 'dead' ? `no process ${pid}: it exited and this pidfile was left behind` : 'alive', startTicks: null });
  const tick = { ...sampleTick(), records: [rec('/run/router/pids/cam1_ffmpeg.pid', 4231, 'dead'), rec('/run/router/pids/cam2_ffmpeg.pid', 4232, 'live')], pidfiles: { live: 1, dead: 1 } };
  const lines = renderPidfilesDashboard({ tick, events: [], intervalMs: 30_000, width: 100, height: 20, notes: [], scope: ['--pid-dir', '/run/router/pids', '--dry-run'], legend: ['q quit', 'Ctrl-C quit'] }, palette(0));
  const text = lines.join('\n');
  assert.match(text, /^scope: --pid-dir \/run\/router\/pids --dry-run$/m);
  assert.match(text, /^dead +4231 +cam1_ffmpeg\.pid +no process 4231: it exited and this pidfile was left behind$/m);
  assert.doesNotMatch(text, /\/run\/router\/pids\/cam/);
  assert.equal(lines.length, 20);
  assert.equal(lines[19], 'q quit  ·  Ctrl-C quit');
  const twin = { ...tick, records: [rec('/a/cam1_ffmpeg.pid', 1, 'dead'), rec('/b/cam1_ffmpeg.pid', 2, 'dead')] };
  assert.match(renderPidfilesDashboard({ tick: twin, events: [], intervalMs: 30_000, width: 100, height: 20, notes: [] }, palette(0)).join('\n'), /\/b\/cam1_ffmpeg\.pid/, 'two records of one name keep their paths');
});

test('the dashboard shortens commands keeping what tells the workers apart (their outputs)', async () => {
  const { proc } = await import('../helpers/watch-tick.js');
  const noise = ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30', '-c:v', 'libx264', '-preset', 'veryfast', '-f', 'mpegts'];
  const cams = ['lobby', 'dock', 'gate'];
  const tick = sampleTick(cams.map((c, i) => proc(201 + i, 1, ['ffmpeg', ...noise, `srt://127.0.0.1:900${i}?streamid=cam-${c}`])));
  const lines = renderDashboard({ tick, events: [], intervalMs: 2000, width: 110, height: 40, notes: [] }, palette(0));
  for (const c of cams) assert.ok(lines.some((l) => l.includes(`cam-${c}`)), `cam-${c} is visible:\n${lines.join('\n')}`);
  for (const l of lines) assert.ok([...l].length <= 110);
});
