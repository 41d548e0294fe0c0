/**
 * Defaults the library and the command line share, in a module that imports nothing: the CLI's
 * option specs show them in --help without loading the code that uses them (start-up time).
 * The escalation's own timing (the default grace) is in escalation/timing.ts.
 */

/** The most processes a plan may signal unless `--max` says otherwise. */
export const DEFAULT_PLAN_MAX = 500;

/** The default scan interval of watch, in ms (`--interval`). */
export const DEFAULT_INTERVAL_MS = 2000;

/** How long a figure must keep rising before watch alarms, in ms (`--window`). */
export const DEFAULT_WINDOW_MS = 10 * 60_000;
