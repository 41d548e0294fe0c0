import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLine } from '../../src/render/dashboard.js';
import { commandLine, escapeText } from '../../src/render/escape.js';
import { palette } from '../../src/render/palette.js';
import { renderTable } from '../../src/render/table.js';
import type { WatchEvent } from '../../src/core/watch/events.js';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('escapeText turns every control character into ?, one for one, and leaves the rest alone', () => {
  assert.equal(escapeText('\x1b[2J'), '?[2J');
  assert.equal(escapeText('a\r\nb\tc\x7fd\u009be\u0000'), 'a??b?c?d?e?');
  assert.equal(escapeText('\x1b]52;c;eA==\x07'), '?]52;c;eA==?');
  assert.equal(escapeText('abc\u202eevil\u2066x\u2028y'), 'abc?evil?x?y');
  const plain = 'ffmpeg -i srt://h:9000 -metadata title=ünïcode 日本 ✓';
  assert.equal(escapeText(plain), plain);
  assert.equal(escapeText('\x1b[31m').length, '\x1b[31m'.length);
});

test('commandLine joins argv, or shows [comm], escaped', () => {
  assert.equal(commandLine(['ffmpeg', 'a\nb'], 'ffmpeg'), 'ffmpeg a?b');
  assert.equal(commandLine([], 'ff\x1bmpeg'), '[ff?mpeg]');
});

test('renderTable escapes cells before it measures and cuts them', () => {
  const cols = [{ header: 'PID', align: 'right' as const }, { header: 'COMMAND', flex: true }];
  const out = renderTable(cols, [['1', `x\x1b[2J\ny\r${'z'.repeat(100)}`]], 30);
  assert.doesNotMatch(out, RAW);
  const lines = out.split('\n');
  assert.equal(lines.length, 2, out);
  for (const l of lines) assert.ok(l.length <= 30, l);
  assert.match(lines[1], /x\?\[2J\?y\?z+…$/);
});

test('watch event lines escape reasons, paths and signatures', () => {
  const p = palette(0);
  const base = { tick: 1, at: 0, startTicks: null, ppid: 1, argv: ['x'], flags: [] };
  const evs: WatchEvent[] = [
    { ...base, event: 'orphaned', pid: 5, signature: 'stub', role: 'process', reason: 'parent \x1b]0;t\x07 gone\nFORGED' } as WatchEvent,
    { ...base, event: 'pidfile-removed', path: '/run/x\x1b[2J.pid', status: 'dead', reason: 'dead\r' } as unknown as WatchEvent,
  ];
  for (const e of evs) {
    const line = eventLine(e, p);
    assert.doesNotMatch(line, RAW, line);
    assert.ok(!line.includes('\n'));
  }
});
