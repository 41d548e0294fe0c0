import type { Command } from 'commander';
import { flagNames } from '../core/options/spec.js';
import type { NextCommand } from '../render/next.js';
import { givenOptions, type GivenOption } from './given.js';
import { SHARED_OPTIONS, type CommandDef } from './options.js';

// Characters a POSIX shell never treats specially in a bare word.
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one word for a POSIX shell: bare when nothing in it is special, else in single quotes
 * (a quote inside becomes '\''). A control character cannot be typed inside single quotes, so a
 * word holding one is written as bash's $'…' with \xNN escapes instead.
 */
export function shellQuote(word: string): string {
  if (word !== '' && BARE.test(word)) return word;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f-\x9f]/.test(word)) {
    const body = [...word].map((ch) => {
      const c = ch.codePointAt(0)!;
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `\\x${c.toString(16).padStart(2, '0')}`;
      return ch === "'" || ch === '\\' ? `\\${ch}` : ch;
    });
    return `$'${body.join('')}'`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// The command table of each program, registered by buildProgram. Hints do not import the table:
// it loads the command handlers, and they load this module (an import cycle).
const tables = new WeakMap<Command, readonly CommandDef[]>();

/** Tells the hints of `program`'s commands which commands exist and what they accept. */
export function registerCommands(program: Command, defs: readonly CommandDef[]): void {
  tables.set(program, defs);
}

function commandTable(cmd: Command | undefined): readonly CommandDef[] {
  let root = cmd;
  while (root?.parent) root = root.parent;
  return (root && tables.get(root)) ?? [];
}

/** The command definition a hint's words name (`['pidfiles', 'clean', '-n']` -> pidfiles clean). */
function targetDef(table: readonly CommandDef[], words: readonly string[]): CommandDef | undefined {
  let def = table.find((c) => c.name === words[0]);
  if (def?.subcommands) def = def.subcommands.find((c) => c.name === words[1]);
  return def;
}

/** Every long and short flag a command accepts. */
function acceptedFlags(def: CommandDef): Set<string> {
  const out = new Set<string>();
  for (const s of [...def.options, ...(def.shared === false ? [] : SHARED_OPTIONS)]) {
    for (const f of flagNames(s.flags)) out.add(f);
  }
  return out;
}

/** The scope as shell words: `--args 'a|b' --pid-dir /run/x`. */
export function scopeWords(scope: readonly GivenOption[]): string[] {
  return scope.flatMap((g) => (g.value === null ? [g.flag] : [g.flag, shellQuote(g.value)]));
}

/**
 * The `next:` command builder for a run of `cmd`: the hint's words plus every scoping option the
 * operator gave (each option spec says whether it scopes; see OptionSpec.scope), quoted. When the
 * hinted command does not accept one of them, there is no hint: it would act on more than was shown.
 */
export function nextCommandFor(cmd: Command | undefined): NextCommand {
  const scope = givenOptions(cmd);
  const table = commandTable(cmd);
  return (words) => {
    const def = targetDef(table, words);
    if (!def) return null;
    const ok = acceptedFlags(def);
    if (scope.some((g) => !ok.has(g.flag))) return null;
    return ['procsweep', ...words.map(shellQuote), ...scopeWords(scope)].join(' ');
  };
}
