import { parseDuration } from '../duration.js';
import { DEFAULT_GRACE_MS } from '../act/escalation/timing.js';
import { UsageError } from '../errors.js';

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

/** An upper bound of a duration option: in ms, as shown, and why. */
export interface DurationMax {
  ms: number;
  text: string;
  why: string;
}

/** Parses a duration option into milliseconds; with `max`, longer ones are refused. */
export function durationArg(name: string, max?: DurationMax): (value: string) => number {
  return (value) => {
    const ms = parseDuration(value, name);
    if (max && ms > max.ms) throw new UsageError(`${name} '${value}' is too long: at most ${max.text} (${max.why})`);
    return ms;
  };
}

/** The bound of every `--grace`. */
export const GRACE_MAX: DurationMax = { ms: MAX_GRACE_MS, text: '1h', why: 'how long the first signal gets before SIGKILL' };
/** The bound of an option that sets a timer (--interval, --restart-delay). */
export const TIMER_MAX: DurationMax = { ms: MAX_TIMER_MS, text: '24d', why: 'a longer timer cannot be set' };

const UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/** A default duration as an operator would type it: 3000 -> `3s`, 600000 -> `10m`, 500 -> `500ms`. */
export function durationText(ms: number): string {
  for (const [unit, size] of UNITS) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** The default of a duration option, with the text `--help` and the docs show for it. */
export function durationDefault(ms: number): { defaultValue: number; defaultDescription: string } {
  return { defaultValue: ms, defaultDescription: durationText(ms) };
}

/** Parses a whole-number option of at least `min`. */
export function intArg(name: string, min = 0): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${name} '${value}' must be a whole number of at least ${min}`);
    return Number(value);
  };
}

/** `--grace <dur>`: how long the first signal gets before SIGKILL; `description` says it for the command. */
export function graceOption(description: string) {
  return { flags: '--grace <dur>', description, parse: durationArg('--grace', GRACE_MAX), ...durationDefault(DEFAULT_GRACE_MS) } as const;
}
