import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { SHARED_OPTIONS, type CommandDef } from '../../src/cli/options.js';
import { argumentName, defaultText, flagNames, longFlag, type OptionSpec } from '../../src/core/options/spec.js';
import { manItems, manOptions, type ManItem } from '../helpers/man.js';
import { leafSpecs, statesDefault } from '../helpers/docs.js';
import { needs } from '../helpers/needs.js';

const longOf = (flags: string): string => /--[a-z][a-z0-9-]*/.exec(flags)![0];
const sharedLongs = new Set(SHARED_OPTIONS.map((o) => longOf(o.flags)));
const IGNORED = new Set(['--help', '--version']);

function leafCommands(cmd: Command, prefix = ''): Array<[string, Command]> {
  const out: Array<[string, Command]> = [];
  for (const c of cmd.commands) {
    const name = prefix ? `${prefix} ${c.name()}` : c.name();
    if (c.commands.length) out.push(...leafCommands(c, name));
    else out.push([name, c]);
  }
  return out;
}

/** Leaf commands declared `shared: false` (run): their section must list every option they take. */
function unshared(defs: CommandDef[], prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const d of defs) {
    const name = prefix ? `${prefix} ${d.name}` : d.name;
    if (d.subcommands) for (const n of unshared(d.subcommands, name)) out.add(n);
    else if (d.shared === false) out.add(name);
  }
  return out;
}
const noShared = unshared(COMMANDS);

const man = manOptions();
const leaves = leafCommands(buildProgram());

test('every command has a section in the man page, and every section a command', () => {
  assert.deepEqual([...man.commands.keys()].sort(), leaves.map(([n]) => n).sort());
});

for (const [name, cmd] of leaves) {
  test(`man page documents exactly the options of '${name}'`, () => {
    const own = cmd.options.map((o) => o.long!).filter((l) => l && !IGNORED.has(l) && (noShared.has(name) || !sharedLongs.has(l)));
    assert.deepEqual([...(man.commands.get(name) ?? [])].sort(), own.sort());
  });
}

test('man page documents exactly the shared options', () => {
  assert.deepEqual([...man.shared].sort(), [...sharedLongs].sort());
});

test('every command accepts the shared options, unless it is declared shared: false', () => {
  for (const [name, cmd] of leaves) {
    if (noShared.has(name)) continue;
    const longs = new Set(cmd.options.map((o) => o.long));
    for (const s of sharedLongs) assert.ok(longs.has(s), `${name} lacks ${s}`);
  }
});


const items = manItems();
const itemFor = (section: string, long: string): ManItem | undefined => items.get(section)?.find((it) => it.flags.includes(long));

/** The item's argument and default agree with the spec; "as for CMD" defers the default to CMD's item. */
function checkItem(section: string, spec: OptionSpec): void {
  const long = longFlag(spec.flags);
  const item = itemFor(section, long);
  assert.ok(item, `${section}: ${long} is documented`);
  assert.deepEqual(item.flags, flagNames(spec.flags), `${section}: ${long} is shown with the same flags as the spec`);
  assert.equal(item.arg, argumentName(spec.flags), `${section}: ${long} names its argument as --help does`);
  const shown = defaultText(spec);
  if (shown === null) return;
  const deferred = /\bas for (?:procsweep )?([a-z-]+)/i.exec(item.text)?.[1];
  const where = statesDefault(item.text, shown) ? item : deferred ? itemFor(deferred, long) : undefined;
  assert.ok(where && statesDefault(where.text, shown), `${section}: ${long} says its default is ${shown}: ${item.text}`);
}

for (const [name, specs] of leafSpecs(COMMANDS)) {
  test(`man page shows the flags, argument and default of each option of '${name}' as its spec does`, () => {
    for (const spec of specs) checkItem(name, spec);
  });
}

test('man page shows the flags, argument and default of each shared option as its spec does', () => {
  for (const spec of SHARED_OPTIONS) checkItem('shared', spec);
});

test('man page renders without warnings', (t) => {
  const missing = needs('mandoc', 'groff');
  if (missing) return t.skip(missing);
  const mandoc = spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', 'man/procsweep.1'], { maxBuffer: Infinity, encoding: 'utf8' });
  assert.equal(mandoc.stdout + mandoc.stderr, '', 'mandoc -T lint -W warning');
  assert.equal(mandoc.status, 0);
  const groff = spawnSync('groff', ['-ww', '-z', '-man', 'man/procsweep.1'], { maxBuffer: Infinity, encoding: 'utf8' });
  assert.equal(groff.error, undefined, 'groff runs');
  assert.equal(groff.stderr, '', 'groff -ww -z');
});
