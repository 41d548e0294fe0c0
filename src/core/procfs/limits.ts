import { readFileSync } from 'node:fs';

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

/** Reads the system file-handle use under a proc root; null when unreadable. */
export function readFileNr(root = '/proc'): FileNr | null {
  try {
    return parseFileNr(readFileSync(`${root}/sys/fs/file-nr`, 'utf8'));
  } catch {
    return null;
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
