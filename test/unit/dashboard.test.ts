import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventRecord, tickRecord } from '../../src/core/watch/records.js';
import { fitLine, renderDashboard, sparkline } from '../../src/render/dashboard.js';
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
  const rec = tickRecord(tick);
  assert.deepEqual(Object.keys(rec), ['type', 'tick', 'at', 'scanMs', 'scanned', 'matched', 'orphan', 'zombie', 'duplicate', 'detached', 'wrappers', 'signatures', 'files', 'alarms']);
  assert.equal(rec.type, 'tick');
  assert.equal(rec.at, '2027-01-15T08:00:00.000Z');
  assert.deepEqual(rec.alarms, ['expect:ffmpeg']);
  const failed = tickRecord({ ...tick, error: 'cannot read process table at /x (ENOENT)' });
  assert.deepEqual(Object.keys(failed), ['type', 'tick', 'at', 'scanMs', 'error']);
  const ev = eventRecord(tick.events[0]);
  assert.equal(ev.type, 'event');
  assert.equal(ev.event, 'alarm');
  assert.equal(ev.state, 'raised');
  assert.equal((ev.alarm as { since: string }).since, '2027-01-15T08:00:00.000Z');
});
