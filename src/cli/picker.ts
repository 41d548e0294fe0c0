import { createPrompt, isBackspaceKey, isDownKey, isEnterKey, isSpaceKey, isUpKey, useKeypress, usePagination, useState } from '@inquirer/core';

/** One row of the picker: the label, the pid it stands for, and the text shown under the list while it is highlighted. */
export interface PickerChoice {
  value: number;
  name: string;
  short: string;
  /** Shown under the list for the highlighted row: its full command and its reason. */
  description?: string;
}

/** What the picker is given. */
export interface PickerConfig {
  message: string;
  choices: readonly PickerChoice[];
  /** Rows shown at once. */
  pageSize: number;
  /** A header line over the rows (column titles), already aligned with the cursor and box. */
  header?: string;
  /** Draw with UTF-8 symbols (else ASCII: [x], [ ], >). */
  unicode?: boolean;
}

/** The picker's symbols and key names: UTF-8, or ASCII where the locale is not UTF-8 (LANG=C). */
const UNICODE_LOOK = { on: '◉', off: '◯', cursor: '❯', sep: ' · ', dot: ' • ', up: '↑↓', enter: '⏎' };
const ASCII_LOOK = { on: '[x]', off: '[ ]', cursor: '>', sep: ' - ', dot: ', ', up: 'up/down', enter: 'enter' };

/** Which rows a filter shows: every word must appear in the row's label or description, case-insensitively. */
export function matchesFilter(c: PickerChoice, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${c.name}\n${c.description ?? ''}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/**
 * The candidate picker: a checkbox (every row checked) that says how many rows there are and
 * which are shown ("20 of 200"), filters as you type after `/` (the way fkill narrows by
 * typing), and applies `a` (all) and `i` (invert) to the rows shown. Enter accepts every
 * checked row, shown or not, and says how many are hidden. Built on @inquirer/core.
 */
export const picker = createPrompt<number[], PickerConfig>((config, done) => {
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set(config.choices.map((c) => c.value)));
  const [filter, setFilter] = useState('');
  const [typing, setTyping] = useState(false);
  const [active, setActive] = useState(0);
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const shown = config.choices.filter((c) => matchesFilter(c, filter));
  const at = Math.min(active, Math.max(0, shown.length - 1));
  const g = config.unicode === false ? ASCII_LOOK : UNICODE_LOOK;

  useKeypress((key, rl) => {
    if (typing) {
      if (isEnterKey(key) || key.name === 'escape') {
        if (key.name === 'escape') setFilter('');
        setTyping(false);
        setActive(0);
        return;
      }
      setFilter(rl.line);
      setActive(0);
      return;
    }
    if (isEnterKey(key)) {
      setStatus('done');
      done(config.choices.filter((c) => checked.has(c.value)).map((c) => c.value));
    } else if (key.name === 'slash' || rl.line.endsWith('/')) {
      rl.clearLine(0);
      rl.write(filter);
      setTyping(true);
    } else if (isUpKey(key)) {
      setActive(Math.max(0, at - 1));
    } else if (isDownKey(key)) {
      setActive(Math.min(shown.length - 1, at + 1));
    } else if (isSpaceKey(key) && shown[at]) {
      const next = new Set(checked);
      if (next.has(shown[at].value)) next.delete(shown[at].value);
      else next.add(shown[at].value);
      setChecked(next);
    } else if (key.name === 'a') {
      // All shown: check them, or uncheck them when every one is checked already.
      const all = shown.every((c) => checked.has(c.value));
      const next = new Set(checked);
      for (const c of shown) if (all) next.delete(c.value);
      else next.add(c.value);
      setChecked(next);
    } else if (key.name === 'i') {
      const next = new Set(checked);
      for (const c of shown) if (next.has(c.value)) next.delete(c.value);
      else next.add(c.value);
      setChecked(next);
    } else if (isBackspaceKey(key) && filter) {
      setFilter('');
    }
  });

  if (status === 'done') {
    const n = checked.size;
    return `? ${config.message} ${n} of ${config.choices.length} chosen`;
  }
  const page = usePagination({
    items: shown,
    active: at,
    pageSize: config.pageSize,
    loop: false,
    renderItem: ({ item, isActive }) => `${isActive ? g.cursor : ' '}${checked.has(item.value) ? g.on : g.off} ${item.name}`,
  });
  const total = config.choices.length;
  const hidden = config.choices.filter((c) => checked.has(c.value) && !shown.includes(c)).length;
  const count = [
    filter ? `${shown.length} of ${total} match '${filter}'` : `${total} candidate${total === 1 ? '' : 's'}`,
    ...(shown.length > config.pageSize ? [`rows ${Math.max(1, Math.min(at + 1, shown.length))} of ${shown.length}, ${config.pageSize} at a time`] : []),
    `${checked.size} checked${hidden ? ` (${hidden} not shown)` : ''}`,
  ].join(g.sep);
  const keys = typing
    ? `filter: ${filter}_   (type words to match; ${g.enter} keeps the filter, esc clears it)`
    : [`${g.up} move`, 'space toggle', 'a all shown', 'i invert shown', '/ filter', `${g.enter} accept every checked row`].join(g.dot);
  const lines = [
    `? ${config.message}`,
    count,
    ...(config.header ? [config.header] : []),
    shown.length ? page : '  (no row matches the filter: esc clears it)',
    ' ',
    shown[at]?.description ?? '',
    keys,
  ];
  return lines.filter((l) => l !== '').join('\n');
});
