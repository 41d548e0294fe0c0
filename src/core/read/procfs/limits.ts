import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** System-wide file handles from /proc/sys/fs/file-nr. */
export interface FileNr {
  /** Handles in use (allocated minus free). */
  open: number;
  /** fs.file-max. */
  max: number;
}

/** Parses /proc/sys/fs/file-nr (`allocated free max`); null when malformed. */
export function parseFileNr(text: string): FileNr | null {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) return null;
  const [allocated, free, max] = parts;
  return { open: Math.max(0, allocated - free), max };
}

/**
 * The soft RLIMIT_NOFILE from /proc/PID/limits (`Max open files  SOFT  HARD  files`). Null when
 * the line is missing or malformed; Infinity for `unlimited`.
 */
export function parseNofileLimit(text: string): number | null {
  const m = /^Max open files\s+(\S+)\s+\S+/m.exec(text);
  if (!m) return null;
  if (m[1] === 'unlimited') return Infinity;
  const n = Number(m[1]);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

const fileNrBuf = Buffer.allocUnsafe(128);

/** Reads the system file-handle use under a proc root; null when unreadable. Parsed from the bytes (read every tick). */
export function readFileNr(root = '/proc'): FileNr | null {
  let fd: number;
  try {
    fd = openSync(`${root}/sys/fs/file-nr`, 'r');
  } catch {
    return null;
  }
  try {
    const n = readSync(fd, fileNrBuf, 0, fileNrBuf.length, null);
    const nums: number[] = [];
    let v = -1;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? fileNrBuf[i] : 32;
      if (c >= 48 && c <= 57) v = (v < 0 ? 0 : v * 10) + (c - 48);
      else if (v >= 0) {
        nums.push(v);
        v = -1;
      }
    }
    return nums.length === 3 ? { open: Math.max(0, nums[0] - nums[1]), max: nums[2] } : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Reads one process's soft fd limit; null when gone or unreadable. */
export function readNofileLimit(root: string, pid: number): number | null {
  try {
    return parseNofileLimit(readFileSync(`${root}/${pid}/limits`, 'utf8'));
  } catch {
    return null;
  }
}
