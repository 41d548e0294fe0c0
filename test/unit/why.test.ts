import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupReasons, pidList, renderListReasons } from '../../src/render/why.js';
import { palette } from '../../src/render/palette.js';
import type { Finding } from '../../src/core/types.js';

test('identical reasons are grouped, in the order first seen', () => {
  const g = groupReasons([{ pid: 3, reason: 'a' }, { pid: 1, reason: 'b' }, { pid: 2, reason: 'a' }]);
  assert.deepEqual(g, [{ reason: 'a', pids: [3, 2] }, { reason: 'b', pids: [1] }]);
});

test('a long pid list names the first ones and counts the rest', () => {
  assert.equal(pidList([1, 2, 3]), '1, 2, 3');
  assert.equal(pidList([1, 2, 3, 4, 5, 6, 7, 8]), '1, 2, 3, 4, 5, 6, 7, 8');
  assert.equal(pidList(Array.from({ length: 200 }, (_, i) => 100 + i)), '100, 101, 102, 103, 104, 105 and 194 more');
});

const finding = (pid: number, flags: string[], reasons: Record<string, string>): Finding =>
  ({ proc: { pid }, flags, reasons, signature: 'ffmpeg', role: 'process', pidfile: null }) as unknown as Finding;

test("list's reasons: one line per flag and reason; 200 identical ones make one line", () => {
  const p = palette(0);
  const many = Array.from({ length: 200 }, (_, i) => finding(1000 + i, ['orphan'], { orphan: 'parent is PID 1 (init); session leader 999 is gone' }));
  const lines = renderListReasons([...many, finding(5, ['duplicate', 'long-lived'], { duplicate: 'same as 6', 'long-lived': 'older than 1h' })], p);
  assert.deepEqual(lines, [
    '  why  1000, 1001, 1002, 1003, 1004, 1005 and 194 more: orphan: parent is PID 1 (init); session leader 999 is gone',
    '  why  5: duplicate: same as 6',
    '  why  5: long-lived: older than 1h',
  ]);
});

test('past the cap, the commonest reasons are shown and the rest counted; reasons are escaped', () => {
  const p = palette(0);
  const distinct = Array.from({ length: 20 }, (_, i) => finding(i + 10, ['orphan'], { orphan: `session leader ${i} is gone\x1b[2J` }));
  const common = [1, 2, 3].map((pid) => finding(pid, ['orphan'], { orphan: 'one supervisor' }));
  const lines = renderListReasons([...distinct, ...common], p, 4);
  assert.equal(lines.length, 5);
  assert.ok(lines.some((l) => l === '  why  1, 2, 3: orphan: one supervisor'), lines.join('\n'));
  assert.equal(lines[4], '  and 17 more reasons, for 17 processes (list --json gives each one; sweep -n lists them all)');
  assert.doesNotMatch(lines.join('\n'), /\x1b/);
});

test('on a terminal a long reason goes on indented lines of its own, never wider than the terminal; in a pipe it stays one line', async () => {
  const { reasonLines, wrapText } = await import('../../src/render/why.js');
  const reason = 'orphan: parent is PID 1 (init); session leader 4100 (node /srv/gateway/supervisor.js --config /etc/gateway/cameras.yaml) is gone since 02:14';
  const groups = [{ reason, pids: [4101, 4102, 4103] }];
  const piped = reasonLines('why ', groups);
  assert.equal(piped.length, 1);
  assert.ok(piped[0].endsWith(reason));
  for (const width of [60, 80, 140]) {
    const lines = reasonLines('why ', groups, undefined, width);
    assert.ok(lines.every((l) => l.length <= width), `width ${width}: ${lines.map((l) => l.length).join(',')}`);
    assert.equal(lines.map((l, i) => (i ? l.trimStart() : l.slice(l.indexOf(': ') + 2))).join(' '), reason, 'no word lost or cut');
    if (width < 140) assert.ok(lines.length > 1 && lines.slice(1).every((l) => l.startsWith('        ')));
  }
  assert.deepEqual(wrapText('abcdefghij kl', 4, 4), ['abcd', 'efgh', 'ij', 'kl']);
});
