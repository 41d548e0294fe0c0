import { readFileSync } from 'node:fs';

/** Options documented in the man page: per `.SS "procsweep CMD"` block, plus the SHARED OPTIONS section. */
export interface ManOptions {
  shared: Set<string>;
  commands: Map<string, Set<string>>;
}

/** One `.TP` item of an option: its flags (`-n`, `--dry-run`), its argument as shown, its text. */
export interface ManItem {
  flags: string[];
  /** The argument name (`dur` for `.BI \-\-grace " dur"`), or null for a switch. */
  arg: string | null;
  /** The paragraph, as plain text (macros and font escapes removed). */
  text: string;
}

/** Documented options, per section: `shared`, or the command (`pidfiles clean`). */
export type ManItems = Map<string, ManItem[]>;

/** Roff text as plain words: `\-` is `-`, font escapes and quotes go, a macro line keeps its words. */
function plain(line: string): string {
  return line
    .replace(/\\f[BIRP]/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\\(dq/g, '"')
    .replace(/^\.(B|I|BI|IB|BR|RB|IR|RI)\s+/, (_m, macro: string) => (macro.length === 2 ? `\u0000${macro} ` : ''))
    .replace(/^\u0000\w+ (.*)$/, (_m, rest: string) => rest.replace(/"([^"]*)"/g, '$1').replace(/\s+/g, ''));
}

/** The flags and argument of an item line: `.BI \-\-grace " dur"`, `.BR \-y ", " \-\-yes`. */
function itemHead(line: string): { flags: string[]; arg: string | null } {
  const text = line.replace(/\\f[BIRP]/g, '').replace(/\\-/g, '-').replace(/^\.\w+\s+/, '');
  const words = [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]).trim()).filter((w) => w && w !== ',');
  const flags = words.filter((w) => /^-{1,2}[a-z]/.test(w));
  const rest = words.filter((w) => !/^-{1,2}[a-z]/.test(w));
  return { flags, arg: rest.length ? rest.join('') : null };
}

/** Reads every `.TP` item that documents an option, per section of the man page. */
export function manItems(path = 'man/procsweep.1'): ManItems {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: ManItems = new Map();
  let target: ManItem[] | null = null;
  let item: ManItem | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^\.(SH|SS|TP|PP|P|LP)\b/.test(l)) item = null;
    if (l.startsWith('.SH')) {
      target = /^\.SH "?SHARED OPTIONS"?/.test(l) ? [] : null;
      if (target) out.set('shared', target);
      continue;
    }
    const ss = /^\.SS "procsweep ([^"]+)"/.exec(l);
    if (ss) {
      target = [];
      out.set(ss[1], target);
      continue;
    }
    if (l.startsWith('.SS')) {
      target = null;
      continue;
    }
    if (target && l === '.TP') {
      const head = itemHead(lines[i + 1] ?? '');
      if (head.flags.some((f) => f.startsWith('--'))) {
        item = { ...head, text: '' };
        target.push(item);
      }
      i++;
      continue;
    }
    if (item && !l.startsWith('.\\"')) item.text = `${item.text} ${plain(l)}`.trim();
  }
  return out;
}

/** Reads the long option names (`--foo`) documented as `.TP` items in each section of the man page. */
export function manOptions(path = 'man/procsweep.1'): ManOptions {
  const items = manItems(path);
  const longs = (list: ManItem[] = []): Set<string> => new Set(list.flatMap((it) => it.flags.filter((f) => f.startsWith('--'))));
  const commands = new Map<string, Set<string>>();
  for (const [name, list] of items) if (name !== 'shared') commands.set(name, longs(list));
  return { shared: longs(items.get('shared')), commands };
}
