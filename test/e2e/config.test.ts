import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { needs } from '../helpers/needs.js';
import { BIN, cli } from '../helpers/procs.js';

// Reading the config: a FIFO is refused at once (it used to block forever), and a default config
// this user may not read is skipped with a warning, while an explicit --config still fails.

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');
const USER = 'procsweep-test';

describe('config file reading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('list --config FIFO exits 3 at once with one line', { skip: needs('mkfifo') }, () => {
    const fifo = join(dir, 'config.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const r = cli(['list', '--proc-root', FIXTURE, '--config', fifo], { timeout: 20_000 });
    assert.equal(r.code, 3, `blocked or wrong status: ${r.code} ${r.stderr}`);
    assert.match(r.stderr, /cannot read config .*config\.fifo \(a FIFO, not a regular file\)/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('another user with an unreadable default config: a warning and exit 0; the same file as --config: exit 3', { skip: needs('root', 'setpriv', 'useradd') }, () => {
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
      assert.equal(r.status, 0, `useradd: ${r.stderr}`);
    }
    const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim();
    // A home like /root: owned by root, mode 0700, with a config inside.
    const home = join(dir, 'roothome');
    mkdirSync(join(home, '.config', 'procsweep'), { recursive: true });
    const path = join(home, '.config', 'procsweep', 'config.json');
    writeFileSync(path, '{"reapers": ["runit"]}');
    chmodSync(dir, 0o755);
    chmodSync(home, 0o700);
    const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
    const run = (extra: string[]) => spawnSync('setpriv', ['--reuid', uid, '--regid', gid, '--clear-groups', process.execPath, BIN, 'list', '--proc-root', FIXTURE, ...extra], { encoding: 'utf8', env, timeout: 30_000 });
    const r = run([]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`procsweep: warning: skipped the default config ${path.replace(/[.]/g, '\\.')} \\((EACCES|EPERM)\\)`));
    assert.match(r.stdout, /matched/);
    const e = run(['--config', path]);
    assert.equal(e.status, 3, e.stderr);
    assert.match(e.stderr, /cannot read config .*\((EACCES|EPERM)\)/);
  });
});
