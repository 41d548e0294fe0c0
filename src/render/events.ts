/** The dashboards' event lines, and the folding of one process's end into one line. */
import { formatSpan } from '../core/duration.js';
import type { ProcessEvent, SweptEvent, WatchEvent } from '../core/watch/events.js';
import { escapeText } from './escape.js';
import type { Palette } from './tone.js';

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

type Stamped<T> = T & { tick: number; at: number };

/**
 * A process's end as one line: the sweep that signalled it (when watch --sweep did), the time it
 * spent a zombie under a slow reaper, and its reaping. `reaped` is null while it is still a zombie.
 */
export interface FoldedEnd {
  fold: true;
  swept: Stamped<SweptEvent> | null;
  zombie: Stamped<ProcessEvent> | null;
  reaped: Stamped<ProcessEvent> | null;
}

/** One line of LAST EVENTS: an event as it came, or a process's end folded. */
export type EventRow = WatchEvent | FoldedEnd;

const identity = (pid: number, startTicks: number | null): string => `${pid}@${startTicks ?? '?'}`;

/**
 * Folds each process's end into one row, oldest first: a `swept` (or a `zombie`) followed by the
 * same process's `zombie` and `reaped` (by identity: pid and start time) becomes one row, placed
 * where its last event is. A kill whose slow reaper leaves a zombie for a while then reads as one
 * line, not three. Events of other processes and alarms stay as they came.
 */
export function foldEvents(events: readonly WatchEvent[]): EventRow[] {
  const rows: Array<EventRow | null> = [];
  const open = new Map<string, number>();
  const place = (key: string, row: FoldedEnd, done: boolean): void => {
    const at = open.get(key);
    if (at !== undefined) rows[at] = null;
    rows.push(row);
    if (done) open.delete(key);
    else open.set(key, rows.length - 1);
  };
  for (const e of events) {
    if (e.event === 'swept' && e.outcome !== 'skipped' && e.outcome !== 'failed' && e.outcome !== 'survived') {
      place(identity(e.pid, e.startTicks), { fold: true, swept: e, zombie: null, reaped: null }, false);
      continue;
    }
    if (e.event === 'zombie' || e.event === 'reaped') {
      const key = identity(e.pid, e.startTicks);
      const at = open.get(key);
      const prev = at === undefined ? null : (rows[at] as FoldedEnd);
      if (e.event === 'zombie') place(key, { fold: true, swept: prev?.swept ?? null, zombie: e, reaped: null }, false);
      else if (prev) place(key, { ...prev, reaped: e }, true);
      else rows.push(e);
      continue;
    }
    rows.push(e);
  }
  return rows.filter((r): r is EventRow => r !== null).map((r) => ('fold' in r && !r.swept && !r.reaped ? r.zombie! : r));
}

/** One line for an event. */
export function eventLine(e: WatchEvent, p: Palette): string {
  const when = p.dim(clock(e.at));
  const x = escapeText;
  switch (e.event) {
    case 'alarm':
      return `${when} ${e.state === 'raised' ? p.red('alarm') : p.green('clear')}    ${x(e.alarm.reason)}`;
    case 'swept':
      return `${when} ${p.yellow('swept')}    ${e.pid} ${e.outcome}: ${x(e.reason)}`;
    case 'pidfile-removed':
      return `${when} ${p.yellow('pidfile')}  ${x(e.path)} (${e.status}): ${x(e.reason)}`;
    default: {
      const name = e.event === 'orphaned' || e.event === 'zombie' ? p.red(e.event.padEnd(8)) : e.event === 'started' ? p.green(e.event.padEnd(8)) : p.dim(e.event.padEnd(8));
      return `${when} ${name} ${e.pid} ${x(e.signature)}${e.role === 'wrapper' ? ' (wrapper)' : ''}: ${x(e.reason)}`;
    }
  }
}

/** One line for a row: an event, or a folded end (`swept 812 killed; a zombie for 2s under parent 700, reaped: ...`). */
export function eventRowLine(r: EventRow, p: Palette): string {
  if (!('fold' in r)) return eventLine(r, p);
  const last = r.reaped ?? r.zombie ?? r.swept!;
  const when = p.dim(clock(last.at));
  const z = r.zombie;
  const zombieFor = z ? `a zombie${r.reaped ? ` for ${formatSpan(r.reaped.at - z.at)}` : ''} under parent ${z.ppid}${r.reaped ? ', then reaped' : ', not reaped yet'}` : r.reaped ? 'reaped' : '';
  if (r.swept) {
    const s = r.swept;
    return `${when} ${p.yellow('swept')}    ${s.pid} ${s.outcome}${zombieFor ? `; ${zombieFor}` : ''}: ${escapeText(s.reason)}`;
  }
  return `${when} ${p.dim('reaped'.padEnd(8))} ${last.pid} ${escapeText(z!.signature)}${z!.role === 'wrapper' ? ' (wrapper)' : ''}: exited, ${zombieFor}`;
}
