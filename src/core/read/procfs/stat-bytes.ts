/** The /proc/PID/stat parser that works on bytes: no strings per process, one reused result object. */

/** The stat fields procsweep reads, parsed into one reused object (see parseStatBytes). */
export interface StatScratch {
  pid: number;
  /** The comm's byte range in the parsed buffer: decode it only when it is needed. */
  commStart: number;
  commEnd: number;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  flags: number;
  /** Field 14 (user time); cpuTicks is it plus field 15 (system time). */
  utime: number;
  cpuTicks: number;
  threads: number;
  startTicks: number;
  rssPages: number;
}

/** The fields parseStatBytes keeps, by number: a negative value in one of them is not a stat line. */
const USED: readonly boolean[] = Array.from({ length: 25 }, (_, f) => [4, 5, 6, 9, 14, 15, 20, 22, 24].includes(f));

/** A fresh scratch object to parse into. */
export function statScratch(): StatScratch {
  return { pid: 0, commStart: 0, commEnd: 0, state: '', ppid: 0, pgid: 0, sid: 0, flags: 0, utime: 0, cpuTicks: 0, threads: 0, startTicks: 0, rssPages: 0 };
}

/**
 * Parses the first `n` bytes of a /proc/PID/stat text into `out`, straight from the bytes: a scan
 * reads thousands of these, and strings per field would be garbage per process. The comm runs
 * from the first '(' to the last ')' (it may hold both); fields 3..24 follow. False for text that
 * is not a stat line (then `out` is partly overwritten and must not be used).
 */
export function parseStatBytes(buf: Uint8Array, n: number, out: StatScratch): boolean {
  let pid = 0;
  let i = 0;
  for (; i < n && buf[i] >= 48 && buf[i] <= 57; i++) pid = pid * 10 + (buf[i] - 48);
  if (i === 0 || i + 1 >= n || buf[i] !== 0x20 || buf[i + 1] !== 0x28) return false; // "PID ("
  const open = i + 1;
  let close = n - 1;
  while (close > open && buf[close] !== 0x29) close--; // the last ')'
  if (close <= open || close + 3 >= n || buf[close + 1] !== 0x20) return false;
  const s = buf[close + 2];
  if (!((s >= 65 && s <= 90) || (s >= 97 && s <= 122)) || buf[close + 3] !== 0x20) return false;
  out.pid = pid;
  out.commStart = open + 1;
  out.commEnd = close;
  out.state = String.fromCharCode(s); // one-character strings are not allocated
  let field = 3;
  let v = 0;
  let digits = 0;
  let negative = false;
  for (i = close + 4; i <= n && field < 24; i++) {
    const c = i < n ? buf[i] : 0x20;
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      continue;
    }
    if (c !== 0x20 && c !== 0x0a) {
      if (c !== 0x2d) return false; // '-' of a negative field (tty, tpgid, priority); anything else is odd
      negative = true;
      continue;
    }
    if (digits === 0) return false; // an empty field
    field++;
    if (negative && USED[field]) return false; // the fields procsweep reads are never negative
    negative = false;
    switch (field) {
      case 4: out.ppid = v; break;
      case 5: out.pgid = v; break;
      case 6: out.sid = v; break;
      case 9: out.flags = v; break;
      case 14: out.utime = v; break;
      case 15: out.cpuTicks = out.utime + v; break;
      case 20: out.threads = v; break;
      case 22: out.startTicks = v; break;
      case 24: out.rssPages = v; break;
    }
    v = 0;
    digits = 0;
  }
  return field >= 24;
}
