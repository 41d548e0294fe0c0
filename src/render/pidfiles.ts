import type { CleanItem } from '../core/pidfiles/clean.js';
import type { PidfileSummary } from '../core/pidfiles/report.js';
import { basename, dirname } from 'node:path';
import { PIDFILE_STATUSES, recordName, type PidfileEntry } from '../core/pidfiles/types.js';
import { escapeText } from './escape.js';
import { bareNext, nextLine, type NextCommand } from './next.js';
import type { Palette } from './tone.js';
import { ellipsis, renderTable, truncate, type Column } from './table.js';

/** Local time `YYYY-MM-DD HH:MM:SS` (the operator's clock), or `-`. */
export function formatLocalTime(ms: number | null): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * A recorded time in a table, on the operator's clock: `HH:MM:SS` when it is on the same day as
 * `now`, else `YYYY-MM-DD HH:MM`; `-` when there is none.
 */
export function formatRecordedTime(ms: number | null, now: number): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  const n = new Date(now);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return `${time}:${two(d.getSeconds())}`;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}

/** What an entry records: `route/type`, `task ID`, `pm2 NAME id N`, or `-`. */
export function recordLabel(e: PidfileEntry): string {
  if (e.taskId !== null) return `task ${e.taskId}`;
  if (e.routeId !== null || e.processType !== null) return `${e.routeId ?? '?'}/${e.processType ?? '?'}`;
  if (e.pm2) return `pm2 ${e.pm2.name} id ${e.pm2.id}`;
  if (e.format === 'registry' && e.registryIndex !== undefined) return `entry [${e.registryIndex}]`;
  return '-';
}

function colorStatus(p: Palette, s: string): string {
  switch (s) {
    case 'live':
      return p.green(s);
    case 'dead':
    case 'reused':
      return p.yellow(s);
    case 'zombie':
    case 'invalid':
      return p.red(s);
    case 'unsafe':
      return p.bold(p.red(s));
    default:
      return s;
  }
}

/** How the pidfiles table is drawn. */
export interface PidfileTableOptions {
  /** After `clean`: each reason is followed by what was done. */
  executed?: boolean;
  /** `--wide` on a terminal: reasons are never cut, but wrapped inside their column. */
  wrap?: boolean;
  /** Epoch ms the records were read at: a time of that day shows without its date. */
  now?: number;
}

/** Room the reason keeps before RECORD (which repeats what the file's name says) gives way. */
const REASON_ROOM = 60;
/** The narrowest reason column: below it the file names are cut instead. */
const REASON_MIN = 20;
const GAP = 2;

/** Text split into lines of at most `width` characters at spaces (a longer word is split). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Where a row sits: a registry entry under its registry file, anything else under its directory. */
function groupOf(e: PidfileEntry): { key: string; heading: string; name: string } {
  if (e.format === 'registry' && e.registryIndex !== undefined) return { key: e.path, heading: e.path, name: recordName(e).slice(basename(e.path).length) };
  const dir = dirname(e.path);
  return { key: dir, heading: dir.endsWith('/') ? dir : `${dir}/`, name: recordName(e) };
}

/** A heading, escaped, its start cut (`…/tail`) when wider than `width`. */
function heading(text: string, width: number | null, unicode: boolean): string {
  const t = escapeText(text);
  const mark = ellipsis(unicode);
  return width !== null && t.length > width - 1 ? `${mark}${t.slice(t.length - (width - 1 - mark.length))}` : t;
}

/**
 * The pidfiles table: records grouped under their directory (`/tmp/srt-gateway-pids/`), each
 * named relative to it (`route_1_ffmpeg.pid`), registry entries under their registry file
 * (`/tmp/registry.json`, then `#task` for `registry.json#task`), then what it records (left
 * out when no row records anything beyond its name, or when the reason would get less than 60
 * columns), PID, recorded time, status, action, reason. On a terminal (`width`) every row is one
 * line: the reason is cut, or with `wrap` continued on lines of its own under its column; the
 * file names are cut only when the reason would get less than 20. Without a width every cell is
 * whole.
 */
export function renderPidfileTable(items: readonly CleanItem[], width: number | null, p: Palette, opts: PidfileTableOptions = {}): string {
  const now = opts.now ?? Date.now();
  const keys: string[] = [];
  const byKey = new Map<string, CleanItem[]>();
  for (const i of items) {
    const { key } = groupOf(i.entry);
    if (!byKey.has(key)) {
      keys.push(key);
      byKey.set(key, []);
    }
    byKey.get(key)!.push(i);
  }
  const ordered = keys.flatMap((k) => byKey.get(k)!);
  const groups = ordered.map((i) => groupOf(i.entry));
  let columns: Column[] = [
    { header: 'PATH' },
    { header: 'RECORD' },
    { header: 'PID', align: 'right' },
    { header: 'RECORDED' },
    { header: 'STATUS' },
    { header: 'ACTION' },
    { header: 'REASON', flex: true },
  ];
  let rows = ordered.map(({ entry: e, action, note }, r) => [
    groups[r].name,
    recordLabel(e),
    e.pid === null ? '-' : String(e.pid),
    `${formatRecordedTime(e.recordedAt, now)}${e.recordedFrom === 'mtime' ? ' (mtime)' : ''}`,
    e.status,
    action,
    opts.executed && action !== 'kept' && action !== 'never' ? `${e.reason} => ${note}` : e.reason,
  ].map(escapeText));
  const last = columns.length - 1;
  const fixed = (): number => columns.slice(0, last).reduce((a, c, i) => a + Math.max(c.header.length, ...rows.map((r) => r[i].length)) + GAP, 0);
  const longest = Math.max(columns[last].header.length, ...rows.map((r) => r[last].length));
  const drop = rows.every((r) => r[1] === '-') || (width !== null && width - 1 - fixed() < Math.min(longest, REASON_ROOM));
  if (drop) {
    columns = columns.filter((_c, i) => i !== 1);
    rows = rows.map((r) => r.filter((_c, i) => i !== 1));
  }
  const reasonAt = columns.length - 1;
  let room = width === null ? Infinity : width - 1 - columns.slice(0, reasonAt).reduce((a, c, i) => a + Math.max(c.header.length, ...rows.map((r) => r[i].length)) + GAP, 0);
  if (room < REASON_MIN) {
    // A terminal too narrow for whole names: the names give way so the reason keeps 20 columns.
    const nameWidth = Math.max(columns[0].header.length, ...rows.map((r) => r[0].length)) - (REASON_MIN - room);
    rows = rows.map((r) => [truncate(r[0], Math.max(columns[0].header.length, nameWidth), p.unicode), ...r.slice(1)]);
    room = REASON_MIN;
  }
  const more = rows.map((r) => {
    if (!opts.wrap || room === Infinity || r[reasonAt].length <= room) return [];
    const [first, ...rest] = wrapText(r[reasonAt], room);
    r[reasonAt] = first;
    return rest;
  });
  const statusAt = columns.findIndex((c) => c.header === 'STATUS');
  const table = renderTable(columns, rows, width, (_r, c, text) => (c === statusAt ? colorStatus(p, text) : c === statusAt + 1 && text === 'failed' ? p.red(text) : text), { unicode: p.unicode }).split('\n');
  const indent = ' '.repeat(table[0].indexOf('REASON'));
  const out = [table[0]];
  groups.forEach((g, r) => {
    if (r === 0 || groups[r - 1].key !== g.key) out.push(p.dim(heading(g.heading, width, p.unicode)));
    out.push(table[r + 1], ...more[r].map((l) => indent + l));
  });
  return out.join('\n');
}

/**
 * `list`'s line about stale records: their directories once, then the first (at most three) by
 * name, registry entries as `registry.json#task`: `2 stale pidfile records (dead or reused) in
 * /tmp/pids: cam2.pid, cam3.pid`. Names that do not fit `width` become `...`. Escaped.
 */
export function staleRecordsLine(stale: readonly PidfileEntry[], width: number | null, unicode = true): string {
  const dirs = [...new Set(stale.map((e) => dirname(e.path)))].map(escapeText).join(', ');
  const head = `${stale.length} stale pidfile record${stale.length === 1 ? '' : 's'} (dead or reused) in ${dirs}: `;
  const text = (n: number): string => head + stale.slice(0, n).map((e) => escapeText(recordName(e))).join(', ') + (stale.length > n ? `${n ? ', ' : ''}...` : '');
  let n = Math.min(3, stale.length);
  while (n > 1 && width !== null && text(n).length > width - 1) n--;
  return width === null ? text(n) : truncate(text(n), width - 1, unicode);
}

/** Counts by status, in the usual order, skipping zeros: `2 live, 1 dead`. */
export function statusCounts(s: PidfileSummary): string {
  return PIDFILE_STATUSES.filter((k) => s[k] > 0).map((k) => `${s[k]} ${k}`).join(', ');
}

/** The lines under a `pidfiles list` table: counts and what to run next. */
export function renderPidfileListFooter(s: PidfileSummary, p: Palette, next: NextCommand = bareNext, missing: readonly string[] = []): string[] {
  const gone = missing.map(escapeText).join(', ');
  const absent = missing.length ? p.red(`missing: ${gone} ${missing.length === 1 ? 'does' : 'do'} not exist, so nothing was read from ${missing.length === 1 ? 'it' : 'them'} (a typo? list --check exits 3 on this)`) : '';
  if (s.total === 0) return ['No pidfiles or registry entries found.', ...(absent ? [absent] : [])];
  const lines = [`${s.total} record${s.total === 1 ? '' : 's'}: ${statusCounts(s)}.`, ...(absent ? [absent] : [])];
  const stale = s.dead + s.reused;
  if (stale > 0) lines.push(...nextLine(p, next, ['pidfiles', 'clean', '-n'], `preview removing ${stale} stale record${stale === 1 ? '' : 's'}`));
  if (s.unsafe > 0) lines.push(p.dim('unsafe records are never acted on: inspect them (ls -l), and remove them by hand if they are yours'));
  return lines;
}

/** The lines under a `pidfiles clean` table: what was (or would be) done. */
export function renderPidfileCleanFooter(items: readonly CleanItem[], s: PidfileSummary, dryRun: boolean, p: Palette): string[] {
  if (s.total === 0) return ['No pidfiles or registry entries found: nothing to do.'];
  const count = (a: string): number => items.filter((i) => i.action === a).length;
  if (dryRun) {
    const remove = count('remove');
    const kill = count('kill');
    if (remove + kill === 0) return [`${s.total} records (${statusCounts(s)}): nothing to remove. Dry run: nothing changed.`];
    const what = [remove ? `remove ${remove} record${remove === 1 ? '' : 's'}` : '', kill ? `terminate ${kill} live process tree${kill === 1 ? '' : 's'} and remove their records` : ''].filter(Boolean).join(' and ');
    return [`Dry run: would ${what}. Nothing changed.`, p.dim('run again without -n to do it')];
  }
  const parts = [`${s.removed} removed`, `${count('kept')} kept`, ...(s.unsafe ? [`${s.unsafe} unsafe, never touched`] : []), ...(s.failed ? [`${s.failed} failed`] : [])];
  const ended = s.terminated + s.killed;
  const how = [...(s.terminated ? [`${s.terminated} terminated`] : []), ...(s.killed ? [`${s.killed} killed (needed SIGKILL)`] : [])];
  const lines = [`${s.total} record${s.total === 1 ? '' : 's'}: ${parts.join(', ')}${ended ? `; ${ended} live process${ended === 1 ? '' : 'es'} ended first: ${how.join(', ')}` : ''}.`];
  if (s.failed) lines.push(p.red('some records were left: see the reasons marked failed'));
  return lines;
}
