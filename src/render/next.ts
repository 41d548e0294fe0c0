import type { Palette } from './tone.js';

/**
 * Builds the full command line for a `next:` hint from its words (`['sweep', '-n']`), with the
 * options that scoped this run appended and quoted for the shell; null when the scope cannot be
 * carried to that command (then no hint is better than a wider one).
 */
export type NextCommand = (words: readonly string[]) => string | null;

/** A hint that carries no scope: for renderers called without one (library use, unit tests). */
export const bareNext: NextCommand = (words) => ['procsweep', ...words].join(' ');

/**
 * One `next:` line: the command, then why as a shell comment, so everything after `next: ` runs
 * as typed when pasted. Empty when the command could not be built.
 */
export function nextLine(p: Palette, next: NextCommand, words: readonly string[], why: string): string[] {
  const cmd = next(words);
  return cmd === null ? [] : [p.dim(`next: ${cmd}   # ${why}`)];
}
