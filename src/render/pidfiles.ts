import type { CleanItem } from '../core/pidfiles/clean.js';
import type { PidfileSummary } from '../core/pidfiles/report.js';
import { PIDFILE_STATUSES, type PidfileEntry } from '../core/pidfiles/types.js';
import { escapeText } from './escape.js';
import { bareNext, nextLine, type NextCommand } from './next.js';
import type { Palette } from './palette.js';
import { renderTable, type Column } from './table.js';

/** Local time `YYYY-MM-DD HH:MM:SS` (the operator's clock), or `-`. */
export function formatLocalTime(ms: number | null): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** What an entry records: `route/type`, `task ID`, or `-`. */
export function recordLabel(e: PidfileEntry): string {
  if (e.taskId !== null) return `task ${e.taskId}`;
  if (e.routeId !== null || e.processType !== null) return `${e.routeId ?? '?'}/${e.processType ?? '?'}`;
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

/**
 * The pidfiles table: path, what it records, PID, recorded time, status, action, reason. The
 * reason is cut to `width` (null keeps it whole). With `executed`, what was done is appended.
 */
export function renderPidfileTable(items: readonly CleanItem[], width: number | null, p: Palette, executed = false): string {
  const columns: Column[] = [
    { header: 'PATH' },
    { header: 'RECORD' },
    { header: 'PID', align: 'right' },
    { header: 'RECORDED' },
    { header: 'STATUS' },
    { header: 'ACTION' },
    { header: 'REASON', flex: true },
  ];
  const rows = items.map(({ entry: e, action, note }) => [
    e.path,
    recordLabel(e),
    e.pid === null ? '-' : String(e.pid),
    `${formatLocalTime(e.recordedAt)}${e.recordedFrom === 'mtime' ? ' (mtime)' : ''}`,
    e.status,
    action,
    executed && action !== 'kept' && action !== 'never' ? `${e.reason} => ${note}` : e.reason,
  ]);
  return renderTable(columns, rows, width, (_r, c, text) => (c === 4 ? colorStatus(p, text) : c === 5 && text === 'failed' ? p.red(text) : text), { unicode: p.unicode });
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
