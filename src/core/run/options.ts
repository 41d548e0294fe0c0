import type { OptionSpecs } from '../options/spec.js';
import { durationArg, durationDefault, graceOption, intArg, TIMER_MAX } from '../options/values.js';
import { RESTART_POLICIES } from './policy.js';

/**
 * `procsweep run`'s options. Here, not in src/cli, because core reads them too: a `procsweep
 * run` in the process table is recognised by parsing its command line with them
 * (core/run/detect.ts), so an option added here is known there at once.
 */
export const RUN_OPTIONS = [
  { flags: '--pid-dir <dir>', description: 'write a timestamped pidfile ID_TYPE.pid (PID, start time in ms) here while CMD runs; created if missing' },
  { flags: '--id <route>', description: 'pidfile name: the route or task id (needs --pid-dir)' },
  { flags: '--type <type>', description: "pidfile name: the process type, e.g. ffmpeg or srtOut:6000 (default: CMD's name)" },
  { flags: '--restart <policy>', description: 'start CMD again when it exits: never, on-failure (non-zero status or signal) or always', choices: RESTART_POLICIES, defaultValue: 'never' },
  { flags: '--restart-delay <dur>', description: 'wait this long before each restart', parse: durationArg('--restart-delay', TIMER_MAX), ...durationDefault(2000) },
  { flags: '--max-restarts <n>', description: 'give up after this many restarts and exit with the last status (default: no limit)', parse: intArg('--max-restarts') },
  graceOption("on stop, time CMD's process group gets between the signal and SIGKILL"),
  { flags: '--survive-parent', description: 'keep running when the process that started run exits (default: stop CMD and exit, so a crashed supervisor leaks nothing)' },
] as const satisfies OptionSpecs;
