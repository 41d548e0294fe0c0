/** Discovery: every `*.pid` of the pid dirs and every entry of the registries, judged against a snapshot. */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Context } from '../read/context.js';
import { EnvironmentError, UsageError } from '../errors.js';
import type { Signature } from '../decide/signatures.js';
import type { ProcessInfo, Snapshot } from '../types.js';
import { judgeRecord } from './judge.js';
import { parsePidfileContent, parsePidfileName, parsePm2PidfileName, parseRegistryContent, parseRegistryElement, type ParseLimits } from './parse.js';
import { readRecordFile } from './safefile.js';
import { DEFAULT_PID_MAX, MAX_PIDFILE_BYTES, MAX_REGISTRY_BYTES, START_TOLERANCE_MS, type PidfileEntry } from './types.js';

/** Options of a read beyond the context. */
export interface ReadPidfilesOptions {
  /** Told about records that could not be looked at at all (a pid dir that does not exist yet). */
  onWarning?: (message: string) => void;
  /** Told the path of each named pid dir or registry that does not exist (list --check fails on it). */
  onMissing?: (path: string) => void;
  /** Start-time tolerance in ms (default START_TOLERANCE_MS). */
  toleranceMs?: number;
  /** pid_max; read from the proc tree when absent. */
  pidMax?: number;
}

/** Reads `pid_max` from a proc tree, or DEFAULT_PID_MAX when it cannot be read. */
export function readPidMax(procRoot = '/proc'): number {
  try {
    const n = Number(readFileSync(join(procRoot, 'sys', 'kernel', 'pid_max'), 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : DEFAULT_PID_MAX;
  } catch {
    return DEFAULT_PID_MAX;
  }
}


/** What every entry shares before it is judged. */
interface Judging {
  snapshot: Snapshot;
  signatures: readonly Signature[];
  limits: ParseLimits;
  toleranceMs: number;
  ownerOf?: (p: ProcessInfo) => number | null;
}

function blank(path: string, format: PidfileEntry['format']): PidfileEntry {
  return { path, format, pid: null, recordedAt: null, recordedFrom: null, routeId: null, processType: null, taskId: null, status: 'invalid', reason: '', startTicks: null };
}

/** Reads and judges one pidfile. Null when it vanished before it could be read. */
export function readOnePidfile(path: string, name: string, j: Judging): PidfileEntry | null {
  const e = blank(path, 'plain');
  const r = readRecordFile(path, MAX_PIDFILE_BYTES);
  if (!r.ok) {
    if (!r.unsafe) return null;
    return { ...e, status: 'unsafe', reason: r.reason, file: r.file };
  }
  e.file = r.file;
  if (r.oversized) return { ...e, reason: `oversized: ${r.size} bytes, more than ${MAX_PIDFILE_BYTES} (a pidfile holds a PID and a time); not read further` };
  const c = parsePidfileContent(r.bytes, j.limits);
  if (!c.ok) {
    // The PID of a file whose time is bad is still worth showing; it is never acted on.
    if (c.timestamped) return { ...e, ...parsePidfileName(name), format: 'timestamped', pid: c.pid ?? null, reason: c.reason };
    return { ...e, reason: c.reason };
  }
  e.format = c.format;
  e.pid = c.pid;
  if (c.format === 'timestamped') {
    Object.assign(e, parsePidfileName(name));
    e.recordedAt = c.recordedAt;
    e.recordedFrom = 'content';
  } else {
    // A plain pidfile has no time of its own; when it was last written is the best record of it.
    e.recordedAt = Math.floor(r.mtimeMs);
    e.recordedFrom = 'mtime';
  }
  const v = judgeRecord({ pid: c.pid, recordedAt: e.recordedAt, recordedFrom: e.recordedFrom, fileUid: r.file.uid, kind: 'pidfile' }, j.snapshot, { signatures: j.signatures, toleranceMs: j.toleranceMs, ownerOf: j.ownerOf });
  return { ...e, ...v };
}

/** Reads and judges every entry of one registry. A registry that cannot be trusted or parsed is one entry. */
export function readRegistry(path: string, j: Judging, onWarning?: (m: string) => void, onMissing?: (path: string) => void): PidfileEntry[] {
  const e = blank(path, 'registry');
  const r = readRecordFile(path, MAX_REGISTRY_BYTES);
  if (!r.ok) {
    if (!r.unsafe) {
      onWarning?.(`registry ${path} does not exist: no entries read`);
      onMissing?.(path);
      return [];
    }
    return [{ ...e, status: 'unsafe', reason: `registry ${r.reason}`, file: r.file }];
  }
  e.file = r.file;
  if (r.oversized) return [{ ...e, reason: `registry oversized: ${r.size} bytes, more than ${MAX_REGISTRY_BYTES}; not read, left untouched` }];
  const c = parseRegistryContent(r.bytes);
  if (!c.ok) return [{ ...e, reason: `${c.reason}; left untouched` }];
  return c.elements.map((el, i) => {
    const base: PidfileEntry = { ...e, registryIndex: i, element: el };
    const p = parseRegistryElement(el, i, j.limits);
    if (!p.ok) return { ...base, taskId: p.taskId ?? null, pid: p.pid ?? null, reason: p.reason };
    const facts = { pid: p.pid, recordedAt: p.recordedAt, recordedFrom: 'content' as const, fileUid: r.file.uid, kind: 'registry entry' };
    return { ...base, taskId: p.taskId, pid: p.pid, recordedAt: p.recordedAt, recordedFrom: 'content' as const, ...judgeRecord(facts, j.snapshot, { signatures: j.signatures, toleranceMs: j.toleranceMs, ownerOf: j.ownerOf }) };
  });
}

/** Files a PM2 home holds beside `pids/` (a dead daemon leaves its log and module config behind). */
const PM2_HOME_FILES = ['pm2.log', 'pm2.pid', 'module_conf.json', 'dump.pm2', 'rpc.sock'];

/**
 * Whether `dir` is a PM2 home's `pids` directory (`$PM2_HOME/pids`, where PM2 writes
 * `NAME-ID.pid`): named `pids`, beside one of PM2's own files. Only there is `cam-ingest-3.pid`
 * read as PM2 app cam-ingest, id 3; elsewhere a hyphen and digits are just a name.
 */
export function isPm2PidDir(dir: string): boolean {
  const abs = resolve(dir);
  if (basename(abs) !== 'pids') return false;
  return PM2_HOME_FILES.some((f) => {
    try {
      lstatSync(join(dirname(abs), f));
      return true;
    } catch {
      return false;
    }
  });
}

/** Paths without repeats (config and command line may name the same one), in order. */
function unique(paths: readonly string[]): string[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = resolve(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every `*.pid` directly in `dir`, sorted; a missing dir is a warning, an unreadable one exit 3. */
export function listPidDir(dir: string, onWarning?: (m: string) => void, onMissing?: (path: string) => void): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.pid')).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      onWarning?.(`pid dir ${dir} does not exist: no pidfiles read from it`);
      onMissing?.(dir);
      return [];
    }
    if (code === 'ENOTDIR') throw new UsageError(`--pid-dir ${dir} is not a directory: give the directory that holds the *.pid files`);
    throw new EnvironmentError(`cannot read pid dir ${dir} (${code ?? 'error'}): fix its permissions or run as its owner`);
  }
}

/**
 * Reads every record of the context's pid dirs and registries and judges each against the
 * snapshot (design.md section 6). Nothing is followed, nothing is written, nothing is signalled.
 * Live targets must match one of the known signatures (all of them: `--match` narrows what is
 * acted on, not what a record may name).
 */
export async function readPidfiles(ctx: Context, snapshot: Snapshot, opts: ReadPidfilesOptions = {}): Promise<PidfileEntry[]> {
  const j: Judging = {
    snapshot,
    signatures: ctx.knownSignatures ?? ctx.signatures,
    limits: { pidMax: opts.pidMax ?? readPidMax(ctx.backend.procfs?.root ?? '/proc'), now: snapshot.scannedAt },
    toleranceMs: opts.toleranceMs ?? START_TOLERANCE_MS,
    ownerOf: (p) => ctx.backend.exactUid?.(p) ?? null,
  };
  const out: PidfileEntry[] = [];
  for (const dir of unique(ctx.pidDirs)) {
    const names = listPidDir(dir, opts.onWarning, opts.onMissing);
    const pm2 = names.length > 0 && isPm2PidDir(dir);
    for (const name of names) {
      const e = readOnePidfile(join(dir, name), name, j);
      const app = pm2 && e?.format !== 'timestamped' ? parsePm2PidfileName(name) : null;
      if (e) out.push(app ? { ...e, pm2: app } : e);
    }
  }
  for (const reg of unique(ctx.registries)) out.push(...readRegistry(reg, j, opts.onWarning, opts.onMissing));
  return out;
}
