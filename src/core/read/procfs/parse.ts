/** Pure parsers for /proc text files. They never touch the filesystem. */
import { parseStatBytes, statScratch } from './stat-bytes.js';

/** Fields of /proc/PID/stat that procsweep uses. */
export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  flags: number;
  utime: number;
  stime: number;
  threads: number;
  startTicks: number;
  rssPages: number;
}

const PF_KTHREAD = 0x00200000;

/**
 * Parses /proc/PID/stat text. The comm field may hold spaces and parentheses, so it runs from the
 * first '(' to the last ')'. Returns null for text that is not a stat line. The one stat parser
 * is parseStatBytes (stat-bytes.ts); this is its text form.
 */
export function parseStat(text: string): StatFields | null {
  const buf = Buffer.from(text, 'utf8');
  const f = statScratch();
  if (!parseStatBytes(buf, buf.length, f)) return null;
  const comm = buf.toString('utf8', f.commStart, f.commEnd);
  return { pid: f.pid, comm, state: f.state, ppid: f.ppid, pgid: f.pgid, sid: f.sid, flags: f.flags, utime: f.utime, stime: f.cpuTicks - f.utime, threads: f.threads, startTicks: f.startTicks, rssPages: f.rssPages };
}

/**
 * Resident pages from /proc/PID/statm (its second field): what VmRSS, `ps -o rss` and psutil
 * report. stat's field 24 is not used: it lags them (per-CPU counters folded in late).
 */
export function parseStatmResident(text: string): number | null {
  const sp = text.indexOf(' ');
  if (sp < 1) return null;
  let end = text.indexOf(' ', sp + 1);
  if (end < 0) end = text.length;
  const v = Number(text.slice(sp + 1, end).trim());
  return Number.isInteger(v) && v >= 0 && end > sp + 1 ? v : null;
}

/**
 * The page size from /proc/self/auxv bytes: the AT_PAGESZ (6) entry of the (type, value) word
 * pairs; `word` is 8 on 64-bit, 4 on 32-bit. Null when absent.
 */
export function auxvPageSize(bytes: Uint8Array, word: 4 | 8, littleEndian: boolean): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (off: number): number => (word === 8 ? Number(view.getBigUint64(off, littleEndian)) : view.getUint32(off, littleEndian));
  for (let off = 0; off + 2 * word <= bytes.byteLength; off += 2 * word) {
    const type = at(off);
    if (type === 0) break; // AT_NULL ends the vector
    if (type === 6) return at(off + word) || null;
  }
  return null;
}

/** True when stat flags carry PF_KTHREAD. */
export function isKernelThreadFlags(flags: number): boolean {
  return (flags & PF_KTHREAD) !== 0;
}

/** Fields of /proc/PID/status that procsweep uses (effective uid and VmRSS in bytes). */
export interface StatusFields {
  uid: number | null;
  rssBytes: number | null;
}

/** Parses /proc/PID/status: `Uid:` (real, effective, saved, fs; effective is used, as ps does) and `VmRSS:`. */
export function parseStatus(text: string): StatusFields {
  const buf = Buffer.from(text, 'utf8');
  return parseStatusBytes(buf, buf.length);
}

const UID = Buffer.from('Uid:');
const VMRSS = Buffer.from('VmRSS:');

/**
 * parseStatus from the first `n` bytes of a status file: only the two lines it uses are decoded
 * (a sweep reads the status of every matched process; splitting 50-odd lines each was the cost).
 * Lines end at '\n', which UTF-8 decoding never swallows, so these are the lines the text had.
 */
export function parseStatusBytes(buf: Buffer, n: number): StatusFields {
  let uid: number | null = null;
  let rssBytes: number | null = null;
  for (let start = 0; start < n; ) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0 || end > n) end = n;
    const c = buf[start];
    if (c === 0x55 && startsWithBytes(buf, start, end, UID)) {
      // Uid: real effective saved fs; the effective one (the only one, if just one is given).
      const real = digitsAt(buf, skipBlanks(buf, start + UID.length, end), end);
      const next = skipBlanks(buf, digitsEnd, end);
      uid = real === null ? null : next >= end ? real : digitsAt(buf, next, end);
    } else if (c === 0x56 && startsWithBytes(buf, start, end, VMRSS)) {
      // VmRSS:   1234 kB
      const kb = digitsAt(buf, skipBlanks(buf, start + VMRSS.length, end), end);
      const unit = skipBlanks(buf, digitsEnd, end);
      if (kb !== null && end - unit >= 2 && buf[unit] === 0x6b && buf[unit + 1] === 0x42) rssBytes = kb * 1024;
    }
    start = end + 1;
  }
  return { uid, rssBytes };
}

/** Where digitsAt stopped: the first byte after the digits it read. */
let digitsEnd = 0;

/** The decimal number starting at `i` (before `end`), or null when no digit is there; sets digitsEnd. Parsed from the bytes: no string per line. */
function digitsAt(buf: Uint8Array, i: number, end: number): number | null {
  let v = 0;
  let j = i;
  for (; j < end && buf[j] >= 0x30 && buf[j] <= 0x39; j++) v = v * 10 + (buf[j] - 0x30);
  digitsEnd = j;
  return j > i && Number.isSafeInteger(v) ? v : null;
}

/** The first byte at or after `i` that is not a space or a tab. */
function skipBlanks(buf: Uint8Array, i: number, end: number): number {
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  return i;
}

function startsWithBytes(buf: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** Splits /proc/PID/cmdline on NUL, keeping argv boundaries; a trailing NUL ends the last arg. */
export function parseCmdline(text: string): string[] {
  if (text.length === 0) return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Reads `btime` (boot time, epoch seconds) from /proc/stat text. */
export function parseBootTime(text: string): number | null {
  const m = /^btime\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) * 1000 : null;
}

/** Parses /etc/passwd text into uid -> name. */
export function parsePasswd(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const uid = Number(parts[2]);
    if (Number.isInteger(uid) && !map.has(uid)) map.set(uid, parts[0]);
  }
  return map;
}
