import { DEFAULT_PLAN_MAX } from '../../core/defaults.js';
import { durationArg, intArg } from '../options.js';

export { graceOption } from '../../core/options/values.js';

// The option groups of the commands that signal. Each group keeps its flags, parser and default
// in one place; a command may say in its own words what the option means for it.

/** `-y, --yes`: the consent a command that signals needs when nobody can be asked. */
export function yesOption(description = 'act without asking (required when stdin is not a terminal)') {
  return { flags: '-y, --yes', description } as const;
}

/** `-n, --dry-run`: show the plan and change nothing. */
export function dryRunOption(description: string) {
  return { flags: '-n, --dry-run', description } as const;
}

/** `--lock-file`: the one-sweep-at-a-time lock every command that signals takes. */
export function lockFileOption(description = 'the one-sweep-at-a-time lock (default /run/procsweep/sweep.lock as root, else $XDG_RUNTIME_DIR/procsweep.lock or /tmp/procsweep-UID.lock)') {
  return { flags: '--lock-file <path>', description } as const;
}

/** `--lock-file` and `--wait-lock`. */
export const LOCK_OPTIONS = [
  lockFileOption(),
  { flags: '--wait-lock', description: 'wait for a running sweep to finish instead of exiting 3' },
] as const;

/** `--max <n>`: the largest plan a command will execute. */
export function maxOption(description = 'refuse a plan that would signal more processes than this') {
  return { flags: '--max <n>', description, defaultValue: DEFAULT_PLAN_MAX, parse: intArg('--max', 1) } as const;
}

/** `--older-than <dur>`: only candidates older than this; it scopes what a `next:` hint repeats. */
export function olderThanOption(description: string) {
  return { flags: '--older-than <dur>', description, parse: durationArg('--older-than'), scope: true } as const;
}

/** `--remove-invalid`: pidfiles clean and pidfiles watch. */
export const REMOVE_INVALID_OPTION = { flags: '--remove-invalid', description: 'also remove records that do not parse (never unsafe ones, never a registry that does not parse)' } as const;
