import { durationArg, GRACE_MAX, type OptionSpec } from '../options.js';

/** `--grace`: how long the first signal gets before SIGKILL. */
export function graceOption(first = 'SIGTERM'): OptionSpec {
  return { flags: '--grace <dur>', description: `how long ${first} gets before SIGKILL`, defaultValue: 3000, defaultDescription: '3s', parse: durationArg('--grace', GRACE_MAX) };
}

/** `-y, --yes`: the consent a command that signals needs when nobody can be asked. */
export const YES_OPTION: OptionSpec = { flags: '-y, --yes', description: 'act without asking (required when stdin is not a terminal)' };

/** `-n, --dry-run`: show the plan and signal nothing. */
export function dryRunOption(what: string): OptionSpec {
  return { flags: '-n, --dry-run', description: `${what} and signal nothing` };
}

/** `--lock-file` and `--wait-lock`: the one-sweep-at-a-time lock every command that signals takes. */
export const LOCK_OPTIONS: OptionSpec[] = [
  { flags: '--lock-file <path>', description: 'the one-sweep-at-a-time lock (default /run/procsweep/sweep.lock as root, else $XDG_RUNTIME_DIR/procsweep.lock or /tmp/procsweep-UID.lock)' },
  { flags: '--wait-lock', description: 'wait for a running sweep to finish instead of exiting 3' },
];
