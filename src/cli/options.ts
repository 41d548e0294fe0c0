import { Command, Option } from 'commander';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { trackGiven } from './given.js';

/**
 * One option, as data: drives commander, `--help`, and the man-page check. `value` names the
 * argument (`<dur>`); `repeatable` collects into an array; `parse` validates at parse time.
 */
export interface OptionSpec {
  flags: string;
  description: string;
  defaultValue?: unknown;
  defaultDescription?: string;
  parse?: (value: string, previous: unknown) => unknown;
  choices?: readonly string[];
  hidden?: boolean;
  /**
   * The option narrows which processes or records a command looks at, so a `next:` hint repeats
   * it (a suggestion must never act on more than was shown). Default: true for a shared option
   * that takes a value (every selector: --args, --user, --pid-dir, ...), false otherwise.
   */
  scope?: boolean;
}

/** Whether a `next:` hint must carry this option (see OptionSpec.scope). */
export function isScoping(spec: OptionSpec, shared: boolean): boolean {
  return spec.scope ?? (shared && /[<[]/.test(spec.flags));
}

/** A command as data: name, one-line summary, arguments, options, examples, and a lazily loaded action. */
export interface CommandDef {
  name: string;
  summary: string;
  /** Positional arguments, commander syntax, e.g. `<pid...>`. */
  args?: string;
  options: OptionSpec[];
  examples: string[];
  /** Loads the action module only when the command runs, keeping startup light. */
  action: (args: string[], opts: Record<string, unknown>, cmd: Command) => Promise<number>;
  /** Subcommands (pidfiles list|clean|watch). */
  subcommands?: CommandDef[];
  /** Add the shared options (default true). */
  shared?: boolean;
  /**
   * What a shared option means for this command when it differs from the shared text, by long
   * flag (kill-group: `--args` only labels, it never narrows the group), so --help stays true.
   */
  sharedHelp?: Record<string, string>;
  /** Options after the first argument belong to it, untouched (`run -- CMD --its-flags`). */
  passThrough?: boolean;
}

/** Appends each value: for repeatable options. */
export function collect(value: string, previous: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), value];
}

/** Splits a comma list, dropping blanks: `--match a,b`. */
export function commaList(value: string, previous: unknown): string[] {
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new UsageError(`expected a comma-separated list, got '${value}'`);
  return [...((previous as string[] | undefined) ?? []), ...parts];
}

/** The longest grace a signal gets before SIGKILL: past an hour a typo (`10000d`) is likelier than a plan. */
export const MAX_GRACE_MS = 3_600_000;
/** The longest wait a timer can hold (setTimeout's 32-bit limit, about 24 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Parses a duration option into milliseconds; with `max` (its bound, as shown, and why), longer ones are refused. */
export function durationArg(name: string, max?: { ms: number; text: string; why: string }): (value: string) => number {
  return (value) => {
    const ms = parseDuration(value, name);
    if (max && ms > max.ms) throw new UsageError(`${name} '${value}' is too long: at most ${max.text} (${max.why})`);
    return ms;
  };
}

/** The bound of every `--grace`. */
export const GRACE_MAX = { ms: MAX_GRACE_MS, text: '1h', why: 'how long the first signal gets before SIGKILL' };

/** Parses a positive integer option. */
export function intArg(name: string, min = 0): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${name} '${value}' must be a whole number of at least ${min}`);
    return Number(value);
  };
}

/** The options every command accepts after its name (design.md section 7). */
export const SHARED_OPTIONS: OptionSpec[] = [
  { flags: '--json', description: 'print machine-readable JSON on stdout and nothing else' },
  { flags: '--no-color', description: 'never colour output (also NO_COLOR=1; FORCE_COLOR forces colour)' },
  { flags: '--proc-root <dir>', description: 'read processes from this proc tree instead of /proc (fixtures, host /proc in a container)' },
  { flags: '--backend <name>', description: 'process table reader: procfs (Linux) or portable (ps, tree-kill); default: procfs where /proc exists', choices: ['procfs', 'portable'] },
  { flags: '--signature <name=regex>', description: 'add a signature: a regex over the command line (repeatable)', parse: collect },
  { flags: '--match <names>', description: 'only these signatures, comma-separated (e.g. ffmpeg,srt-live-transmit)', parse: commaList },
  { flags: '--args <regex>', description: 'only processes whose command line also matches this regex' },
  { flags: '--user <user>', description: 'only processes of this user (name or uid)' },
  { flags: '--pid-dir <dir>', description: 'a directory of *.pid files written by your supervisor (repeatable)', parse: collect },
  { flags: '--registry <file>', description: 'a JSON process registry [{task_id, process_id, start_time}] (repeatable)', parse: collect },
  { flags: '--port <[proto:]n>', description: 'only processes holding this local port, udp:N, tcp:N or N (repeatable); list also names holders that match no signature', parse: collect },
  { flags: '--holds <path>', description: 'only processes holding this file, FIFO or device open, e.g. /dev/video0 (repeatable)', parse: collect },
  { flags: '--unit <name>', description: 'only processes in this systemd unit (from their cgroup; .service may be left off)' },
  { flags: '--container <id>', description: 'only processes in this container (docker, containerd, podman; an id prefix will do)' },
  { flags: '--owner <kind[:name]>', description: 'only processes with this owner: pm2, supervisord, mediamtx, procsweep-run, systemd, container, record or parent, optionally :NAME (pm2:cam1)' },
  { flags: '--keep <regex>', description: 'never sweep processes whose command line matches (repeatable; shown as kept)', parse: collect },
  { flags: '--config <file>', description: 'config file (default ~/.config/procsweep/config.json, then /etc/procsweep/config.json)' },
];

/** Adds option specs to a commander command; `shared` marks SHARED_OPTIONS (for OptionSpec.scope). */
export function addOptions(cmd: Command, specs: readonly OptionSpec[], shared = false): void {
  for (const s of specs) {
    const o = new Option(s.flags, s.description);
    if (s.choices) o.choices(s.choices as string[]);
    if (s.parse) o.argParser(s.parse as (v: string, p: unknown) => unknown);
    if (s.defaultValue !== undefined) o.default(s.defaultValue, s.defaultDescription);
    if (s.hidden) o.hideHelp();
    cmd.addOption(o);
    if (isScoping(s, shared)) trackGiven(cmd, o);
  }
}
