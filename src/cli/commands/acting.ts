import { durationArg, type OptionSpec } from '../options.js';

/** `--grace`: how long the first signal gets before SIGKILL. */
export function graceOption(first = 'SIGTERM'): OptionSpec {
  return { flags: '--grace <dur>', description: `how long ${first} gets before SIGKILL`, defaultValue: 3000, defaultDescription: '3s', parse: durationArg('--grace') };
}

/** `-y, --yes`: the consent a command that signals needs when nobody can be asked. */
export const YES_OPTION: OptionSpec = { flags: '-y, --yes', description: 'act without asking (required when stdin is not a terminal)' };

/** `-n, --dry-run`: show the plan and signal nothing. */
export function dryRunOption(what: string): OptionSpec {
  return { flags: '-n, --dry-run', description: `${what} and signal nothing` };
}
