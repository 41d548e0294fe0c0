import { Command } from './commander.js';
import { UsageError } from '../core/errors.js';
import { longFlag } from '../core/options/spec.js';
import { addOptions, SHARED_OPTIONS, type CommandDef } from './options.js';
import { COMMANDS } from './commands/index.js';
import { registerCommands } from './hint.js';
import { version } from './version.js';


/**
 * The error for a word a command does not take. `--older-than 2 m` leaves `m` behind: a unit
 * after a bare number is named as such, with the one-word form to write instead.
 */
export function strayArgument(name: string, word: string, argv: readonly string[] | undefined): UsageError {
  const i = argv ? argv.indexOf(word) : -1;
  const [flag, value] = i >= 2 ? [argv![i - 2], argv![i - 1]] : ['', ''];
  if (/^(ms|s|m|h|d)$/.test(word) && /^\d+(\.\d+)?$/.test(value) && flag.startsWith('-')) {
    return new UsageError(`${flag} ${value} ${word}: a duration is one word, the unit right after the number: write ${flag} ${value}${word} (units ms, s, m, h, d)`);
  }
  return new UsageError(`unexpected argument '${word}': ${name} takes no arguments (an option takes its value as one word: quote a value with spaces)`);
}

function define(parent: Command, def: CommandDef, full: (name: string) => boolean, argv?: readonly string[]): Command {
  const cmd = parent.command(def.name).description(def.summary);
  if (def.args) cmd.arguments(def.args);
  if (def.passThrough) cmd.passThroughOptions();
  const examples = (): void => {
    if (def.examples.length) cmd.addHelpText('after', `\nExamples:\n${def.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  };
  if (def.subcommands) {
    for (const sub of def.subcommands) define(cmd, sub, full, argv);
    examples();
    return cmd;
  }
  // A command that cannot run in this invocation needs only its name, arguments and summary
  // (for the command list in --help and for suggestions); its options cost start-up time.
  if (!full(def.name)) return cmd;
  addOptions(cmd, def.options);
  if (def.shared !== false) {
    const own: Readonly<Record<string, string | undefined>> = def.sharedHelp ?? {};
    addOptions(cmd, SHARED_OPTIONS.map((o) => {
      const text = own[longFlag(o.flags)];
      return text ? { ...o, description: text } : o;
    }), true);
  }
  examples();
  // A command without arguments judges stray words itself, to say what is wrong with them.
  if (!def.args) cmd.allowExcessArguments(true);
  cmd.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    if (!def.args && self.args.length > 0) throw strayArgument(parent.parent ? `${parent.name()} ${def.name}` : def.name, self.args[0], argv);
    process.exitCode = await def.action(self.args, self);
  });
  return cmd;
}

/**
 * Builds the commander program: the one place every command is registered. With `argv`, only
 * the commands named in it get their options, help and action (the others cannot run);
 * without, every command is complete.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const words = argv ? new Set(argv.slice(2)) : null;
  const full = (name: string): boolean => words === null || words.has(name);
  const program = new Command('procsweep')
    .description('Find leaked ffmpeg / srt-live-transmit workers, explain why each is suspect, and remove them safely.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`procsweep: ${str.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    });
  registerCommands(program, COMMANDS);
  program.addHelpText('after', '\nExit status: 0 done or nothing to do, 1 something was left or --check found suspects,\n2 bad input, 3 the environment stopped it. See man procsweep.\n');
  for (const def of COMMANDS) {
    const c = define(program, def, full, argv);
    c.exitOverride();
  }
  return program;
}
