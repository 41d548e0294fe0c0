/**
 * Command-line options as data. A spec drives commander (src/cli/options.ts), `--help`, the
 * man-page and README checks, and, through the types below, each handler's option type: a
 * handler never restates an option by hand. Pure: no commander here, so core can read the
 * specs too (core/run/detect.ts knows `procsweep run`'s options from its spec).
 */

/** One option. `flags` is commander syntax (`-n, --dry-run`, `--grace <dur>`, `--no-color`). */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  /** The value when the option is not given; its presence makes the handler's field required. */
  readonly defaultValue?: unknown;
  /** How `--help` and the docs show the default (`3s` for 3000). */
  readonly defaultDescription?: string;
  /** Validates and converts at parse time; its return type is the handler's field type. */
  readonly parse?: (value: string, previous: unknown) => unknown;
  readonly choices?: readonly string[];
  readonly hidden?: boolean;
  /**
   * The option narrows which processes or records a command looks at, so a `next:` hint repeats
   * it (a suggestion must never act on more than was shown). Default: true for a shared option
   * that takes a value (every selector: --args, --user, --pid-dir, ...), false otherwise.
   */
  readonly scope?: boolean;
  /** The library's name for it (CommonOptions), where the CLI passes it on as it is. */
  readonly library?: string;
}

/** A list of option specs, kept literal (`as const satisfies OptionSpecs`) so types follow it. */
export type OptionSpecs = readonly OptionSpec[];

type FirstWord<S extends string> = S extends `${infer W} ${string}` ? W : S;
/** `-n, --dry-run` -> `dry-run`; `--grace <dur>` -> `grace`. */
type LongName<F extends string> = F extends `${string}--${infer Rest}` ? FirstWord<Rest> : never;
/** The long flag of a spec, as a type: `-n, --dry-run` -> `--dry-run`. */
export type LongFlag<F extends string> = `--${LongName<F>}`;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** The key commander stores an option under: camel case, `--no-color` -> `color`. */
export type OptionKey<F extends string> = LongName<F> extends `no-${infer R}` ? Camel<R> : Camel<LongName<F>>;

type TakesValue<F extends string> = F extends `${string}<${string}` | `${string}[${string}` ? true : false;
type Parsed<S extends OptionSpec> = S extends { parse: (...a: never[]) => infer R }
  ? R
  : S extends { choices: readonly (infer C)[] }
    ? C
    : TakesValue<S['flags']> extends true ? string : boolean;
/** The value a handler sees for one spec. */
export type OptionValue<S extends OptionSpec> = S extends { defaultValue: infer D } ? Parsed<S> | D : Parsed<S>;

type HasDefault<S> = S extends { defaultValue: NonNullable<unknown> } ? true : false;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * A handler's options, inferred from its specs: each key as commander stores it, typed by the
 * spec's parser (or choices, or string/boolean), required when the spec has a default.
 */
export type OptionsOf<S extends OptionSpecs> = Simplify<
  { -readonly [P in S[number] as HasDefault<P> extends true ? OptionKey<P['flags']> : never]: OptionValue<P> } & {
    -readonly [P in S[number] as HasDefault<P> extends true ? never : OptionKey<P['flags']>]?: OptionValue<P>;
  }
>;

/** The options a spec list hands on to the library, under the library's names (OptionSpec.library). */
export type LibraryOf<S extends OptionSpecs> = Simplify<{
  -readonly [P in S[number] as P extends { library: infer L extends string } ? L : never]?: OptionValue<P>;
}>;

/** Every flag of a spec, short and long: `-n, --dry-run` -> ['-n', '--dry-run']. */
export function flagNames(flags: string): string[] {
  return [...flags.matchAll(/(?:^|[\s,])(-{1,2}[A-Za-z][\w-]*)/g)].map((m) => m[1]);
}

/** The long flag of a spec (`--dry-run`). */
export function longFlag(flags: string): string {
  const long = flagNames(flags).find((f) => f.startsWith('--'));
  if (!long) throw new Error(`option '${flags}' has no long flag`);
  return long;
}

/** The key commander stores the option under, at run time (see OptionKey). */
export function optionKey(flags: string): string {
  return longFlag(flags).slice(2).replace(/^no-/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The argument name a spec shows (`dur` for `--grace <dur>`), or null for a switch. */
export function argumentName(flags: string): string | null {
  const m = /\s(?:<(.+)>|\[(.+)\])\s*$/.exec(flags);
  return m ? m[1] ?? m[2] : null;
}

/** Whether the option takes a value (`--grace <dur>`), not a switch (`--yes`). */
export function takesValue(spec: OptionSpec): boolean {
  return argumentName(spec.flags) !== null;
}

/** The default as `--help` and the docs show it, or null without one. */
export function defaultText(spec: OptionSpec): string | null {
  if (spec.defaultValue === undefined) return null;
  return spec.defaultDescription ?? String(spec.defaultValue);
}

/** The given options under the library's names (OptionSpec.library), for the specs that name one. */
export function libraryOptions<S extends OptionSpecs>(specs: S, given: OptionsOf<S>): LibraryOf<S> {
  const values = given as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of specs) if (s.library !== undefined) out[s.library] = values[optionKey(s.flags)];
  // Built from the same specs the type is read from: each library name gets its option's value.
  return out as LibraryOf<S>;
}
