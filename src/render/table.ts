import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import type cellUtils from 'cli-table3/src/utils.js';
import { escapeText } from './escape.js';

/**
 * cli-table3 (CommonJS) is required on the first table drawn, not when this module loads: a
 * report with no table (a sweep or kill-group whose every process ended as planned) never pays
 * its start-up, which is about as long as the kill itself for a 300-process tree.
 */
const requireCjs = createRequire(import.meta.url);
let cliTable: { Table: typeof Table; utils: typeof cellUtils } | undefined;
function lib(): { Table: typeof Table; utils: typeof cellUtils } {
  return (cliTable ??= { Table: requireCjs('cli-table3') as typeof Table, utils: requireCjs('cli-table3/src/utils.js') as typeof cellUtils });
}

/** A column of a borderless table. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** The one column that is cut to fit the width (the command). */
  flex?: boolean;
  /** A column that gives way first on a narrow terminal: cut (down to its header) before the flex column is. */
  yields?: boolean;
  /**
   * A column left out on a narrow terminal rather than squeezing the flex column below its `min`
   * (or letting the terminal wrap the line): the lowest `drop` goes first.
   */
  drop?: number;
  /** The flex column: the room it keeps before droppable columns give way (default: its header). */
  min?: number;
  /** The flex column: how its cells are cut to a width, seeing them all (default: truncate each). */
  shorten?: (cells: readonly string[], width: number, unicode: boolean) => string[];
}

const GAP = 2;

/** The mark of a cut: `…` where the locale shows UTF-8, `...` where it does not (LANG=C). */
export function ellipsis(unicode = true): string {
  return unicode ? '…' : '...';
}

/** Cuts text to `width` visible characters, marking the cut with an ellipsis (`...` when not `unicode`). */
export function truncate(text: string, width: number, unicode = true): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  const mark = ellipsis(unicode);
  if (width <= mark.length) return mark.slice(0, width);
  let end = width - mark.length;
  if (/[\ud800-\udbff]/.test(text[end - 1])) end--; // never half a surrogate pair
  return text.slice(0, end) + mark;
}

/**
 * Above this many rows a table is laid out here instead of by cli-table3. cli-table3 takes time
 * quadratic in the rows (its rowSpan/colSpan bookkeeping, `fillInTable`) and tens of
 * microseconds per cell, so 5,000 rows took seconds; `layoutRows` draws the same lines in linear
 * time with cli-table3's own cell helpers (width, cut, pad). A unit test keeps the two identical.
 */
export const CLI_TABLE_MAX_ROWS = 64;

const CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' '.repeat(GAP),
};

/** Plain printable ASCII: its display width is its length (escaped cells never hold controls). */
const ASCII = /^[\x20-\x7e]*$/;

/** One cell drawn to `width` columns the way cli-table3 draws it: cut with `mark` if wider, then padded. */
function drawCell(plain: string, styled: string, width: number, align: 'left' | 'right', mark: string): string {
  if (ASCII.test(plain) && plain.length <= width) {
    const pad = ' '.repeat(width - plain.length);
    return align === 'right' ? pad + styled : styled + pad;
  }
  const { utils } = lib();
  return utils.pad(utils.truncate(styled, width, mark), width, ' ', align);
}

/** The lines cli-table3 would draw for these cells, in time linear in the rows. */
function layoutRows(head: readonly string[], cells: readonly string[][], plain: readonly string[][], widths: readonly number[], aligns: ReadonlyArray<'left' | 'right'>, mark: string): string[] {
  const lines = [head.map((h, i) => drawCell(h, h, widths[i], aligns[i], mark)).join(CHARS.middle)];
  cells.forEach((r, ri) => lines.push(r.map((c, i) => drawCell(plain[ri][i], c, widths[i], aligns[i], mark)).join(CHARS.middle)));
  return lines;
}

/** How a table is drawn besides its cells: the locale's ellipsis, and (tests) where cli-table3 gives way to layoutRows. */
export interface TableLook {
  /** Whether the locale shows UTF-8: cuts are marked `…`, else `...`. Default true. */
  unicode?: boolean;
  cliTableMax?: number;
}

/** The columns (indices) that fit `width`: droppable ones left out, lowest `drop` first, while the flex column would get less than its `min`. */
function fitColumns(columns: readonly Column[], natural: readonly number[], width: number): number[] {
  const flex = columns.findIndex((c) => c.flex);
  const shown = columns.map((_c, i) => i);
  if (flex < 0) return shown;
  const min = columns[flex].min ?? columns[flex].header.length;
  const room = (): number => width - 1 - shown.reduce((a, i) => (i === flex ? a : a + (columns[i].yields ? columns[i].header.length : natural[i]) + GAP), 0);
  const droppable = shown.filter((i) => columns[i].drop !== undefined).sort((a, b) => columns[a].drop! - columns[b].drop!);
  for (const i of droppable) {
    if (room() >= Math.min(min, natural[flex])) break;
    shown.splice(shown.indexOf(i), 1);
  }
  return shown;
}

/**
 * Renders rows as a borderless, ps-like table. With a `width`, the flex column is cut so each
 * line fits; without one (not a terminal, or --wide) every cell is kept whole. Every cell is
 * escaped (escapeText) first and `style` colours a cell after cutting, so widths are computed on
 * the plain text the terminal will show.
 */
export function renderTable(
  columns: readonly Column[],
  raw: readonly string[][],
  width: number | null,
  style?: (row: number, col: number, text: string) => string,
  look: TableLook = {},
): string {
  const { unicode = true, cliTableMax = CLI_TABLE_MAX_ROWS } = look;
  const mark = ellipsis(unicode);
  const natural = columns.map((c) => c.header.length);
  const escaped = raw.map((r) => columns.map((_c, i) => escapeText(r[i] ?? '')));
  for (const r of escaped) for (let i = 0; i < natural.length; i++) natural[i] = Math.max(natural[i], r[i].length);
  // The columns shown: on a narrow terminal the droppable ones go, lowest first, until the flex column has its room.
  const shown = width === null ? columns.map((_c, i) => i) : fitColumns(columns, natural, width);
  columns = shown.map((i) => columns[i]);
  const rows = escaped.map((r) => shown.map((i) => r[i]));
  const widths = shown.map((i) => natural[i]);
  const flexIdx = columns.findIndex((c) => c.flex);
  if (width !== null && flexIdx >= 0) {
    const total = widths.reduce((a, w) => a + w + GAP, 0) - GAP;
    let over = total - (width - 1);
    for (let i = 0; i < columns.length && over > 0; i++) {
      if (!columns[i].yields) continue;
      const cut = Math.min(over, widths[i] - columns[i].header.length);
      widths[i] -= cut;
      over -= cut;
    }
    const others = widths.reduce((a, w, i) => (i === flexIdx ? a : a + w + GAP), 0);
    widths[flexIdx] = Math.max(columns[flexIdx].header.length, Math.min(widths[flexIdx], width - others - 1));
  }
  const shortened = flexIdx >= 0 && columns[flexIdx].shorten && rows.some((r) => r[flexIdx].length > widths[flexIdx]) ? columns[flexIdx].shorten!(rows.map((r) => r[flexIdx]), widths[flexIdx], unicode) : null;
  const plain = rows.map((r, ri) => r.map((cell, ci) => (ci === flexIdx && shortened ? shortened[ri] : ci === flexIdx || columns[ci].yields ? truncate(cell, widths[ci], unicode) : cell)));
  // `style` is told each cell's column as the caller numbered them, dropped columns included.
  const cells = style ? plain.map((r, ri) => r.map((cut, ci) => style(ri, shown[ci], cut))) : plain;
  const head = columns.map((c) => c.header);
  const aligns = columns.map((c) => c.align ?? 'left');
  let lines: string[];
  if (rows.length > cliTableMax) {
    lines = layoutRows(head, cells, plain, widths, aligns, mark);
  } else {
    const table = new (lib().Table)({
      head,
      chars: CHARS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
      colAligns: aligns,
      colWidths: widths,
      wordWrap: false,
      truncate: mark,
    });
    for (const r of cells) table.push(r);
    lines = table.toString().split('\n');
  }
  return lines.map((l) => l.trimEnd()).join('\n');
}
