import { basename } from 'node:path';

/** Formats procsweep reads: `PID\n`, `PID\nEPOCH_MS\n`, and JSON registry entries. */
export type PidfileFormat = 'plain' | 'timestamped' | 'registry';

/** What an entry says about its process (design.md section 6). */
export type PidfileStatus = 'live' | 'dead' | 'reused' | 'zombie' | 'invalid' | 'unsafe';

/** Every status, in the order summaries list them. */
export const PIDFILE_STATUSES: readonly PidfileStatus[] = ['live', 'dead', 'reused', 'zombie', 'invalid', 'unsafe'];

/** Statuses that make a record stale: `pidfiles clean` removes them and `list --check` exits 1. */
export const STALE_STATUSES: readonly PidfileStatus[] = ['dead', 'reused'];

/** A pidfile is a PID and a time: anything above 4 KiB is not one, and is never read further. */
export const MAX_PIDFILE_BYTES = 4096;

/** Registries hold many entries; above 1 MiB one is reported as oversized and left alone. */
export const MAX_REGISTRY_BYTES = 1024 * 1024;

/**
 * How much later than the recorded time a process may have started and still be the one
 * recorded. Supervisors that take the time just before spawning record it a few ms early, and a
 * process's start time is only known to about a second (boot time has whole-second resolution).
 */
export const START_TOLERANCE_MS = 2000;

/** How far in the future a recorded time may lie (clock steps) before it is called invalid. */
export const FUTURE_TOLERANCE_MS = 60_000;

/** Used when pid_max cannot be read (no /proc): the kernel's hard limit on 64-bit Linux. */
export const DEFAULT_PID_MAX = 4_194_304;

/** The file an entry was read from, as opened: removal refuses a file that changed since. */
export interface FileIdentity {
  dev: number;
  ino: number;
  uid: number;
  gid: number;
  mode: number;
  size: number;
  mtimeMs: number;
}

/** One pidfile or one registry entry, with its status and a one-line reason. */
export interface PidfileEntry {
  /** The pidfile, or the registry file the entry sits in. */
  path: string;
  format: PidfileFormat;
  /** The recorded PID, or null when none could be read. */
  pid: number | null;
  /** Recorded time (epoch ms): line 2, the registry's start_time, or a plain file's mtime. */
  recordedAt: number | null;
  /** Where recordedAt came from; plain pidfiles have no time of their own, so their mtime stands in. */
  recordedFrom: 'content' | 'mtime' | null;
  /** From a timestamped file's name `{routeId}_{processType}.pid`. */
  routeId: string | null;
  processType: string | null;
  /** A registry entry's task_id. */
  taskId: string | null;
  /** The PM2 app a `NAME-ID.pid` in a PM2 home's `pids` dir belongs to: its name and pm_id. */
  pm2?: { name: string; id: number };
  status: PidfileStatus;
  reason: string;
  /** Start time (clock ticks) of the process the PID names now, when it exists: its identity. */
  startTicks: number | null;
  /** For registry entries: position in the array as read; absent for a whole-registry entry. */
  registryIndex?: number;
  /** For registry entries: the element as read, so a rewrite removes exactly it. */
  element?: unknown;
  /** The opened file's identity, when it could be opened. */
  file?: FileIdentity;
}

/**
 * An entry's name relative to the directory it sits in: the pidfile's name, or `registry.json#task_id`
 * for a registry entry (`#[index]` when it has no task_id). What humans read; JSON keeps the path.
 */
export function recordName(e: Pick<PidfileEntry, 'path' | 'format' | 'taskId' | 'registryIndex'>): string {
  const file = basename(e.path);
  if (e.format !== 'registry' || e.registryIndex === undefined) return file;
  return `${file}#${e.taskId ?? `[${e.registryIndex}]`}`;
}

/** Where an entry is tracked from in `list`: the pidfile path, or `registry#task_id`. */
export function entrySource(e: Pick<PidfileEntry, 'path' | 'format' | 'taskId' | 'registryIndex'>): string {
  if (e.format !== 'registry') return e.path;
  return `${e.path}#${e.taskId ?? `[${e.registryIndex ?? '?'}]`}`;
}

/** Entries counted by status (every status present, zeros included). */
export function countStatuses(entries: readonly Pick<PidfileEntry, 'status'>[]): Record<PidfileStatus, number> {
  const out = Object.fromEntries(PIDFILE_STATUSES.map((s) => [s, 0])) as Record<PidfileStatus, number>;
  for (const e of entries) out[e.status]++;
  return out;
}
