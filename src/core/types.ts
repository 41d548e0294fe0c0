import type { Flag } from './decide/flags.js';
import type { Owner } from './read/owner/types.js';

/** One process as read from /proc (or the portable backend). Unknown values are `null`, never 0. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number | null;
  sid: number | null;
  uid: number | null;
  /** Kernel state letter: R, S, D, Z, T, t, X, I ... */
  state: string;
  /** The kernel's 15-character name (stat field 2). */
  comm: string;
  /** NUL-split command line; empty for zombies and kernel threads. */
  argv: string[];
  /**
   * Only when the command line is not valid UTF-8 (argv then holds U+FFFD): its raw bytes, one
   * character per byte (latin1), so command lines that differ only in invalid bytes stay distinct.
   */
  cmdlineBytes?: string;
  /** Start time in clock ticks since boot (stat field 22): with pid, the process identity. */
  startTicks: number | null;
  /** Start time as epoch milliseconds (startTicks + btime). */
  startedAt: number | null;
  /** utime + stime in clock ticks. */
  cpuTicks: number | null;
  threads: number | null;
  rssBytes: number | null;
  /** True for kernel threads (PF_KTHREAD), which are never candidates. */
  kernelThread: boolean;
}

/** A whole-system reading: every process, keyed by pid, plus what is needed to interpret it. */
export interface Snapshot {
  /** Epoch ms when the scan began. */
  scannedAt: number;
  backend: BackendName;
  processes: Map<number, ProcessInfo>;
  /** Clock ticks per second used for startTicks/cpuTicks. */
  clockTicks: number;
  /** Boot time as epoch ms, when known. */
  bootTime: number | null;
  /** procsweep's own pid (its ancestors are found from it): never candidates. 0 when procsweep is not in the tree read (a fixture, another namespace). */
  selfPid: number;
}

export type BackendName = 'procfs' | 'portable';

/**
 * The identity of a process: pid plus start time (procfs: clock ticks since boot; portable: the
 * start second, with the command line). Unknown start time never equals anything. The one
 * identity type: engine targets, spare lists, lock holders, thaw records and plan entries use it.
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: number | null;
}

/** Classification flags: one row each in flags.ts. */
export type { Flag } from './decide/flags.js';

export type Role = 'process' | 'wrapper';

/** A process with its verdict: which signature it matched, its role, its flags and a reason for each. */
export interface Finding {
  proc: ProcessInfo;
  /** Signature name, or null for an unmatched process (only listed with --all). */
  signature: string | null;
  role: Role;
  flags: Flag[];
  reasons: Partial<Record<Flag, string>>;
  /** Path of the pidfile/registry entry that tracks it (or its ancestor), when any. */
  pidfile: string | null;
  /** Its owner from the strongest evidence (matched processes, when ownership was read); null when none is known. */
  owner?: Owner | null;
}
