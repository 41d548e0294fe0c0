import type { CommandDef, OptionSpec } from '../../src/cli/options.js';

/** Each leaf command's own option specs, by its full name (`pidfiles clean`), as the docs name it. */
export function leafSpecs(defs: readonly CommandDef[], prefix = ''): Array<[string, readonly OptionSpec[]]> {
  return defs.flatMap((d) => (d.subcommands ? leafSpecs(d.subcommands, `${prefix}${d.name} `) : [[`${prefix}${d.name}`, d.options] as [string, readonly OptionSpec[]]]));
}

/** Whether documentation text states `shown` as a default: `(default 3s)`, `default: 3s`, `never (the default)`. */
export function statesDefault(text: string, shown: string): boolean {
  const v = shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\bdefault\\b:?[^.;]*?(?<![\\w.])${v}(?![\\w])|(?<![\\w])${v}\\W* \\(the default\\)`).test(text);
}

/** One row of a README option table: the flags and arguments of its first cell, and the row's text. */
export interface ReadmeRow {
  /** Each flag as written (`--grace`, `-y`) with the argument after it, or null. */
  options: Array<{ flag: string; arg: string | null }>;
  text: string;
}

/**
 * The option tables of the README, by command: a table right after `<!-- options: CMD -->`
 * (`CMD` as in `procsweep CMD`, e.g. `pidfiles clean`). The first cell holds the options in
 * code spans (`` `--grace DUR` ``, `` `-y`, `-n` ``, `` `--sweep --yes` ``).
 */
export function readmeOptionTables(markdown: string): Map<string, ReadmeRow[]> {
  const out = new Map<string, ReadmeRow[]>();
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- options: ([a-z -]+?) -->$/.exec(lines[i]);
    if (!marker) continue;
    const rows: ReadmeRow[] = [];
    let k = i + 1;
    while (k < lines.length && lines[k].trim() === '') k++;
    for (k += 2; k < lines.length && lines[k].startsWith('|'); k++) {
      const first = lines[k].split(/(?<!\\)\|/)[1] ?? '';
      const options: ReadmeRow['options'] = [];
      for (const span of first.matchAll(/`([^`]+)`/g)) {
        for (const w of span[1].split(/\s+/)) {
          if (/^-{1,2}[a-z]/.test(w)) options.push({ flag: w, arg: null });
          else if (options.length > 0) options[options.length - 1].arg = w;
        }
      }
      rows.push({ options, text: lines[k] });
    }
    out.set(marker[1], rows);
  }
  return out;
}
