import { SUMMARY_FLAGS } from '../core/decide/flags.js';
import type { Finding } from '../core/types.js';
import { escapeText } from './escape.js';
import { colorFlag, type Palette } from './tone.js';

/** One reason and the processes it is given for, in the order first seen. */
export interface ReasonGroup {
  reason: string;
  pids: number[];
}

/** Identical reasons grouped: 200 workers leaked by one crashed supervisor make one line, not 200. */
export function groupReasons(items: Iterable<{ pid: number; reason: string }>): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const { pid, reason } of items) {
    const g = groups.get(reason);
    if (g) g.pids.push(pid);
    else groups.set(reason, { reason, pids: [pid] });
  }
  return [...groups.values()];
}

/** PIDs as a short list: every one up to `max`, else the first ones and how many more. */
export function pidList(pids: readonly number[], max = 8): string {
  if (pids.length <= max) return pids.join(', ');
  const head = max - 2;
  return `${pids.slice(0, head).join(', ')} and ${pids.length - head} more`;
}

const visibleLength = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Words of `text` in lines of at most `first` (the first line) and `rest` columns; a longer word is split. */
export function wrapText(text: string, first: number, rest: number): string[] {
  const lines: string[] = [];
  let cur = '';
  let room = first;
  const flush = (): void => {
    lines.push(cur);
    cur = '';
    room = rest;
  };
  for (let word of text.split(' ')) {
    if (cur && cur.length + 1 + word.length > room) flush();
    while (word.length > room) {
      if (cur) flush();
      lines.push(word.slice(0, room));
      word = word.slice(room);
      room = rest;
    }
    cur = cur ? `${cur} ${word}` : word;
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/**
 * The lines of grouped reasons: `  why  200, 201: orphan: parent is PID 1 …`, the label styled by
 * the caller. With a `width` (a terminal), a reason too long for its line goes on indented lines
 * of its own, so the terminal never wraps one into the next.
 */
export function reasonLines(label: string, groups: readonly ReasonGroup[], style: (reason: string) => string = escapeText, width: number | null = null): string[] {
  return groups.flatMap((g) => {
    const head = `  ${label} ${pidList(g.pids)}: `;
    const text = escapeText(g.reason);
    const first = width === null ? Infinity : width - visibleLength(head);
    if (text.length <= first || first < 20) return [head + style(g.reason)];
    const indent = ' '.repeat(8);
    const [one, ...more] = wrapText(text, first, width! - indent.length);
    return [head + style(one), ...more.map((l) => indent + l)];
  });
}

/** Above this many distinct reasons, `list` shows the commonest and says how many more there are. */
export const LIST_REASONS_MAX = 12;

/** The flags whose reason `list` shows, in this order: those its summary line counts (flags.ts). */
const SHOWN = SUMMARY_FLAGS;

/**
 * Why each shown suspect is listed, under the table: one line per flag and reason, identical
 * reasons grouped (`why  200, 201, 202: orphan: parent is PID 1 (init); session leader 150 is
 * gone`). With more than LIST_REASONS_MAX distinct reasons the commonest are shown and the rest
 * counted; `--json` has every one.
 */
export function renderListReasons(findings: readonly Finding[], p: Palette, max = LIST_REASONS_MAX, width: number | null = null): string[] {
  const items: Array<{ pid: number; reason: string; flag: string }> = [];
  for (const flag of SHOWN) {
    for (const f of findings) {
      const r = f.reasons[flag];
      if (f.flags.includes(flag) && r) items.push({ pid: f.proc.pid, flag, reason: `${flag}: ${r}` });
    }
  }
  const groups = groupReasons(items);
  const shown = groups.length > max ? [...groups].sort((a, b) => b.pids.length - a.pids.length).slice(0, max) : groups;
  const style = (reason: string): string => {
    const at = reason.indexOf(': ');
    return `${colorFlag(p, reason.slice(0, at))}${escapeText(reason.slice(at))}`;
  };
  const lines = reasonLines(`${p.dim('why')} `, shown.sort((a, b) => groups.indexOf(a) - groups.indexOf(b)), style, width);
  if (groups.length > shown.length) {
    const rest = groups.filter((g) => !shown.includes(g));
    const n = new Set(rest.flatMap((g) => g.pids)).size;
    const more = `  and ${rest.length} more reasons, for ${n} process${n === 1 ? '' : 'es'} (list --json gives each one; sweep -n lists them all)`;
    lines.push(...(width === null ? [more] : wrapText(more, width, width - 4).map((l, i) => (i ? `    ${l}` : l))).map((l) => p.dim(l)));
  }
  return lines;
}
