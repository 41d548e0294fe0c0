import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
import { escapeText } from '../render/escape.js';

/** The terminal facts a command needs, gathered once so renderers never read process.* themselves. */
export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Width for tables when stdout is a terminal; null when output is not a terminal. */
  columns: number | null;
  env: NodeJS.ProcessEnv;
}

/**
 * The real process's IO. stdin is opened on first use: creating process.stdin builds a stream
 * (and loads net or tty code) that `list --json` and other non-interactive runs never read.
 */
export function processIO(): CliIO {
  const out = process.stdout;
  return {
    stdout: out,
    stderr: process.stderr,
    get stdin(): Readable {
      return process.stdin;
    },
    // isatty(0) is what makes process.stdin a tty.ReadStream, so this is its isTTY without building it.
    stdinIsTTY: isatty(0),
    stdoutIsTTY: Boolean(out.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: out.isTTY ? out.columns || 80 : null,
    env: process.env,
  };
}

/**
 * Colour level: 0 with --no-color or NO_COLOR; FORCE_COLOR=0..3 forces a level (no value: 1);
 * otherwise 1 on a terminal and 0 elsewhere.
 */
export function colorLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (flag === false) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const n = Number(force);
    if (n === 0 || n === 1 || n === 2 || n === 3) return n;
    return 1;
  }
  if (env.TERM === 'dumb') return 0;
  return isTTY ? 1 : 0;
}

/**
 * Whether the locale can show UTF-8, as pstree decides: the first of LC_ALL, LC_CTYPE, LANG that
 * is set names the charset; LANG=C or POSIX or any non-UTF-8 charset means ASCII. With none set
 * (a bare container shell), UTF-8 is assumed, as every terminal emulator today shows it.
 */
export function unicodeLocale(env: NodeJS.ProcessEnv): boolean {
  const loc = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '');
  if (loc === undefined) return true;
  return /utf-?8/i.test(loc);
}

/** Writes a line (adds the newline). */
export function writeLine(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}

/** Writes `procsweep: warning: MESSAGE`, the message escaped (it may quote paths and command lines). */
export function writeWarning(stream: Writable, message: string): void {
  writeLine(stream, `procsweep: warning: ${escapeText(message)}`);
}
