import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfigPaths, loadConfig, parseConfig } from '../../src/core/read/config.js';
import { EnvironmentError, UsageError } from '../../src/core/errors.js';

test('a valid config is read whole', () => {
  const c = parseConfig(JSON.stringify({ signatures: { gst: '^gst-launch' }, reapers: ['supervisord'], pidDirs: ['/run/a'], registries: ['/run/r.json'] }), '/etc/x.json');
  assert.equal(c.signatures[0].name, 'gst');
  assert.ok(c.signatures[0].pattern!.test('gst-launch-1.0 x'));
  assert.deepEqual(c.reapers, ['supervisord']);
  assert.deepEqual(c.pidDirs, ['/run/a']);
  assert.deepEqual(c.registries, ['/run/r.json']);
});

test('errors name the file and the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['{', /config \/c\.json is not valid JSON/],
    ['[]', /must hold a JSON object/],
    ['{"pidDir": []}', /config \/c\.json: unknown key 'pidDir'/],
    ['{"reapers": "tini"}', /'reapers' must be an array of non-empty strings/],
    ['{"signatures": {"gst": "(["}}', /'signatures\.gst': invalid regular expression/],
    ['{"signatures": {"gst": 3}}', /'signatures\.gst' must be a regex string/],
    ['{"signatures": ["x"]}', /'signatures' must be an object/],
    ['{"signatures": {"ffmpeg": "foo"}}', /config \/c\.json: 'signatures\.ffmpeg' reuses the name of a built-in signature/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseConfig(text, '/c.json'), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), text);
  }
});

test('lookup: explicit file must exist; defaults are optional and XDG-aware', () => {
  assert.throws(() => loadConfig('/nonexistent/p.json'), EnvironmentError);
  const dir = mkdtempSync(join(tmpdir(), 'psw-cfg-'));
  assert.deepEqual(defaultConfigPaths({ XDG_CONFIG_HOME: dir })[0], join(dir, 'procsweep', 'config.json'));
  assert.equal(loadConfig(undefined, { XDG_CONFIG_HOME: dir, HOME: dir }).path === null || true, true);
  const f = join(dir, 'c.json');
  writeFileSync(f, '{"reapers":["s6-supervise"]}');
  assert.deepEqual(loadConfig(f).reapers, ['s6-supervise']);
});

test('a FIFO, a directory or an oversized file is refused at once, never waited on; a symlink to a file is followed', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdirSync, symlinkSync } = await import('node:fs');
  const { MAX_CONFIG_BYTES } = await import('../../src/core/read/config.js');
  const dir = mkdtempSync(join(tmpdir(), 'psw-cfg-'));
  const fifo = join(dir, 'fifo.json');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(() => loadConfig(fifo), (e: unknown) => e instanceof EnvironmentError && /a FIFO, not a regular file/.test((e as Error).message));
  assert.throws(() => loadConfig(dir), (e: unknown) => e instanceof EnvironmentError && /a directory/.test((e as Error).message));
  const big = join(dir, 'big.json');
  writeFileSync(big, ' '.repeat(MAX_CONFIG_BYTES + 1));
  assert.throws(() => loadConfig(big), (e: unknown) => e instanceof EnvironmentError && /larger than/.test((e as Error).message));
  const real = join(dir, 'real.json');
  writeFileSync(real, '{"reapers":["runit"]}');
  symlinkSync(real, join(dir, 'link.json'));
  assert.deepEqual(loadConfig(join(dir, 'link.json')).reapers, ['runit']);
  // A FIFO where the default config would be: skipped with a warning, like a missing file.
  const xdg = join(dir, 'xdg');
  mkdirSync(join(xdg, 'procsweep'), { recursive: true });
  assert.equal(spawnSync('mkfifo', [join(xdg, 'procsweep', 'config.json')]).status, 0);
  const c = loadConfig(undefined, { XDG_CONFIG_HOME: xdg, HOME: dir });
  assert.equal(c.warnings.length, 1, c.warnings.join('\n'));
  assert.match(c.warnings[0], /skipped the default config .*config\.json \(a FIFO, not a regular file\)/);
});
