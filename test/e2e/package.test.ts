import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { needs } from '../helpers/needs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'psw-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: string[], cwd = ROOT) => spawnSync('npm', args, { cwd, maxBuffer: Infinity, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' } });

test('npm pack ships only dist, bin, man, contrib, README and licence; it installs offline and works', { timeout: 180_000 }, () => {
  // dist/ is already built by `npm test`; skip prepare so packing does not rebuild.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work]);
  assert.equal(pack.status, 0, pack.stderr);
  const info = JSON.parse(pack.stdout)[0];
  const files: string[] = info.files.map((f: { path: string }) => f.path);
  for (const f of files) {
    assert.match(f, /^(dist\/.*\.(js|d\.ts)|bin\/procsweep\.js|man\/procsweep\.1|contrib\/(prometheus|systemd|ansible|grafana|kubernetes)\/[\w.-]+|README\.md|LICENSE|package\.json)$/, `unexpected file in tarball: ${f}`);
  }
  for (const need of ['bin/procsweep.js', 'man/procsweep.1', 'contrib/systemd/procsweep-sweep.service', 'contrib/prometheus/procsweep-rules.yml', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE']) {
    assert.ok(files.includes(need), `${need} missing from tarball`);
  }
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);

  // Install into a private prefix the way a user does. `npm ci` cached the dependencies' tarballs
  // but not their registry metadata, which resolving the tarball's ranges needs, so npm may ask
  // the registry (prefer-offline: the cache first). A private cache keeps the user's out of it.
  const prefix = join(work, 'prefix');
  const inst = npm(['install', '--global', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], work);
  assert.equal(inst.status, 0, inst.stderr);
  const bin = join(prefix, 'bin', 'procsweep');
  assert.ok(existsSync(bin));

  const v = spawnSync(bin, ['--version'], { maxBuffer: Infinity, encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);

  const l = spawnSync(bin, ['list', '--json'], { maxBuffer: Infinity, encoding: 'utf8' });
  assert.equal(l.status, 0, l.stderr);
  assert.ok(Array.isArray(JSON.parse(l.stdout).processes));

  const manDir = join(prefix, 'share', 'man');
  assert.ok(existsSync(join(manDir, 'man1', 'procsweep.1')), 'npm links the man page under share/man/man1');
  if (!needs('man')) {
    const m = spawnSync('man', ['procsweep'], { maxBuffer: Infinity, encoding: 'utf8', env: { ...process.env, MANPATH: manDir, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' } });
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stdout, /procsweep\s+-\s+find and safely remove leaked ffmpeg/);
  }
});
