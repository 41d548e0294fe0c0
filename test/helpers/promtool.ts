import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Path of promtool, or null. `.ci/run` extracts it from Debian's prometheus package (without
 * installing or starting the service) and exports PROMTOOL; PATH and that cache are tried too.
 */
export function promtoolPath(): string | null {
  const candidates = [
    process.env.PROMTOOL,
    'promtool',
    join(process.env.PROCSWEEP_CACHE ?? join(homedir(), '.cache', 'procsweep'), 'prometheus', 'usr', 'bin', 'promtool'),
  ].filter((c): c is string => Boolean(c));
  for (const c of candidates) {
    if (c.includes('/') && !existsSync(c)) continue;
    if (spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}

/** Runs `promtool check metrics` on exposition text: lint problems and parse errors come back as text. */
export function checkMetrics(promtool: string, text: string): { ok: boolean; output: string } {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, maxBuffer: Infinity, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}
