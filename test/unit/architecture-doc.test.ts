// ARCHITECTURE.md stays true to the tree: every source path it names exists, and every folder
// of src/ is described in it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

const allFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? allFiles(join(dir, n)) : [join(dir, n)]));

test('every path ARCHITECTURE.md names exists', () => {
  const names = new Set([...allFiles(SRC), ...allFiles(join(ROOT, 'test'))].map((f) => f.slice(f.lastIndexOf('/') + 1)));
  const missing: string[] = [];
  for (const [, token] of doc.matchAll(/`([A-Za-z0-9_./*-]+(?:\.ts|\/))`/g)) {
    if (token.includes('*')) continue;
    if (token.includes('/')) {
      // Paths are written from the repository root, from src/, or (inside core's own rows) from src/core/.
      if (![ROOT, SRC, join(SRC, 'core')].some((base) => existsSync(join(base, token)))) missing.push(token);
    } else if (!names.has(token)) missing.push(token);
  }
  assert.deepEqual(missing, []);
});

test('every folder of src/ has a row in ARCHITECTURE.md', () => {
  const dirs: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d)) {
      if (!statSync(join(d, n)).isDirectory()) continue;
      dirs.push(`${rel}${n}/`);
      walk(join(d, n), `${rel}${n}/`);
    }
  };
  walk(SRC, '');
  const undocumented = dirs.filter((d) => d !== 'core/' && d !== 'cli/' && d !== 'render/' && !doc.includes(`\`${d}`));
  assert.deepEqual(undocumented, []);
});
