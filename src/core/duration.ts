import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `3s`, `10m`, `2h`, `1d` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) {
    throw new UsageError(`${what} '${text}' is not a duration: use e.g. 500ms, 3s, 10m, 2h, or a number of seconds`);
  }
  const ms = Number(m[1]) * UNITS[m[2] ?? 's'];
  if (!Number.isFinite(ms)) throw new UsageError(`${what} '${text}' is too large`);
  return Math.round(ms);
}

/** Renders milliseconds compactly for humans: `45s`, `12m`, `3h05m`, `2d04h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d${String(h % 24).padStart(2, '0')}h`;
}

/**
 * A span for reasons, notes and headers: whole milliseconds below a second (short test
 * intervals, a small grace), else formatDuration: `250ms`, `3s`, `10m00s`.
 */
export function formatSpan(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : formatDuration(ms);
}

/** Time something took, for reasons and summaries: `120ms` below a second, else seconds to a tenth (`3.0s`). */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
