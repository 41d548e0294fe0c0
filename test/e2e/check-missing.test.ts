import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cli, marker } from '../helpers/procs.js';
import { tempDir } from '../helpers/pidfiles.js';

// Monitoring must not stay green on a typo (#15 item 8): a pid dir or registry that was named and
// does not exist makes list --check exit 3, and pidfiles list says so in its status.
const tmp = tempDir('psw-check');
after(() => tmp.done());
const none = ['--args', marker('nomatch')]; // no process matches: only the records decide

describe('list --check on a named pid dir or registry that does not exist', () => {
  const typo = join(tmp.dir, 'srt-gateway-pdis');
  const reg = join(tmp.dir, 'no-such-registry.json');

  test('a missing --pid-dir: exit 3 and the error names it; the same dir, created, is green', () => {
    const r = cli(['list', '--check', '--pid-dir', typo, ...none]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^procsweep: --check: pid dir ${typo} does not exist, so its records could not be checked: fix --pid-dir`, 'm'));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    mkdirSync(typo);
    assert.equal(cli(['list', '--check', '--pid-dir', typo, ...none]).code, 0);
  });

  test('a missing --registry: exit 3, also with --json (the JSON is still printed whole)', () => {
    const r = cli(['list', '--check', '--json', '--registry', reg, ...none]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`--check: registry ${reg} does not exist`));
    assert.deepEqual(r.json().processes, []);
  });

  test('without --check a missing dir is only a warning (exit 0)', () => {
    const r = cli(['list', '--pid-dir', join(tmp.dir, 'other-typo'), ...none]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: pid dir .*other-typo does not exist/);
  });

  test('pidfiles list says so in its status line and in JSON', () => {
    const r = cli(['pidfiles', 'list', '--registry', reg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^No pidfiles or registry entries found\.$/m);
    assert.match(r.stdout, new RegExp(`^missing: ${reg} does not exist, so nothing was read from it`, 'm'));
    assert.deepEqual(cli(['pidfiles', 'list', '--json', '--registry', reg]).json().missing, [reg]);
    assert.deepEqual(cli(['pidfiles', 'list', '--json', '--pid-dir', typo]).json().missing, []);
  });
});
