/** The status of a recorded PID against a snapshot: pure, every input a parameter. */
import { processName } from '../decide/classify.js';
import { formatDuration } from '../duration.js';
import { matchProcess, type Signature } from '../decide/signatures.js';
import { supervisingRun } from '../run/detect.js';
import type { ProcessInfo, Snapshot } from '../types.js';
import { userName } from '../read/users.js';
import { START_TOLERANCE_MS, type PidfileStatus } from './types.js';

/** What is known about a record besides its PID. */
export interface RecordFacts {
  pid: number;
  recordedAt: number | null;
  recordedFrom: 'content' | 'mtime' | null;
  /** Owner of the file the record sits in; null when unknown. */
  fileUid: number | null;
  /** `pidfile` or `registry entry`, for reasons. */
  kind: string;
}

/** A status with its reason, and the identity of the process the PID names now. */
export interface Verdict {
  status: PidfileStatus;
  reason: string;
  startTicks: number | null;
}

/** Options of a judgement. */
export interface JudgeOptions {
  /** Signatures a live target must match: every known one, not only `--match`. */
  signatures: readonly Signature[];
  toleranceMs?: number;
  /**
   * The owner of a process the snapshot left unknown (a fast scan reads owners of candidates
   * only): read on demand, so a record is never called unsafe for want of a read.
   */
  ownerOf?: (p: ProcessInfo) => number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function who(uid: number): string {
  const name = userName(uid);
  return name === String(uid) ? `uid ${uid}` : `${name} (uid ${uid})`;
}

function label(p: ProcessInfo): string {
  return `${p.pid} (${p.argv.length ? processName(p) : `[${p.comm}]`})`;
}

/**
 * Judges one record: `dead` when the PID is gone; `unsafe` when the file's owner is neither root
 * nor the process's owner (a planted record must never make root signal someone else's
 * process); `zombie`; `reused` when the process matches no signature (a child of a live
 * `procsweep run` counts as matching: run records whatever CMD it starts) or started after the
 * recorded time plus the tolerance; otherwise `live`.
 */
export function judgeRecord(facts: RecordFacts, snap: Snapshot, opts: JudgeOptions): Verdict {
  const tol = opts.toleranceMs ?? START_TOLERANCE_MS;
  const p = snap.processes.get(facts.pid);
  if (!p || p.state === 'X') {
    return { status: 'dead', reason: `no process ${facts.pid}: it exited and this ${facts.kind} was left behind`, startTicks: null };
  }
  const startTicks = p.startTicks;
  const uid = p.uid ?? (facts.fileUid !== null && facts.fileUid !== 0 ? opts.ownerOf?.(p) ?? null : null);
  if (facts.fileUid !== null && facts.fileUid !== 0 && facts.fileUid !== uid) {
    const owner = uid === null ? 'an owner that cannot be read' : who(uid);
    return {
      status: 'unsafe',
      reason: `owned by ${who(facts.fileUid)}, but PID ${label(p)} runs as ${owner}: the file's owner could not signal it, so it may be planted; never acted on`,
      startTicks,
    };
  }
  if (p.state === 'Z') {
    const parent = snap.processes.get(p.ppid);
    return {
      status: 'zombie',
      reason: `PID ${label(p)} has exited but its parent ${parent ? label(parent) : p.ppid} has not reaped it; kept for the parent`,
      startTicks,
    };
  }
  const m = p.kernelThread ? null : matchProcess(opts.signatures, p);
  const runner = m ? null : supervisingRun(p, snap);
  if (!m && !runner) {
    const what = p.kernelThread ? `kernel thread [${p.comm}]` : `'${truncateCmd(p)}'`;
    return {
      status: 'reused',
      reason: `PID ${facts.pid} is now ${what}, which matches no signature (${opts.signatures.map((s) => s.name).join(', ')}): the PID was reused`,
      startTicks,
    };
  }
  const sig = m ? (m.role === 'wrapper' ? `${m.signature} wrapper` : m.signature) : `the worker of ${runner}`;
  const when = facts.recordedFrom === 'mtime' ? 'the pidfile was last written' : 'the recorded time';
  if (facts.recordedAt === null) {
    return { status: 'live', reason: `alive: ${label(p)} is ${sig}; no recorded time to check PID reuse against`, startTicks };
  }
  if (p.startedAt === null) {
    return { status: 'live', reason: `alive: ${label(p)} is ${sig}; its start time is unknown, so reuse was not checked (nothing will signal it)`, startTicks };
  }
  const late = p.startedAt - facts.recordedAt;
  if (late > tol) {
    return {
      status: 'reused',
      reason: `PID ${label(p)} started ${iso(p.startedAt)}, ${formatDuration(late)} after ${when} ${iso(facts.recordedAt)} (tolerance ${tol / 1000}s): the PID was reused`,
      startTicks,
    };
  }
  const rel = late > 0 ? `${formatDuration(late)} after` : `${formatDuration(-late)} before`;
  return { status: 'live', reason: `alive: ${label(p)} is ${sig}, started ${rel} ${when}`, startTicks };
}

function truncateCmd(p: ProcessInfo): string {
  const cmd = p.argv.length ? p.argv.join(' ') : `[${p.comm}]`;
  return cmd.length > 60 ? `${cmd.slice(0, 57)}...` : cmd;
}
