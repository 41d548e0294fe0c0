import { readFileSync } from 'node:fs';

/** Options documented in the man page: per `.SS "procsweep CMD"` block, plus the SHARED OPTIONS section. */
export interface ManOptions {
  shared: Set<string>;
  commands: Map<string, Set<string>>;
}

/** Reads the long option names (`--foo`) documented as `.TP` items in each section of the man page. */
export function manOptions(path = 'man/procsweep.1'): ManOptions {
  const lines = readFileSync(path, 'utf8').split('\n');
  const shared = new Set<string>();
  const commands = new Map<string, Set<string>>();
  let target: Set<string> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('.SH')) {
      target = /^\.SH "?SHARED OPTIONS"?/.test(l) ? shared : null;
      continue;
    }
    const ss = /^\.SS "procsweep ([^"]+)"/.exec(l);
    if (ss) {
      target = new Set();
      commands.set(ss[1], target);
      continue;
    }
    if (l.startsWith('.SS')) {
      target = null;
      continue;
    }
    if (target && l === '.TP') {
      const item = (lines[i + 1] ?? '').replace(/\\-/g, '-');
      for (const m of item.matchAll(/(?:^|[\s"])(--[a-z][a-z0-9-]*)/g)) target.add(m[1]);
    }
  }
  return { shared, commands };
}
