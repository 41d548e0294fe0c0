/** The `--log` audit log: JSON lines, one record per target, appended after a run. */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';
import type { ExecutionReport, ReportOutcome } from './execution-report.js';
import type { Flag } from '../types.js';

/** An open audit log: opened before anything is signalled, so a bad path stops the run first. */
export interface AuditLog {
  path: string;
  fd: number;
  /** Why writing the records failed (a full disk), once it has; null while all is well. */
  failed: string | null;
  /** Closed (written, or given up): its fd number may belong to another file by now. */
  closed?: boolean;
}

/** Opens the audit log for appending; EnvironmentError (exit 3) when it cannot be. */
export function openAuditLog(path: string): AuditLog {
  try {
    return { path, fd: openSync(path, 'a', 0o640), failed: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError(`cannot open the audit log ${path} (${code}): fix --log. Nothing was signalled`);
  }
}

/**
 * Appends the audit records and closes the log. A failed write (ENOSPC on a full disk, EIO)
 * returns its code instead of throwing: what was done has been done, and the report must still
 * be printed. A partial write is cut back so the log keeps only whole lines, unless something
 * else has appended meanwhile.
 */
export function appendAudit(log: AuditLog, text: string): string | null {
  if (log.closed) return 'EBADF';
  log.closed = true;
  const buf = Buffer.from(text);
  let size: number | null = null;
  let off = 0;
  try {
    size = fstatSync(log.fd).size;
    while (off < buf.length) off += writeSync(log.fd, buf, off);
    return null;
  } catch (err) {
    try {
      if (size !== null && off > 0 && fstatSync(log.fd).size === size + off) ftruncateSync(log.fd, size);
    } catch {
      /* leave it as it is */
    }
    return (err as NodeJS.ErrnoException).code ?? String(err);
  } finally {
    try {
      closeSync(log.fd);
    } catch {
      /* nothing more to do */
    }
  }
}

/** Closes a log that will not be written (the run was refused, declined or failed); never throws, and once closed does nothing. */
export function closeAuditLog(log: AuditLog): void {
  if (log.closed) return;
  log.closed = true;
  try {
    closeSync(log.fd);
  } catch {
    /* already closed */
  }
}

/** The warning for a failed audit write: what is missing, where the only record is, what to fix. */
export function auditFailedMessage(log: AuditLog, records: number): string {
  return `could not write the audit log ${log.path} (${log.failed}): its ${records} record${records === 1 ? ' is' : 's are'} missing, so the report on standard output is this run's only record; free space and check --log`;
}

/** One `--log` line: an audit record per target. */
export interface AuditRecord {
  time: string;
  command: string;
  pid: number;
  ppid: number | null;
  user: string | null;
  startedAt: string | null;
  argv: string[];
  signature: string | null;
  flags: Flag[];
  reasons: Partial<Record<Flag, string>>;
  candidate: number;
  outcome: ReportOutcome;
  reason: string;
  signals: string[];
}

/** The audit records of a report, as JSON lines (each ends with a newline). */
export function auditLines(report: ExecutionReport, command: string, at = new Date()): string {
  const time = at.toISOString();
  return report.targets
    .map((t) => {
      const rec: AuditRecord = {
        time, command, pid: t.pid, ppid: t.ppid, user: t.user, startedAt: t.startedAt, argv: t.argv, signature: t.signature,
        flags: t.flags, reasons: t.reasons, candidate: t.candidate, outcome: t.outcome, reason: t.reason, signals: t.signals,
      };
      return `${JSON.stringify(rec)}\n`;
    })
    .join('');
}
