import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createContext } from '../../src/core/read/context.js';
import { scanWith } from '../../src/core/read/scan.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');

// scanWith keeps the candidate test's signature matches for classify. Given the snapshot back,
// it reads nothing and matches every process afresh: the findings must be the same.
async function sameFindings(procRoot: string | undefined, extra: Record<string, unknown> = {}): Promise<number> {
  const ctx = await createContext({ procRoot, config: false, ...extra });
  const memo = await scanWith(ctx);
  const fresh = await scanWith(ctx, { snapshot: memo.snapshot });
  assert.deepEqual(memo.findings, fresh.findings);
  return memo.findings.length;
}

test('kept matches give the findings a fresh match gives (fixture tree)', async () => {
  assert.ok((await sameFindings(ROOT)) > 0);
  assert.ok((await sameFindings(ROOT, { signatures: ['probe=^ffprobe '] })) > 0);
  await sameFindings(ROOT, { match: ['srt-live-transmit'] });
});

test('kept matches give the findings a fresh match gives (live host)', async () => {
  await sameFindings(undefined);
});
