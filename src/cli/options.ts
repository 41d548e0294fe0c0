import type { OptionValues } from 'commander';
import { Command, Option } from './commander.js';
import type { CommonOptions } from '../core/read/context.js';
import { takesValue, type LongFlag, type OptionsOf, type OptionSpec, type OptionSpecs } from '../core/options/spec.js';
import { collect, commaList } from '../core/options/values.js';
import { trackGiven } from './given.js';

export type { OptionSpec, OptionSpecs, OptionsOf } from '../core/options/spec.js';
export { collect, commaList, durationArg, durationDefault, GRACE_MAX, intArg, MAX_GRACE_MS, MAX_TIMER_MS, TIMER_MAX } from '../core/options/values.js';

/** Whether a `next:` hint must carry this option (see OptionSpec.scope). */
export function isScoping(spec: OptionSpec, shared: boolean): boolean {
  return spec.scope ?? (shared && takesValue(spec));
}

/** The options every command accepts after its name (design.md section 7). `library`: CommonOptions' name. */
export const SHARED_OPTIONS = [
  { flags: '--json', description: 'print machine-readable JSON on stdout and nothing else' },
  { flags: '--no-color', description: 'never colour output (also NO_COLOR=1; FORCE_COLOR forces colour)' },
  { flags: '--proc-root <dir>', description: 'read processes from this proc tree instead of /proc (fixtures, host /proc in a container)', library: 'procRoot' },
  { flags: '--backend <name>', description: 'process table reader: procfs (Linux) or portable (ps, tree-kill); default: procfs where /proc exists', choices: ['procfs', 'portable'], library: 'backend' },
  { flags: '--signature <name=regex>', description: 'add a signature: a regex over the command line (repeatable)', parse: collect, library: 'signatures' },
  { flags: '--match <names>', description: 'only these signatures, comma-separated (e.g. ffmpeg,srt-live-transmit)', parse: commaList, library: 'match' },
  { flags: '--args <regex>', description: 'only processes whose command line also matches this regex', library: 'args' },
  { flags: '--user <user>', description: 'only processes of this user (name or uid)', library: 'user' },
  { flags: '--pid-dir <dir>', description: 'a directory of *.pid files written by your supervisor (repeatable)', parse: collect, library: 'pidDirs' },
  { flags: '--registry <file>', description: 'a JSON process registry [{task_id, process_id, start_time}] (repeatable)', parse: collect, library: 'registries' },
  { flags: '--port <[proto:]n>', description: 'only processes holding this local port, udp:N, tcp:N or N (repeatable); list also names holders that match no signature', parse: collect, library: 'ports' },
  { flags: '--holds <path>', description: 'only processes holding this file, FIFO or device open, e.g. /dev/video0 (repeatable)', parse: collect, library: 'holds' },
  { flags: '--unit <name>', description: 'only processes in this systemd unit (from their cgroup; .service may be left off)', library: 'unit' },
  { flags: '--container <id>', description: 'only processes in this container (docker, containerd, podman; an id prefix will do)', library: 'container' },
  { flags: '--owner <kind[:name]>', description: 'only processes with this owner: pm2, supervisord, mediamtx, procsweep-run, systemd, container, record or parent, optionally :NAME (pm2:cam1)', library: 'owner' },
  { flags: '--keep <regex>', description: 'never sweep processes whose command line matches (repeatable; shown as kept)', parse: collect, library: 'keep' },
  { flags: '--config <file>', description: 'config file (default ~/.config/procsweep/config.json, then /etc/procsweep/config.json)', library: 'config' },
] as const satisfies ReadonlyArray<OptionSpec & { library?: keyof CommonOptions }>;

/** The shared options as commander parses them. */
export type SharedCliOptions = OptionsOf<typeof SHARED_OPTIONS>;

/** The long flag of each shared option (`--args`). */
export type SharedFlag = LongFlag<(typeof SHARED_OPTIONS)[number]['flags']>;

/** What a command's handler receives: its own options and the shared ones. */
export type CliOptions<S extends OptionSpecs> = OptionsOf<S> & SharedCliOptions;

/** A command as data: name, one-line summary, arguments, options, examples, and a lazily loaded action. */
export interface CommandDef {
  name: string;
  summary: string;
  /** Positional arguments, commander syntax, e.g. `<pid...>`. */
  args?: string;
  options: OptionSpecs;
  examples: string[];
  /** Runs the command: reads its options from `cmd` and loads the action module only now. */
  action: (args: string[], cmd: Command) => Promise<number>;
  /** Subcommands (pidfiles list|clean|watch). */
  subcommands?: CommandDef[];
  /** Add the shared options (default true). */
  shared?: boolean;
  /**
   * What a shared option means for this command when it differs from the shared text, by long
   * flag (kill-group: `--args` only labels, it never narrows the group), so --help stays true.
   */
  sharedHelp?: { readonly [F in SharedFlag]?: string };
  /** Options after the first argument belong to it, untouched (`run -- CMD --its-flags`). */
  passThrough?: boolean;
}

/** A command being defined: its specs, and a handler typed by them. */
interface CommandSpec<S extends OptionSpecs, O> extends Omit<CommandDef, 'options' | 'action'> {
  options: S;
  action: (args: string[], opts: O, cmd: Command) => Promise<number>;
}

/**
 * Defines a command whose handler gets the options its specs declare (CliOptions; with
 * `shared: false`, only its own), typed from the specs: no option interface to keep in step.
 */
export function defineCommand<const S extends OptionSpecs>(def: CommandSpec<S, CliOptions<S>> & { shared?: true }): CommandDef;
export function defineCommand<const S extends OptionSpecs>(def: CommandSpec<S, OptionsOf<S>> & { shared: false }): CommandDef;
export function defineCommand<S extends OptionSpecs, O extends OptionValues>(def: CommandSpec<S, O>): CommandDef {
  // commander stores each option under optionKey(flags), typed by its spec: the values are O by construction.
  return { ...def, action: (args, cmd) => def.action(args, cmd.opts<O>(), cmd) };
}

/** Adds option specs to a commander command; `shared` marks SHARED_OPTIONS (for OptionSpec.scope). */
export function addOptions(cmd: Command, specs: OptionSpecs, shared = false): void {
  for (const s of specs) {
    const o = new Option(s.flags, s.description);
    if (s.choices) o.choices(s.choices);
    if (s.parse) o.argParser(s.parse);
    if (s.defaultValue !== undefined) o.default(s.defaultValue, s.defaultDescription);
    if (s.hidden) o.hideHelp();
    cmd.addOption(o);
    if (isScoping(s, shared)) trackGiven(cmd, o);
  }
}
