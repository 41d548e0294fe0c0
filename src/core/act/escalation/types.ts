/** The escalation engine's vocabulary: what it is given, what it reports, and its record of each process in play. */
import type { Backend } from '../../read/backend/index.js';
import type { EngineOps, LiveStat } from '../../read/backend/ops.js';
import type { GuardContext } from '../../decide/guard.js';
import type { Outcome } from '../outcomes.js';
import type { ProcessIdentity, Snapshot } from '../../types.js';

/** What became of one process: one row each in outcomes.ts. */
export { OUTCOMES, type Outcome } from '../outcomes.js';

/** A process to terminate: its identity. A null start time means "whatever holds this pid in the snapshot". */
export type TerminateTarget = ProcessIdentity;

/**
 * A process the plan leaves running (kept by a keep rule, spared by --port/--holds, refused by
 * the guard): the engine never signals it nor anything under it, even inside a target's tree.
 * A null start time spares whatever holds the pid.
 */
export interface SpareTarget extends ProcessIdentity {
  /** Why it is left running (the plan's reason). */
  reason: string;
}

/** The fate of one process, with every signal sent to it, in order. */
export interface TargetResult extends ProcessIdentity {
  ppid: number | null;
  argv: string[];
  outcome: Outcome;
  reason: string;
  /** Signals sent, e.g. ['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGKILL']. */
  signals: string[];
}

/** Engine steps, reported through `onPhase` with the number of processes still in play. */
export type Phase = 'freeze' | 'terminate' | 'wait' | 'kill' | 'verify';

/** How to terminate. Only `backend` is required. */
export interface TerminateOptions {
  backend: Backend;
  /** How long TERM gets before KILL, in ms (default DEFAULT_GRACE_MS, escalation/timing.ts). */
  graceMs?: number;
  /** The first signal (default SIGTERM); SIGKILL still follows after the grace. */
  signal?: NodeJS.Signals;
  /** Expand every target to its descendant tree, and adopt children spawned meanwhile (default true). */
  tree?: boolean;
  /** Called once per process when its outcome is final. */
  onProgress?: (r: TargetResult) => void;
  /** Called when a phase starts, with the number of processes still alive and in play. */
  onPhase?: (phase: Phase, pending: number) => void;
  /** The snapshot the plan was made from (tree expansion); read when absent. */
  snapshot?: Snapshot;
  /** Who procsweep is; derived from the snapshot when absent. */
  guard?: GuardContext;
  /** How long to wait for SIGKILL to take effect before reporting `survived`, in ms (default DEFAULT_KILL_WAIT_MS). */
  killWaitMs?: number;
  /**
   * Aborting it cuts the grace short: the processes still in play get SIGKILL at once and are
   * verified as usual (a second Ctrl-C). A freeze under way is finished first.
   */
  hurry?: AbortSignal;
  /** The process table and clock to act through; `backend.signalOps()` when absent (tests pass a fake). */
  ops?: EngineOps;
  /** Called with a line worth telling the operator (the thaw watchdog could not start). */
  onWarning?: (message: string) => void;
  /**
   * Processes never to signal, nor their subtrees (a plan's skipped entries, see planSpare): met
   * in a target's tree or adopted during the freeze, each is reported `skipped` and left running.
   */
  spare?: readonly SpareTarget[];
}

/** Every process's result (targets first, each followed by its tree, parents first) and the wall time. */
export interface TerminateReport {
  results: TargetResult[];
  durationMs: number;
  /**
   * Only when the run stopped on an error after its first signal: the error's message. What it
   * stopped was resumed; every process it had not finished is `failed`, saying so.
   */
  error?: string;
}

/** One process in play. */
export interface Track extends ProcessIdentity {
  /** Its /proc/PID/stat, open while it is in play. */
  fd: number | null;
  ppid: number | null;
  argv: string[];
  depth: number;
  signals: string[];
  outcome: Outcome | null;
  reason: string;
  /** Set for a process that appeared after the plan: who started it. */
  spawnedBy: number | null;
  /** Its SIGKILL went to its whole frozen tree at once (EngineOps.killTree). */
  treeKilled?: boolean;
  /** When its first signal (SIGTERM, --signal) was sent. */
  firstAt?: number;
}

/** What a re-read found. */
export type Look = { kind: 'alive'; st: LiveStat } | { kind: 'zombie'; st: LiveStat } | { kind: 'gone' } | { kind: 'replaced'; st: LiveStat };
