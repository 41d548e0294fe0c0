/** The operations the termination engine acts through: one process table, one clock (see escalation/engine.ts). */
import type { ProcessIdentity, ProcessInfo } from '../../types.js';

/** What the engine re-reads before every signal: enough to tell "the same process" from "gone" or "another". */
export interface LiveStat {
  ppid: number;
  /** Kernel state letter (R, S, D, T, Z ...); '?' when the backend cannot tell. */
  state: string;
  /** The identity token the snapshot gave as `startTicks` (procfs: clock ticks since boot; portable: start second). */
  startTicks: number;
  /**
   * The command line, for backends whose start time is too coarse to be an identity alone
   * (portable: whole seconds): compared with the planned argv joined by spaces. Absent: not compared.
   */
  args?: string;
}

/**
 * The process table and clock as the engine sees them. The backend supplies the real one
 * (`Backend.signalOps()`); tests drive the engine with a fake table and a fake clock.
 */
export interface EngineOps {
  /**
   * Brings `stat`, `info` and `pids` up to date before a pass of signals or checks. A backend
   * that reads live on every call (procfs) leaves it out; one that reads the table in one go
   * (portable: one `ps` run) reads it here, so every signal follows a fresh read.
   */
  refresh?(): Promise<void>;
  /** The identity fields of one process; null when it is gone. */
  stat(pid: number): LiveStat | null;
  /** Opens a handle that stays bound to this process (procfs: its stat file); null when it cannot. */
  open(pid: number): number | null;
  /** Re-reads through a handle; null once its process is gone, even if the pid is reused. */
  statFd(fd: number): LiveStat | null;
  close(fd: number): void;
  /** One process in full (owner, argv), or null when gone. */
  info(pid: number): ProcessInfo | null;
  /** Every pid in the table now. */
  pids(): number[];
  /** Sends a signal; throws an errno error (ESRCH, EPERM) like process.kill. */
  kill(pid: number, sig: NodeJS.Signals): void;
  /**
   * Signals a whole tree at once (portable: tree-kill walks and signals it). The engine calls it
   * only for a tree it has verified member by member and frozen, so the walk can find nothing
   * else; it still verifies every member afterwards. Absent: each member is signalled alone.
   */
  killTree?(pid: number, sig: NodeJS.Signals): Promise<void>;
  /**
   * Starts a guard that outlives this process and resumes, by identity, what the engine stopped
   * and had not resumed or killed when this process died (procfs: thaw-watchdog.ts); null when it
   * cannot start. Absent: no guard (a fake table, or a backend without identities to check).
   */
  thawGuard?(): ThawGuard | null;
  /** Monotonic milliseconds. */
  now(): number;
  /** Sleeps `ms`, or less when `signal` aborts meanwhile. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A process about to be stopped, by identity (always known: an unknown start time is never stopped). */
export type FrozenTarget = ProcessIdentity & { startTicks: number };

/** The engine's side of a thaw guard: record before SIGSTOP, clear once resumed or killed, close at the end. */
export interface ThawGuard {
  /** Records processes about to be stopped; resolves once the guard holds them; false when it is gone. */
  record(batch: readonly FrozenTarget[]): Promise<boolean>;
  /** Everything recorded has been resumed or killed: forget it. */
  clear(): Promise<void>;
  /** Done: the guard resumes whatever is still recorded, then exits. */
  close(): void;
}

/** Sleeps `n` ms of real time, or less when `signal` aborts meanwhile: the real clock's sleep. */
export function sleep(n: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, n);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The exact uid (its owning user) of one process through an exact read (`read`: the backend's precise re-read,
 * or EngineOps.info): its uid if the pid still names the same process (same start time), else
 * null. The one way exact uids are filled in (the scan's candidates, plans, the engine's guard,
 * the pidfile judge).
 */
export function exactUid(read: (pid: number) => ProcessInfo | null, p: ProcessIdentity): number | null {
  if (p.startTicks === null) return null;
  const now = read(p.pid);
  return now && now.startTicks === p.startTicks ? now.uid : null;
}
