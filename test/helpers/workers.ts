import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from './procs.js';

/**
 * A private `sleep` whose path carries the marker (it is argv[0]), so a cheap worker is matched
 * by `--signature NAME=<marker>` and nothing else on the machine matches it.
 */
export function markedSleep(dir: string, mark: string): string {
  const d = join(dir, mark);
  mkdirSync(d, { recursive: true });
  const path = join(d, 'sleep');
  symlinkSync('/bin/sleep', path);
  return path;
}

/** Starts a marked sleep as an orphan (parent PID 1, not a session leader); `ignoreTerm` makes it ignore SIGTERM. */
export function sleeperOrphan(scope: Scope, sleepPath: string, opts: { ignoreTerm?: boolean; seconds?: number } = {}): Promise<number> {
  const trap = opts.ignoreTerm ? 'trap "" TERM; ' : '';
  return scope.orphan('sh', ['-c', `${trap}exec "$0" ${opts.seconds ?? 300}`, sleepPath]);
}

/** Every live descendant of a pid, read from /proc. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parent) if (pp === p) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
