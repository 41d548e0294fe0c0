import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BIN } from '../helpers/procs.js';
import { Tmux } from '../helpers/tmux.js';
import { needs } from '../helpers/needs.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');

test('on a terminal the command column is cut to the width; --wide keeps it whole', { skip: needs('tmux') }, async () => {
  const t = new Tmux(72, 40);
  after(() => t.kill());
  t.start(`${process.execPath} ${BIN} list --proc-root ${ROOT}; echo DONE; sleep 30`, { NO_COLOR: '1' });
  const screen = await t.waitFor(/DONE/);
  const lines = screen.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l));
  assert.ok(lines.length >= 10, screen);
  for (const l of lines) assert.ok(l.trimEnd().length <= 72, `line wider than the terminal: ${l}`);
  assert.ok(lines.some((l) => l.trimEnd().endsWith('…')), 'long commands end in an ellipsis');

  const w = new Tmux(72, 60);
  after(() => w.kill());
  w.start(`${process.execPath} ${BIN} list --wide --proc-root ${ROOT}; echo DONE; sleep 30`, { NO_COLOR: '1' });
  const wide = await w.waitFor(/DONE/);
  assert.match(wide.replace(/\n/g, ''), /rtsp:\/\/127\.0\.0\.1:8554\/cam4/, 'the whole command is printed (wrapped by the terminal)');
});

test('under LANG=C a cut command ends in ... (ASCII), never the UTF-8 ellipsis', { skip: needs('tmux') }, async () => {
  const t = new Tmux(72, 40);
  after(() => t.kill());
  t.start(`${process.execPath} ${BIN} list --proc-root ${ROOT}; echo DONE; sleep 30`, { NO_COLOR: '1', LANG: 'C', LC_ALL: '', LC_CTYPE: '' });
  const screen = await t.waitFor(/DONE/);
  const lines = screen.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l));
  assert.ok(lines.some((l) => l.trimEnd().endsWith('...')), screen);
  assert.doesNotMatch(screen, /…/);
  for (const l of lines) assert.ok(l.trimEnd().length <= 72, `line wider than the terminal: ${l}`);
});
