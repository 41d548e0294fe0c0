/** The JSON lines of `watch --json` and `pidfiles watch --json` (schema in the man page). */
import type { WatchEvent } from './events.js';
import type { WatchTick } from './loop.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The JSON line for a tick (`watch --json`, schema in the man page). */
export function tickLine(t: WatchTick): Record<string, unknown> {
  if (t.error !== null) return { type: 'tick', tick: t.tick, at: iso(t.at), scanMs: round1(t.scanMs), error: t.error, ...(t.warnings.length ? { warnings: t.warnings } : {}) };
  const rec: Record<string, unknown> = {
    type: 'tick',
    tick: t.tick,
    at: iso(t.at),
    scanMs: round1(t.scanMs),
    scanned: t.scanned,
    ...t.counts,
    signatures: t.signatures,
    files: t.files,
    alarms: t.alarms.map((a) => a.id),
  };
  if (t.pidfiles) rec.pidfiles = t.pidfiles;
  if (t.warnings.length) rec.warnings = t.warnings;
  return rec;
}

/** The JSON line for a `pidfiles watch` tick: the records by status. */
export function pidfilesTickLine(t: WatchTick): Record<string, unknown> {
  if (t.error !== null) return tickLine(t);
  return { type: 'tick', tick: t.tick, at: iso(t.at), scanMs: round1(t.scanMs), scanned: t.scanned, pidfiles: t.pidfiles, ...(t.warnings.length ? { warnings: t.warnings } : {}) };
}

/** The JSON line for an event (`watch --json`, schema in the man page). */
export function eventLine(e: WatchEvent): Record<string, unknown> {
  const { tick, at, ...rest } = e;
  if (rest.event === 'alarm') {
    return { type: 'event', event: 'alarm', tick, at: iso(at), state: rest.state, alarm: { ...rest.alarm, since: iso(rest.alarm.since) } };
  }
  return { type: 'event', ...rest, tick, at: iso(at) };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** @deprecated The old name of tickLine. */
export const tickRecord = tickLine;
/** @deprecated The old name of pidfilesTickLine. */
export const pidfilesTickRecord = pidfilesTickLine;
/** @deprecated The old name of eventLine. */
export const eventRecord = eventLine;
