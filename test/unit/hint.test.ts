import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { Command } from 'commander';
import { nextCommandFor, shellQuote } from '../../src/cli/hint.js';
import { buildProgram } from '../../src/cli/program.js';

/** Parses a command line with the real option table and a no-op action; returns the leaf command. */
async function parsed(words: string[]): Promise<Command> {
  const program = buildProgram();
  let leaf = program;
  for (const w of words.filter((x) => !x.startsWith('-'))) {
    const c = leaf.commands.find((x) => x.name() === w);
    if (!c) break;
    leaf = c;
  }
  leaf.action(() => {});
  await program.parseAsync(words, { from: 'user' });
  return leaf;
}

test('shellQuote: bare when safe, single quotes otherwise, $\'..\' for control characters; sh reads each back exactly', () => {
  assert.equal(shellQuote('/run/pids'), '/run/pids');
  assert.equal(shellQuote('stub=abc'), 'stub=abc');
  assert.equal(shellQuote('pipe:1|mjpeg'), "'pipe:1|mjpeg'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('a\x1b[2Jb'), "$'a\\x1b[2Jb'");
  for (const w of ['pipe:1|mjpeg', "it's", '$(rm -rf /)', '`x`', 'a b', '*', '"q"', '!x', '~root', '#c']) {
    const r = spawnSync('sh', ['-c', `printf %s ${shellQuote(w)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, w);
  }
});

test('the hint carries every scoping option as typed (shared selectors and --older-than), not presentation ones', async () => {
  const cmd = await parsed(['sweep', '-n', '--json', '--args', 'cam1|cam2', '--older-than', '2m', '--pid-dir', '/run/a', '--pid-dir', '/run/b', '--user', 'media', '--grace', '5s']);
  const next = nextCommandFor(cmd);
  assert.equal(next(['sweep', '-n', '--target', 'detached']), "procsweep sweep -n --target detached --args 'cam1|cam2' --older-than 2m --pid-dir /run/a --pid-dir /run/b --user media");
});

test('a hinted command that cannot take one of the scoping options gets no hint at all (never a wider one)', async () => {
  const cmd = await parsed(['sweep', '-n', '--args', 'x', '--older-than', '2m']);
  assert.equal(nextCommandFor(cmd)(['pidfiles', 'list']), null, 'pidfiles list has no --older-than');
  const list = await parsed(['list', '--args', 'x', '--max-age', '1h']);
  assert.equal(nextCommandFor(list)(['pidfiles', 'list']), 'procsweep pidfiles list --args x', '--max-age only sets a flag: not scope');
});

test('without any scope the hint is the bare command', async () => {
  assert.equal(nextCommandFor(await parsed(['list']))(['sweep', '-n']), 'procsweep sweep -n');
});
