import Table from 'cli-table3';
import { escapeText } from './escape.js';

/** A column of a borderless table. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** The one column that is cut to fit the width (the command). */
  flex?: boolean;
}

const GAP = 2;

/** Cuts text to `width` visible characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  const end = /[\ud800-\udbff]/.test(text[width - 2]) ? width - 2 : width - 1; // never half a surrogate pair
  return text.slice(0, end) + '…';
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
): string {
  const rows = raw.map((r) => r.map(escapeText));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const flexIdx = columns.findIndex((c) => c.flex);
  if (width !== null && flexIdx >= 0) {
    const others = widths.reduce((a, w, i) => (i === flexIdx ? a : a + w + GAP), 0);
    widths[flexIdx] = Math.max(columns[flexIdx].header.length, Math.min(widths[flexIdx], width - others - 1));
  }
  const table = new Table({
    head: columns.map((c) => c.header),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' '.repeat(GAP),
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: columns.map((c) => c.align ?? 'left'),
    colWidths: widths,
    wordWrap: false,
    truncate: '…',
  });
  rows.forEach((r, ri) => {
    table.push(r.map((cell, ci) => {
      const cut = ci === flexIdx ? truncate(cell, widths[ci]) : cell;
      return style ? style(ri, ci, cut) : cut;
    }));
  });
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}
