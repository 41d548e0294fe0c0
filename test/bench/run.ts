// `npm run bench [name]`: runs every test/bench/*.bench.ts (or the named one) in turn. Each
// benchmark starts and cleans up its own processes and prints medians and ratios; none fails CI.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const only = process.argv[2];
const dir = import.meta.dirname;
for (const f of readdirSync(dir).filter((n) => n.endsWith('.bench.ts')).sort()) {
  if (only && !f.startsWith(only)) continue;
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: () => Promise<void> };
  await mod.default();
}
