/** Pure parsers for pidfile content, pidfile names and JSON registries. They never touch the filesystem. */
import { FUTURE_TOLERANCE_MS } from './types.js';

/** Limits a parse is checked against. */
export interface ParseLimits {
  /** /proc/sys/kernel/pid_max: PIDs are below it. */
  pidMax: number;
  /** Epoch ms "now", for times in the future. */
  now: number;
}

/** A parse that worked, or the specific reason it did not. */
export type Parsed<T> = ({ ok: true } & T) | { ok: false; reason: string };

/** What a pidfile holds. A failure after a good PID line keeps the PID, and says whether a time line was there. */
export type PidfileContent =
  | { ok: true; format: 'plain' | 'timestamped'; pid: number; recordedAt: number | null }
  | { ok: false; reason: string; pid?: number; timestamped?: boolean };

// Decoders are reusable and costly to make: one each for the whole run.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
// ignoreBOM keeps a byte-order mark in the text, so it is reported rather than silently eaten.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Earliest plausible epoch-ms time (1973): smaller values are seconds, or not times at all. */
const MIN_EPOCH_MS = 1e11;

function show(s: string, max = 24): string {
  const t = s.length > max ? `${s.slice(0, max - 3)}...` : s;
  return `'${t}'`;
}

/**
 * Why bytes are not text: a NUL, a control byte other than tab/CR/LF, or invalid UTF-8.
 * Null when they are text.
 */
export function binaryReason(bytes: Uint8Array): string | null {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) return `binary content: NUL byte at offset ${i}`;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
      return `binary content: control byte 0x${b.toString(16).padStart(2, '0')} at offset ${i}`;
    }
  }
  try {
    STRICT_UTF8.decode(bytes);
  } catch {
    return 'binary content: not valid UTF-8 text';
  }
  return null;
}

/**
 * Validates a PID written as text: plain decimal digits, no sign, no leading zero, above 1,
 * below pid_max. Returns the PID or the specific reason.
 */
export function parsePidText(token: string, limits: ParseLimits, what = 'the PID'): Parsed<{ pid: number }> {
  if (!/^\d+$/.test(token)) {
    if (/^[-+]\d+$/.test(token)) {
      const n = Number(token);
      return token.startsWith('-') || n <= 1
        ? { ok: false, reason: `PID ${token} is at most 1: 0 and negatives name no process, 1 is init, never a worker` }
        : { ok: false, reason: `${show(token)} has a sign; ${what} must be plain decimal digits` };
    }
    if (/^0x[0-9a-f]+$/i.test(token)) return { ok: false, reason: `${show(token)} is hexadecimal; ${what} must be decimal` };
    if (/^\d+\.\d+$/.test(token)) return { ok: false, reason: `${show(token)} is not a whole number` };
    if (/^\d+(\.\d+)?e[-+]?\d+$/i.test(token)) return { ok: false, reason: `${show(token)} uses exponent notation; ${what} must be plain digits` };
    const lead = /^(\d+)(.+)$/s.exec(token);
    if (lead) return { ok: false, reason: `trailing junk after PID ${lead[1]}: ${show(lead[2].trim() || lead[2])}` };
    if (token.startsWith('\uFEFF')) return { ok: false, reason: 'starts with a byte-order mark (U+FEFF); a pidfile is plain ASCII digits' };
    return { ok: false, reason: `${show(token)} is not a PID (expected decimal digits)` };
  }
  if (token.length > 1 && token.startsWith('0')) {
    if (/^0+$/.test(token)) return { ok: false, reason: `PID ${token} is at most 1: 0 and negatives name no process, 1 is init, never a worker` };
    return { ok: false, reason: `${show(token)} has a leading zero; PIDs are written without one` };
  }
  const pid = token.length > 16 ? Number.POSITIVE_INFINITY : Number(token);
  if (pid <= 1) return { ok: false, reason: `PID ${pid} is at most 1: 0 and negatives name no process, 1 is init, never a worker` };
  if (pid >= limits.pidMax) {
    return { ok: false, reason: `PID ${token.length > 16 ? show(token) : token} is above the largest possible PID ${limits.pidMax - 1} (pid_max ${limits.pidMax})` };
  }
  return { ok: true, pid };
}

/** Checks an epoch-ms time for plausibility: not seconds, not before 1973, not in the future. */
export function checkTime(ms: number, limits: ParseLimits, what: string): string | null {
  if (!Number.isFinite(ms)) return `${what} is out of range`;
  if (ms < MIN_EPOCH_MS) {
    if (ms >= 1e9 && ms < 1e11) return `${what} ${ms} looks like seconds, not milliseconds since the epoch`;
    return `${what} ${new Date(ms).toISOString().replace(/\.000Z$/, 'Z')} is implausibly early (unset or corrupt)`;
  }
  if (ms > limits.now + FUTURE_TOLERANCE_MS) {
    return `${what} ${new Date(ms).toISOString()} is in the future (now ${new Date(limits.now).toISOString()})`;
  }
  return null;
}

/**
 * Parses the bytes of a pidfile: `PID` (plain) or `PID` then `EPOCH_MS` (timestamped), one per
 * line. Blanks around a value and a final newline (LF or CRLF) are tolerated; anything else is a
 * specific reason. The caller enforces the size limit before calling.
 */
export function parsePidfileContent(bytes: Uint8Array, limits: ParseLimits): PidfileContent {
  if (bytes.length === 0) return { ok: false, reason: 'empty file: no PID' };
  const bin = binaryReason(bytes);
  if (bin) return { ok: false, reason: bin };
  const text = UTF8.decode(bytes);
  if (text.trim() === '') return { ok: false, reason: 'only whitespace: no PID' };
  const lines = text.split('\n').map((l) => l.replace(/^[ \t]+|[ \t\r]+$/g, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] === '') return { ok: false, reason: 'line 1 is blank: the PID must be on the first line' };
  if (lines.length > 2) {
    const at = lines[2] === '' ? 'a blank line' : show(lines[2]);
    return { ok: false, reason: `trailing junk after line 2: ${at} (a pidfile holds a PID and at most a time)` };
  }
  const pid = parsePidText(lines[0], limits);
  if (!pid.ok) return pid;
  if (lines.length === 1) return { ok: true, format: 'plain', pid: pid.pid, recordedAt: null };
  const t = lines[1];
  const fail = (reason: string): PidfileContent => ({ ok: false, reason, pid: pid.pid, timestamped: true });
  if (!/^\d+$/.test(t)) {
    const lead = /^(\d+)(.+)$/s.exec(t);
    if (lead) return fail(`trailing junk after the time on line 2: ${show(lead[2].trim())}`);
    return fail(`line 2 ${show(t)} is not an epoch-ms time`);
  }
  const ms = t.length > 16 ? Number.POSITIVE_INFINITY : Number(t);
  const bad = checkTime(ms, limits, 'line 2 time');
  if (bad) return fail(bad);
  return { ok: true, format: 'timestamped', pid: pid.pid, recordedAt: ms };
}

/**
 * Splits `{routeId}_{processType}.pid` at the last underscore (route ids such as
 * `route_1761154355576` hold underscores; types such as `srtOut:6000` do not). Nulls when the
 * name has no such shape.
 */
export function parsePidfileName(name: string): { routeId: string | null; processType: string | null } {
  const stem = name.endsWith('.pid') ? name.slice(0, -4) : name;
  const i = stem.lastIndexOf('_');
  if (i <= 0 || i === stem.length - 1) return { routeId: null, processType: null };
  return { routeId: stem.slice(0, i), processType: stem.slice(i + 1) };
}

/**
 * PM2's pidfile name `NAME-ID.pid` (`$PM2_HOME/pids/cam-ingest-3.pid`): the app's name and its
 * pm_id, split at the last hyphen (names hold hyphens, ids are digits). Null for other shapes.
 */
export function parsePm2PidfileName(name: string): { name: string; id: number } | null {
  const m = /^(.+)-(\d{1,9})\.pid$/s.exec(name);
  return m ? { name: m[1], id: Number(m[2]) } : null;
}

/** A registry file as parsed: its elements, or why it does not parse. */
export type RegistryContent = Parsed<{ elements: unknown[] }>;

/**
 * Parses a registry file: a JSON array. `null` and an empty file are an empty registry (a Go
 * supervisor marshals an empty slice as `null`, and clearing may truncate the file).
 */
export function parseRegistryContent(bytes: Uint8Array): RegistryContent {
  const bin = binaryReason(bytes);
  if (bin) return { ok: false, reason: `registry does not parse: ${bin}` };
  const text = UTF8.decode(bytes);
  if (text.trim() === '') return { ok: true, elements: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `registry does not parse as JSON (${(err as Error).message})` };
  }
  if (data === null) return { ok: true, elements: [] };
  if (!Array.isArray(data)) {
    const kind = typeof data === 'object' ? 'an object' : `a ${typeof data}`;
    return { ok: false, reason: `registry holds ${kind}, not an array of {task_id, process_id, start_time}` };
  }
  return { ok: true, elements: data };
}

/** One registry element, validated. */
export type RegistryElement = Parsed<{ taskId: string; pid: number; recordedAt: number }> & { taskId?: string | null; pid?: number | null };

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$/;

/** Parses an ISO-8601 / RFC 3339 date-time with an explicit zone; null when it is not one. */
export function parseIsoTime(s: string): number | null {
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const frac = m[7] ? m[7].slice(0, 4) : '';
  let zone = m[8].toUpperCase();
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

/** Validates one registry element `{task_id, process_id, start_time}` (other fields are ignored and kept). */
export function parseRegistryElement(el: unknown, index: number, limits: ParseLimits): RegistryElement {
  if (typeof el !== 'object' || el === null || Array.isArray(el)) {
    return { ok: false, reason: `entry [${index}] is ${el === null ? 'null' : Array.isArray(el) ? 'an array' : `a ${typeof el}`}, not an object` };
  }
  const o = el as Record<string, unknown>;
  const taskId = typeof o.task_id === 'string' && o.task_id.length > 0 ? o.task_id : null;
  const rawPid = o.process_id;
  const pid = typeof rawPid === 'number' && Number.isInteger(rawPid) ? rawPid : null;
  const fail = (reason: string): RegistryElement => ({ ok: false, reason, taskId, pid });
  if (taskId === null) return fail(o.task_id === undefined ? 'task_id is missing' : `task_id ${JSON.stringify(o.task_id)} is not a non-empty string`);
  if (rawPid === undefined) return fail('process_id is missing');
  if (typeof rawPid === 'string') return fail(`process_id ${JSON.stringify(rawPid).slice(0, 24)} is a string, not a number`);
  if (typeof rawPid !== 'number') return fail(`process_id ${JSON.stringify(rawPid).slice(0, 24)} is not a number`);
  if (!Number.isInteger(rawPid)) return fail(`process_id ${rawPid} is not a whole number`);
  const p = parsePidText(String(rawPid), limits, 'process_id');
  if (!p.ok) return fail(p.reason);
  if (o.start_time === undefined) return fail('start_time is missing');
  if (typeof o.start_time !== 'string') return fail(`start_time ${JSON.stringify(o.start_time).slice(0, 24)} is not an ISO-8601 string`);
  const ms = parseIsoTime(o.start_time);
  if (ms === null) return fail(`start_time ${show(o.start_time, 32)} is not an ISO-8601 time with a zone (e.g. 2025-01-10T12:34:56Z)`);
  const bad = checkTime(ms, limits, 'start_time');
  if (bad) return fail(bad);
  return { ok: true, taskId, pid: p.pid, recordedAt: ms };
}
