import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { SHARED_OPTIONS, type OptionSpec } from '../../src/cli/options.js';
import { argumentName, defaultText, flagNames, longFlag } from '../../src/core/options/spec.js';
import { leafSpecs, readmeOptionTables, statesDefault, type ReadmeRow } from '../helpers/docs.js';

// The README's option tables are checked against the specs (the specs drive --help and the
// handlers' types): the same options, each argument named as --help names it (upper case), and
// each default stated, in the row or in the row of the command it says "as for".

/** Commands whose few options the README gives in prose beside another command's table. */
const IN_PROSE: Record<string, string> = {
  'kill-tree': "kill-group's options but --pgid (said under kill-group)",
  'pidfiles list': 'only --wide (said under pidfiles list / clean)',
};


const leaves = new Map(leafSpecs(COMMANDS));
const tables = readmeOptionTables(readFileSync('README.md', 'utf8'));

/** The spec a README flag names (`-y` is `--yes`), within one command. */
const specOf = (specs: readonly OptionSpec[], flag: string): OptionSpec | undefined => specs.find((s) => flagNames(s.flags).includes(flag));

const rowOf = (command: string, long: string): ReadmeRow | undefined =>
  tables.get(command)?.find((r) => r.options.some((o) => specOf(leaves.get(command) ?? [], o.flag) && longFlag(specOf(leaves.get(command)!, o.flag)!.flags) === long));

test('every README option table names a command', () => {
  for (const name of tables.keys()) assert.ok(leaves.has(name), `<!-- options: ${name} --> names no command`);
});

for (const [name, specs] of leaves) {
  if (IN_PROSE[name]) continue;
  test(`README table of '${name}': the options, argument names and defaults of its specs`, () => {
    const rows = tables.get(name);
    assert.ok(rows, `README has an option table for ${name} (<!-- options: ${name} --> before it)`);
    const documented = new Set<string>();
    for (const row of rows) {
      for (const o of row.options) {
        const spec = specOf(specs, o.flag);
        assert.ok(spec, `README lists ${o.flag} for ${name}, which takes no such option`);
        documented.add(longFlag(spec.flags));
        assert.equal(o.arg, argumentName(spec.flags)?.toUpperCase() ?? null, `README names the argument of ${name} ${o.flag} as --help does`);
        const shown = defaultText(spec);
        if (shown === null) continue;
        const deferred = /\bas for `?(?:procsweep )?([a-z-]+)`?/.exec(row.text)?.[1];
        const where = statesDefault(row.text, shown) ? row : deferred ? rowOf(deferred, longFlag(spec.flags)) : undefined;
        assert.ok(where && statesDefault(where.text, shown), `README states the default of ${name} ${o.flag}: ${shown}`);
      }
    }
    assert.deepEqual([...documented].sort(), specs.map((s) => longFlag(s.flags)).sort(), `README table of ${name} lists exactly its options`);
  });
}

test('README names every shared option with its argument, as --help does', () => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('Shared by every command');
  assert.ok(start >= 0, 'README has the paragraph of shared options');
  const paragraph = readme.slice(start, readme.indexOf('\n\n', start));
  for (const spec of SHARED_OPTIONS) {
    const long = longFlag(spec.flags);
    const span = new RegExp(`\`${long}(?: ([^\`]+))?\``).exec(paragraph);
    assert.ok(span, `README names ${long} among the shared options`);
    const arg = argumentName(spec.flags);
    const expected = arg === null ? undefined : 'choices' in spec ? spec.choices.join('|') : arg.toUpperCase();
    assert.equal(span[1], expected, `README shows the argument of ${long} as --help does`);
  }
});

test('the README prose for the commands without a table is true to their specs', () => {
  const readme = readFileSync('README.md', 'utf8');
  const longs = (name: string): string[] => (leaves.get(name) ?? []).map((s) => longFlag(s.flags)).sort();
  assert.match(readme, /the same options \(but `--pgid`\)/, 'README says kill-tree takes kill-group\'s options but --pgid');
  assert.deepEqual(longs('kill-tree'), longs('kill-group').filter((l) => l !== '--pgid'));
  const sentence = /`pidfiles list` takes ([^.]+)\./.exec(readme)?.[1] ?? '';
  assert.deepEqual([...sentence.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]).sort(), longs('pidfiles list'));
});
