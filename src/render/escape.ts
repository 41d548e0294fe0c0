/**
 * The one escaping rule for human output. Process names, command lines, paths and reasons are
 * written by whoever started the process or the file, so a human renderer passes every such text
 * through `escapeText` before it measures, cuts or colours it. Like procps' `escape_str` (what
 * `ps` prints), every character a terminal would act on instead of show becomes `?`:
 *
 * - C0 controls U+0000–U+001F: ESC (so CSI `\e[2J`, OSC 0/52 titles and clipboard writes, cursor
 *   moves), BEL, BS, and newline, CR and tab (a newline would split a row, a CR rewrite it);
 * - DEL U+007F and the C1 controls U+0080–U+009F (U+009B is CSI, U+009D OSC on some terminals);
 * - the line and paragraph separators U+2028/U+2029 and the bidirectional controls (U+061C,
 *   U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) that reorder what follows them.
 *
 * Each such character is replaced one for one, so the escaped text measures what it shows and
 * widths and cuts computed on it are right. `--json` output is never escaped: it stays exact.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Text safe to write to a terminal: every control character (see above) becomes `?`. */
export function escapeText(text: string): string {
  return UNSAFE_TEST.test(text) ? text.replace(UNSAFE, '?') : text;
}

/**
 * A process title set with setproctitle(3) and padded with spaces instead of NULs: the padding
 * overwrote the end of argv, so the kernel goes on reading into the environment to the next NUL
 * and the one argument ends in `   HOME=/root` or just spaces. What follows the padding (a run of
 * two or more spaces, then `NAME=` to the end) and the trailing spaces are not the title.
 */
const TITLE_SPILL = /(?: {2,}[A-Za-z_][A-Za-z0-9_]*=[^]*| +)$/;

/** The one argument of a setproctitle title, without its space padding and spilled environment. */
export function trimTitle(arg: string): string {
  const cut = arg.replace(TITLE_SPILL, '');
  return cut === '' ? arg : cut;
}

/**
 * A command line for humans, escaped: argv joined by spaces (a lone, space-padded setproctitle
 * title trimmed: trimTitle), or `[comm]` when argv is empty (zombies, kernel threads).
 */
export function commandLine(argv: readonly string[], comm: string): string {
  if (argv.length === 1) return escapeText(trimTitle(argv[0]));
  return escapeText(argv.length ? argv.join(' ') : comm ? `[${comm}]` : '?');
}
