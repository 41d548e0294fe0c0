/** The cell helpers of cli-table3 (no types ship for them): display width, padding and cutting, ANSI-aware. */
declare module 'cli-table3/src/utils.js' {
  /** Display width of the widest line, colour codes ignored. */
  export function strlen(str: string): number;
  /** Pads `str` to `len` columns with `pad`, on the side `dir` says. */
  export function pad(str: string, len: number, pad: string, dir: 'left' | 'right' | 'center'): string;
  /** Cuts `str` to `len` columns, ending with `truncateChar`. */
  export function truncate(str: string, len: number, truncateChar?: string): string;
}
