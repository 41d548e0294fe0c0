/** Pure parsers for /proc text files. They never touch the filesystem. */

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
 * Parses /proc/PID/stat. The comm field may hold spaces and parentheses, so it runs from the
 * first '(' to the last ')'. Returns null for text that is not a stat line.
 */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Only fields 3..24 are needed: cut them out without splitting all 52 (this runs per process).
  const rest: string[] = [];
  let at = close + 2;
  while (rest.length < 22 && at < text.length) {
    let end = text.indexOf(' ', at);
    if (end < 0) end = text.length;
    rest.push(text.slice(at, end).trimEnd());
    at = end + 1;
  }
  // rest[0] is field 3 (state); field N is rest[N - 3].
  if (!Number.isInteger(pid) || pid < 0 || rest.length < 22 || rest.includes('')) return null;
  const state = rest[0];
  if (state.length !== 1 || !/[A-Za-z]/.test(state)) return null;
  const num = (field: number): number => Number(rest[field - 3]);
  const f: StatFields = {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: num(4),
    pgid: num(5),
    sid: num(6),
    flags: num(9),
    utime: num(14),
    stime: num(15),
    threads: num(20),
    startTicks: num(22),
    rssPages: num(24),
  };
  if (!(f.ppid >= 0 && f.pgid >= 0 && f.sid >= 0 && f.flags >= 0 && f.utime >= 0 && f.stime >= 0 && f.threads >= 0 && f.startTicks >= 0 && f.rssPages >= 0)) return null;
  return f;
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
  let uid: number | null = null;
  let rssBytes: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('Uid:')) {
      const parts = line.slice(4).trim().split(/\s+/);
      const v = Number(parts[1] ?? parts[0]);
      uid = Number.isInteger(v) && v >= 0 ? v : null;
    } else if (line.startsWith('VmRSS:')) {
      const m = /(\d+)\s*kB/.exec(line);
      if (m) rssBytes = Number(m[1]) * 1024;
    }
  }
  return { uid, rssBytes };
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
