import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';

// README's "Fleet use" links every file in contrib/, and every contrib/ path the README or the
// man page names exists.
const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const man = readFileSync(join(ROOT, 'man', 'procsweep.1'), 'utf8').replace(/\\-/g, '-');

test('every contrib file is linked from README "Fleet use", and every named contrib path exists', () => {
  const fleet = readme.slice(readme.indexOf('## Fleet use'), readme.indexOf('\n## ', readme.indexOf('## Fleet use') + 1));
  assert.ok(fleet.length > 100, 'README has a Fleet use section');
  for (const dir of readdirSync(join(ROOT, 'contrib'))) {
    for (const f of readdirSync(join(ROOT, 'contrib', dir))) assert.ok(fleet.includes(`](contrib/${dir}/${f})`), `contrib/${dir}/${f} is not linked from Fleet use`);
  }
  for (const text of [readme, man]) {
    for (const [p] of text.matchAll(/contrib\/[\w./-]*[\w]/g)) {
      // `contrib/systemd/procsweep-sweep.*` names files by their prefix.
      const there = existsSync(join(ROOT, p)) || (existsSync(join(ROOT, dirname(p))) && readdirSync(join(ROOT, dirname(p))).some((f) => f.startsWith(`${basename(p)}.`)));
      assert.ok(there, `${p} is named in the docs but does not exist`);
    }
  }
});
