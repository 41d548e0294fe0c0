import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ALL_FLAGS, CHECK_FLAGS, COLUMN_FLAGS, DEFAULT_TARGET_FLAGS, DEFAULT_TARGETS, FLAG_TABLE, SUMMARY_FLAGS, SWEEP_TARGETS, TREE_FLAGS, WATCHED_FLAGS } from '../../src/core/decide/flags.js';
import { colorFlag, palette } from '../../src/render/palette.js';

// The flag table feeds every list that used to be written by hand; these are those lists, in
// their order (JSON key order, help text, metric series), so the table keeps them byte-identical.
test('the lists derived from the flag table are the ones procsweep always had, in their order', () => {
  assert.deepEqual(ALL_FLAGS, ['orphan', 'detached', 'zombie', 'tracked', 'untracked', 'duplicate', 'long-lived', 'supervised', 'abandoned', 'kept']);
  assert.deepEqual(Object.entries(SWEEP_TARGETS), [['orphans', 'orphan'], ['abandoned', 'abandoned'], ['detached', 'detached'], ['untracked', 'untracked'], ['duplicates', 'duplicate'], ['long-lived', 'long-lived']]);
  assert.deepEqual(DEFAULT_TARGETS, ['orphans', 'abandoned']);
  assert.deepEqual(DEFAULT_TARGET_FLAGS, ['orphan', 'abandoned']);
  assert.deepEqual(CHECK_FLAGS, ['orphan', 'abandoned', 'zombie', 'duplicate']);
  assert.deepEqual(SUMMARY_FLAGS, ['orphan', 'abandoned', 'zombie', 'duplicate', 'detached', 'untracked', 'long-lived', 'kept']);
  assert.deepEqual(WATCHED_FLAGS, ['orphan', 'zombie', 'duplicate', 'detached']);
  assert.deepEqual(COLUMN_FLAGS.map((c) => [c.flag, c.header]), [['orphan', 'ORPHAN'], ['zombie', 'ZOMBIE'], ['duplicate', 'DUP']]);
  assert.deepEqual(TREE_FLAGS, ['orphan', 'detached']);
});

test('flag colours come from the tone column: leaks red, worth a look yellow, accounted for green, the rest dim', () => {
  const p = palette(1);
  const c = p;
  const expected: Record<string, (s: string) => string> = {
    orphan: c.red, zombie: c.red, abandoned: c.red,
    duplicate: c.yellow, untracked: c.yellow, 'long-lived': c.yellow,
    supervised: c.green, tracked: c.green, kept: c.green,
    detached: c.dim, wrapper: c.dim,
  };
  for (const [flag, colour] of Object.entries(expected)) assert.equal(colorFlag(p, flag), colour(flag), flag);
});

test('every flag is documented: a FLAGS entry in the man page and a row in the README flag table', () => {
  const root = join(import.meta.dirname, '..', '..');
  const man = readFileSync(join(root, 'man', 'procsweep.1'), 'utf8').replace(/\\-/g, '-');
  const flagsSection = man.slice(man.indexOf('.SH FLAGS'), man.indexOf('.SH', man.indexOf('.SH FLAGS') + 1));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const { flag } of FLAG_TABLE) {
    assert.match(flagsSection, new RegExp(`^\\.BR? (.* )?"?${flag}\\b`, 'm'), `man page FLAGS has no entry for ${flag}`);
    assert.match(readme, new RegExp(`^\\| \`${flag}\`( / \`\\w+\`)? \\|` + '|' + `^\\| \`\\w+\` / \`${flag}\` \\|`, 'm'), `README's flag table has no row for ${flag}`);
  }
});

test('the outcome table keeps the outcome lists, summary keys, colours and exit policy procsweep always had', async () => {
  const o = await import('../../src/core/act/outcomes.js');
  const { summarizeTargets } = await import('../../src/core/act/execution-report.js');
  assert.deepEqual(o.OUTCOMES, ['terminated', 'killed', 'already-gone', 'reused', 'skipped', 'survived', 'failed']);
  assert.deepEqual([...o.GONE_OUTCOMES], ['terminated', 'killed', 'already-gone', 'reused']);
  assert.deepEqual([...o.SIGNALLED_OUTCOMES], ['terminated', 'killed']);
  assert.deepEqual([...o.UNENDED_OUTCOMES], ['survived', 'failed']);
  assert.deepEqual([...o.ROUTINE_OUTCOMES], ['terminated', 'killed', 'already-gone']);
  const s = summarizeTargets([{ pid: 1, outcome: 'already-gone' }, { pid: 2, outcome: 'skipped' }, { pid: 3, outcome: 'skipped' }], new Set([3]));
  assert.deepEqual(Object.keys(s), ['total', 'planned', 'terminated', 'killed', 'alreadyGone', 'reused', 'skipped', 'survived', 'failed', 'leftRunning']);
  assert.equal(s.alreadyGone, 1);
  assert.equal(s.leftRunning, 1, 'a skipped zombie is not running');
  const zero = o.zeroOutcomes();
  assert.equal(o.anyUnended(zero), false);
  assert.equal(o.anyUnended({ ...zero, skipped: 2, reused: 1 }), false);
  assert.equal(o.anyUnended({ ...zero, failed: 1 }), true);
});
