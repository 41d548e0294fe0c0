import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Option } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.js';
import type { KillGroupOptions } from '../../src/cli/commands/kill-group.js';
import type { ListOptions } from '../../src/cli/commands/list.js';
import type { RunOptions } from '../../src/cli/commands/run.js';
import type { WatchOptions } from '../../src/cli/commands/watch.js';
import { commonOptions } from '../../src/cli/common.js';
import { SHARED_OPTIONS, type CommandDef, type OptionSpec } from '../../src/cli/options.js';
import { argumentName, flagNames, optionKey, type OptionsOf } from '../../src/core/options/spec.js';
import { durationText } from '../../src/core/options/values.js';
import { RUN_OPTIONS } from '../../src/core/run/options.js';
import type { RestartPolicy } from '../../src/core/run/policy.js';
import { procsweepRunLabel } from '../../src/core/run/detect.js';

// Compile-time checks (npm run typecheck): a handler's option type is what its specs say.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(): T => true as T;
expectType<Equal<ListOptions['maxAge'], number | undefined>>();
expectType<Equal<ListOptions['flag'], string[] | undefined>>();
expectType<Equal<ListOptions['check'], boolean | undefined>>();
expectType<Equal<ListOptions['pidDir'], string[] | undefined>>();
expectType<Equal<ListOptions['backend'], 'procfs' | 'portable' | undefined>>();
expectType<Equal<ListOptions['color'], boolean | undefined>>();
expectType<Equal<KillGroupOptions['grace'], number>>();
expectType<Equal<KillGroupOptions['signal'], NodeJS.Signals>>();
expectType<Equal<KillGroupOptions['dryRun'], boolean | undefined>>();
expectType<Equal<WatchOptions['metricsHost'], string>>();
expectType<Equal<WatchOptions['interval'], number>>();
expectType<Equal<WatchOptions['expect'], string[] | undefined>>();
expectType<Equal<RunOptions, {
  grace: number; restart: RestartPolicy; restartDelay: number;
  pidDir?: string; id?: string; type?: string; maxRestarts?: number; surviveParent?: boolean;
}>>();
expectType<Equal<OptionsOf<[{ flags: '-n, --dry-run'; description: '' }, { flags: '--no-color'; description: '' }]>, { dryRun?: boolean; color?: boolean }>>();

function everySpec(defs: readonly CommandDef[], prefix = ''): Array<[string, OptionSpec]> {
  return defs.flatMap((d) => {
    const name = `${prefix}${d.name}`;
    return [...d.options.map((s): [string, OptionSpec] => [name, s]), ...everySpec(d.subcommands ?? [], `${name} `)];
  });
}

test('every spec is stored by commander under the key its type is inferred with', () => {
  for (const [name, s] of [...everySpec(COMMANDS), ...SHARED_OPTIONS.map((s): [string, OptionSpec] => ['shared', s])]) {
    assert.equal(optionKey(s.flags), new Option(s.flags).attributeName(), `${name} ${s.flags}`);
  }
});

test('flag names and argument names are read from the spec syntax', () => {
  assert.deepEqual(flagNames('-n, --dry-run'), ['-n', '--dry-run']);
  assert.deepEqual(flagNames('--port <[proto:]n>'), ['--port']);
  assert.equal(argumentName('--port <[proto:]n>'), '[proto:]n');
  assert.equal(argumentName('--grace <dur>'), 'dur');
  assert.equal(argumentName('-y, --yes'), null);
});

test('defaults are shown as an operator types them', () => {
  assert.deepEqual([3000, 2000, 600_000, 500, 7_200_000, 0].map(durationText), ['3s', '2s', '10m', '500ms', '2h', '0ms']);
});

test('every shared selector reaches the library under its own name', () => {
  for (const s of SHARED_OPTIONS) {
    const key = optionKey(s.flags);
    if (key === 'json' || key === 'color') continue;
    assert.ok('library' in s, `${s.flags} names its CommonOptions field`);
    const value = /repeatable|comma/.test(s.description) ? ['x'] : 'x';
    assert.deepEqual((commonOptions({ [key]: value }) as Record<string, unknown>)[s.library], value, s.flags);
  }
});

test('a live procsweep run is recognised whatever value option comes before CMD (read from run\'s specs)', () => {
  for (const s of RUN_OPTIONS) {
    const value = argumentName(s.flags) === null ? [] : ['5'];
    for (const flag of flagNames(s.flags)) {
      const argv = ['procsweep', 'run', '--id', 'cam1', flag, ...value, 'ffmpeg', '-i', 'x'];
      assert.equal(procsweepRunLabel(argv), flag === '--id' ? '5_ffmpeg' : flag === '--type' ? 'cam1_5' : 'cam1_ffmpeg', argv.join(' '));
    }
  }
});
