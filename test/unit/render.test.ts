import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable, truncate } from '../../src/render/table.js';
import { renderTree } from '../../src/render/tree.js';
import { colorLevel } from '../../src/cli/io.js';

test('truncate marks cuts with an ellipsis', () => {
  assert.equal(truncate('abcdef', 10), 'abcdef');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abcdef', 0), '');
});

test('the flex column is cut to the width, and kept whole without one', () => {
  const cols = [{ header: 'PID', align: 'right' as const }, { header: 'COMMAND', flex: true }];
  const rows = [['1', 'x'.repeat(200)]];
  const cut = renderTable(cols, rows, 40);
  for (const line of cut.split('\n')) assert.ok(line.length <= 40, `${line.length}: ${line}`);
  assert.match(cut, /…$/m);
  const whole = renderTable(cols, rows, null);
  assert.ok(whole.includes('x'.repeat(200)));
});

test('tree guides', () => {
  const leaf = (l: string) => ({ label: () => l, children: [] });
  const out = renderTree([{ label: () => 'a', children: [leaf('b'), { label: () => 'c', children: [leaf('d')] }] }], null);
  assert.equal(out, 'a\n├─ b\n└─ c\n   └─ d');
});

test('colour: --no-color and NO_COLOR win, FORCE_COLOR forces, TTY decides otherwise', () => {
  assert.equal(colorLevel(false, { FORCE_COLOR: '1' }, true), 0);
  assert.equal(colorLevel(undefined, { NO_COLOR: '1' }, true), 0);
  assert.equal(colorLevel(undefined, { FORCE_COLOR: '2' }, false), 2);
  assert.equal(colorLevel(undefined, { FORCE_COLOR: '0' }, true), 0);
  assert.equal(colorLevel(undefined, {}, true), 1);
  assert.equal(colorLevel(undefined, {}, false), 0);
  assert.equal(colorLevel(undefined, { TERM: 'dumb' }, true), 0);
});

test('a large table is laid out linearly and draws exactly what cli-table3 draws', async () => {
  const { CLI_TABLE_MAX_ROWS } = await import('../../src/render/table.js');
  const cols = [{ header: 'PID', align: 'right' as const }, { header: 'USER' }, { header: 'FLAGS' }, { header: 'COMMAND', flex: true }];
  const rows = Array.from({ length: CLI_TABLE_MAX_ROWS * 3 + 1 }, (_, i) => [
    String(i * 37), i % 3 ? 'root' : 'ü日本', i % 2 ? 'orphan' : '-', `cmd ${'x'.repeat(i % 50)} \x1b[2J 日本語${i % 4 ? '' : ' 😀'}`,
  ]);
  const style = (_r: number, c: number, t: string): string => (c === 2 && t !== '-' ? `\x1b[31m${t}\x1b[39m` : t);
  for (const width of [null, 60, 12]) {
    const byCliTable = renderTable(cols, rows, width, style, { cliTableMax: Infinity });
    const linear = renderTable(cols, rows, width, style, { cliTableMax: 0 });
    assert.equal(linear, byCliTable, `width ${width}`);
    assert.equal(linear.split('\n').length, rows.length + 1);
  }
});

test('truncate marks cuts with ... where the locale is not UTF-8 (LANG=C), and never exceeds the width', () => {
  assert.equal(truncate('abcdef', 5, false), 'ab...');
  assert.equal(truncate('abcdef', 6, false), 'abcdef');
  assert.equal(truncate('abcdef', 2, false), '..');
  const cols = [{ header: 'PID', align: 'right' as const }, { header: 'COMMAND', flex: true }];
  const cut = renderTable(cols, [['1', 'x'.repeat(200)]], 40, undefined, { unicode: false });
  assert.match(cut, /x\.\.\.$/m);
  assert.doesNotMatch(cut, /…/);
  for (const line of cut.split('\n')) assert.ok(line.length <= 40, line);
});
