import { formatDuration, formatSpan } from '../core/duration.js';
import { COLUMN_FLAGS } from '../core/decide/flags.js';
import { entrySource, recordName } from '../core/pidfiles/types.js';
import type { WatchTick } from '../core/watch/loop.js';
import type { WatchEvent } from '../core/watch/events.js';
import type { WatchedProcess } from '../core/watch/watcher.js';
import { commandLine, escapeText } from './escape.js';
import { eventLine, eventRowLine, foldEvents } from './events.js';
import { formatBytes } from './list.js';
import { withOwnerColumn } from './owner.js';
import { colorFlag, toned, type Palette } from './tone.js';
import { COMMAND_COLUMN } from './shorten.js';
import { renderTable, type Column } from './table.js';
import { wrapText } from './why.js';

const BARS = '▁▂▃▄▅▆▇█';
const ASCII_BARS = '_.-:=+*#';

/** A sparkline of the last `width` values, scaled from 0 to the largest (all-zero: a flat line); ASCII levels unless `unicode`. */
export function sparkline(values: readonly number[], width: number, unicode = true): string {
  const BARS_ = unicode ? BARS : ASCII_BARS;
  if (width <= 0) return '';
  const vs = values.slice(-width);
  const max = Math.max(0, ...vs);
  return vs.map((v) => (max <= 0 ? BARS_[0] : BARS_[Math.min(BARS_.length - 1, Math.round((v / max) * (BARS_.length - 1)))])).join('');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/y;

/** Cuts a line that may hold colour codes to `width` visible characters. */
export function fitLine(line: string, width: number): string {
  let out = '';
  let visible = 0;
  let coloured = false;
  for (let i = 0; i < line.length; ) {
    ANSI.lastIndex = i;
    const m = ANSI.exec(line);
    if (m) {
      out += m[0];
      coloured = true;
      i += m[0].length;
      continue;
    }
    const cp = line.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (visible >= width) {
      return out + (coloured ? '\x1b[0m' : '');
    }
    out += ch;
    visible++;
    i += ch.length;
  }
  return out;
}

/** Joins words with `sep` into lines of at most `width` characters (a longer word is cut later). */
export function wrapWords(words: readonly string[], sep: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of words) {
    if (cur && cur.length + sep.length + word.length > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? cur + sep + word : word;
  }
  if (cur) out.push(cur);
  return out;
}

/** What the dashboard shows besides the tick. */
export interface DashboardView {
  tick: WatchTick;
  /** The last events, oldest first. */
  events: readonly WatchEvent[];
  /** The last warnings (failed actions, unreadable records), oldest first. */
  warnings?: ReadonlyArray<{ at: number; text: string }>;
  intervalMs: number;
  width: number;
  height: number;
  /** Short notes for the header: `sweep on`, `metrics 127.0.0.1:9464`. */
  notes: string[];
  /** The options that narrow what is watched, as typed (`--args`, `'cam[0-9]'`): the header shows them. */
  scope?: readonly string[];
  /** The bottom line: the keys that work (`q quit`), and what to run to act on what is shown. */
  legend?: readonly string[];
}

export { eventLine };

/** The header's scope line: `scope: --args 'cam[0-9]' --user media`, or that nothing narrows it. */
function scopeLine(v: DashboardView, p: Palette, none: string): string {
  const words = v.scope ?? [];
  return p.dim(`scope: ${words.length ? words.map(escapeText).join(' ') : none}`);
}

/** The legend at the bottom, separated like the header. */
function legendLine(v: DashboardView, p: Palette): string | null {
  return v.legend?.length ? p.dim(v.legend.map(escapeText).join(p.unicode ? '  ·  ' : '  -  ')) : null;
}

/** The lines cut to the screen, the legend kept on the last line. */
function fitScreen(lines: string[], v: DashboardView, w: number, p: Palette): string[] {
  const legend = legendLine(v, p);
  const room = Math.max(1, v.height - (legend ? 1 : 0));
  const out = lines.slice(0, room);
  if (legend && v.height > 1) out.push(...Array<string>(Math.max(0, room - out.length)).fill(''), legend);
  return out.map((l) => fitLine(l, w));
}

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

function command(p: WatchedProcess): string {
  return commandLine(p.argv, 'zombie');
}

const PROC_COLUMNS: Column[] = [
  { header: 'PID', align: 'right' },
  { header: 'SIGNATURE' },
  { header: 'AGE', align: 'right' },
  { header: 'CPU%', align: 'right' },
  { header: 'RSS', align: 'right' },
  { header: 'FDS', align: 'right' },
  { header: 'THR', align: 'right' },
  { header: 'FLAGS' },
  COMMAND_COLUMN,
];

function procRows(ps: readonly WatchedProcess[], at: number): string[][] {
  return ps.map((p) => [
    String(p.pid),
    p.signature,
    formatDuration(p.startedAt === null ? null : at - p.startedAt),
    p.cpuPercent === null ? '-' : p.cpuPercent.toFixed(1),
    formatBytes(p.rssBytes),
    p.fds === null ? '?' : String(p.fds),
    p.threads === null ? '?' : String(p.threads),
    [...(p.role === 'wrapper' ? ['wrapper'] : []), ...p.flags].join(',') || '-',
    command(p),
  ]);
}

function procTable(ps: readonly WatchedProcess[], at: number, width: number, p: Palette): string[] {
  const t = withOwnerColumn(PROC_COLUMNS, procRows(ps, at), ps.map((x) => x.owner));
  return renderTable(t.columns, t.rows, width, (_r, c, text) => (c === 7 && text !== '-' ? text.split(',').map((fl) => colorFlag(p, fl)).join(p.dim(',')) : text), { unicode: p.unicode }).split('\n');
}

/**
 * The full-screen `watch` dashboard as lines (at most `height`, each cut to `width`): header,
 * per-signature counts with sparklines, active alarms, oldest and heaviest processes, last events.
 */
export function renderDashboard(v: DashboardView, p: Palette): string[] {
  const t = v.tick;
  const w = Math.max(20, v.width);
  const lines: string[] = [];
  const head = [`procsweep watch`, `every ${formatSpan(v.intervalMs)}`, `tick ${t.tick}`, `scan ${t.scanMs.toFixed(1)}ms`, `${t.scanned} processes`, clock(t.at), ...v.notes.map(escapeText)];
  for (const l of wrapWords(head, p.unicode ? '  ·  ' : '  -  ', w)) lines.push(p.bold(l));
  lines.push(scopeLine(v, p, 'every matched process (no --args, --user, --match or other filter)'));
  if (t.error) lines.push(p.red(`scan failed: ${escapeText(t.error)} (retrying every interval)`));
  for (const w of v.warnings ?? []) lines.push(p.yellow(`${clock(w.at)} warning: ${escapeText(w.text)}`));

  // Signatures with sparklines of their totals.
  const hist = t.history();
  const names = Object.keys(t.signatures).sort();
  // A column per flag the flag table gives one (ORPHAN, ZOMBIE, DUP), coloured by its tone.
  const sigCols: Column[] = [
    { header: 'SIGNATURE' }, { header: 'TOTAL', align: 'right' }, ...COLUMN_FLAGS.map((f): Column => ({ header: f.header, align: 'right' })), { header: 'HISTORY (total)' },
  ];
  const fixed = Math.max(9, ...names.map((n) => n.length)) + 5 + COLUMN_FLAGS.reduce((n, f) => n + f.header.length, 0) + (COLUMN_FLAGS.length + 2) * 2;
  const sparkW = Math.max(8, Math.min(60, w - fixed - 1));
  const sigRows = names.map((n) => {
    const c = t.signatures[n];
    return [n, String(c.total), ...COLUMN_FLAGS.map((f) => String(c[f.flag])), sparkline(hist.get(n)?.total ?? [], sparkW, p.unicode)];
  });
  lines.push('');
  lines.push(...renderTable(sigCols, sigRows, w, (_r, c, text) => {
    const col = COLUMN_FLAGS[c - 2];
    if (col && text !== '0') return toned(p, col.tone, text);
    if (c === COLUMN_FLAGS.length + 2) return p.cyan(text);
    return text;
  }, { unicode: p.unicode }).split('\n'));
  if (t.files) {
    const pct = t.files.max > 0 ? (t.files.open / t.files.max) * 100 : 0;
    const text = `system file handles: ${t.files.open} of ${t.files.max} (${pct < 1 ? pct.toFixed(2) : pct.toFixed(0)}%)`;
    lines.push(pct >= 80 ? p.red(text) : p.dim(text));
  }

  lines.push('');
  if (t.alarms.length === 0) lines.push(p.green('no alarms'));
  else {
    lines.push(p.bold(`ALARMS (${t.alarms.length})`));
    for (const a of t.alarms) {
      const mark = a.severity === 'critical' ? p.red('!!') : p.yellow('! ');
      const text = `${escapeText(a.reason)} (since ${clock(a.since)})`;
      wrapText(text, w - 3, w - 3).forEach((l, i) => lines.push(`${i === 0 ? mark : '  '} ${a.severity === 'critical' ? p.red(l) : p.yellow(l)}`));
    }
  }

  const procs = t.processes();
  const live = procs.filter((x) => x.state !== 'Z');
  const top = Math.max(1, Math.min(5, Math.floor((v.height - lines.length - 12) / 3)));
  if (procs.length) {
    const oldest = [...procs].sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity)).slice(0, top);
    const heaviest = [...live].sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0) || (b.rssBytes ?? 0) - (a.rssBytes ?? 0)).slice(0, top);
    lines.push('', p.bold('OLDEST'), ...procTable(oldest, t.at, w, p));
    if (heaviest.length) lines.push('', p.bold('HEAVIEST (CPU since last tick, then RSS)'), ...procTable(heaviest, t.at, w, p));
  } else {
    lines.push('', p.dim('no matched processes'));
  }

  const room = v.height - lines.length - 2 - (v.legend?.length ? 1 : 0);
  if (room > 0) {
    lines.push('', p.bold('LAST EVENTS'));
    // A kill and its slow reaper's zombie and reaped events are one line (events.ts).
    const rows = foldEvents(v.events).slice(-room);
    if (rows.length === 0) lines.push(p.dim('none yet'));
    for (const r of rows.reverse()) lines.push(eventRowLine(r, p));
  }
  return fitScreen(lines, v, w, p);
}

const STATUS_ORDER = ['dead', 'reused', 'invalid', 'unsafe', 'zombie', 'live'];

/** The `pidfiles watch` dashboard: records by status, the records themselves (stale first), last removals. */
export function renderPidfilesDashboard(v: DashboardView, p: Palette): string[] {
  const t = v.tick;
  const w = Math.max(20, v.width);
  const lines: string[] = [];
  const head = ['procsweep pidfiles watch', `every ${formatSpan(v.intervalMs)}`, `tick ${t.tick}`, `scan ${t.scanMs.toFixed(1)}ms`, clock(t.at), ...v.notes.map(escapeText)];
  for (const l of wrapWords(head, p.unicode ? '  ·  ' : '  -  ', w)) lines.push(p.bold(l));
  lines.push(scopeLine(v, p, 'the pid dirs and registries of the config'));
  if (t.error) lines.push(p.red(`scan failed: ${escapeText(t.error)} (retrying every interval)`));
  for (const x of v.warnings ?? []) lines.push(p.yellow(`${clock(x.at)} warning: ${escapeText(x.text)}`));
  const counts = t.pidfiles ?? {};
  lines.push('', STATUS_ORDER.map((st) => `${st} ${counts[st] ?? 0}`).join('   '));
  const records = [...(t.records ?? [])].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.path.localeCompare(b.path));
  const room = Math.max(3, v.height - lines.length - 8);
  const cols: Column[] = [{ header: 'STATUS' }, { header: 'PID', align: 'right' }, { header: 'RECORD' }, { header: 'REASON', flex: true }];
  // Records by their names in their directories (the scope line names the directories), unless two share a name.
  const names = records.map(recordName);
  const label = new Set(names).size === names.length ? recordName : entrySource;
  const rows = records.slice(0, room).map((e) => [e.status, e.pid === null ? '-' : String(e.pid), label(e), e.reason]);
  lines.push('');
  if (rows.length === 0) lines.push(p.dim('no records'));
  else {
    lines.push(...renderTable(cols, rows, w, (_r, c, text) => {
      if (c !== 0) return text;
      return text === 'live' ? p.green(text) : text === 'zombie' || text === 'unsafe' ? p.red(text) : p.yellow(text);
    }, { unicode: p.unicode }).split('\n'));
    if (records.length > rows.length) lines.push(p.dim(`... ${records.length - rows.length} more`));
  }
  const left = v.height - lines.length - 2 - (v.legend?.length ? 1 : 0);
  if (left > 0) {
    lines.push('', p.bold('LAST REMOVALS'));
    const evs = v.events.filter((e) => e.event === 'pidfile-removed').slice(-left);
    if (evs.length === 0) lines.push(p.dim('none yet'));
    for (const e of evs.reverse()) lines.push(eventLine(e, p));
  }
  return fitScreen(lines, v, w, p);
}
