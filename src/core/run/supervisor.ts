import { spawn } from 'node:child_process';
import type { Backend } from '../read/backend/index.js';
import type { ProcessIdentity, ProcessInfo, Snapshot } from '../types.js';
import { orThrow, terminate, type TerminateReport, type TerminateTarget } from '../act/terminate.js';
import type { DeathLink } from './launch.js';
import { removeOwnPidfile, writePidfile } from './pidfile.js';
import { exitStatus, restartDecision, signalNumber, type ChildExit, type RestartPolicy } from './policy.js';

export type { TerminateReport };

/** Where the pidfile goes: `{dir}/{id}_{type}.pid`. */
export interface PidfileSpec {
  dir: string;
  id: string;
  type: string;
}

/** Everything `procsweep run` needs; the CLI builds it from options, a library caller directly. */
export interface RunSpec {
  /** CMD and its arguments, passed untouched. */
  command: string[];
  restart: RestartPolicy;
  restartDelayMs: number;
  /** null = no limit. */
  maxRestarts: number | null;
  /** How long the child's tree gets between the first signal and SIGKILL. */
  graceMs: number;
  pidfile: PidfileSpec | null;
  /** The parent-death link (setpriv prefix), from `deathLink()`. */
  link: DeathLink;
  /** Reads identities and snapshots for the termination engine. */
  backend: Backend;
  env?: NodeJS.ProcessEnv;
  onEvent?: (e: RunEvent) => void;
}

/** A running (or just exited) child. */
export interface ChildInfo extends ProcessIdentity {
  /** 1 for the first start, 2 after the first restart, ... */
  start: number;
  pidfile: string | null;
}

/** What the supervisor reports as it goes; the CLI turns these into stderr lines. */
export type RunEvent =
  | { type: 'started'; child: ChildInfo }
  | { type: 'exited'; child: ChildInfo; exit: ChildExit; status: number; uptimeMs: number }
  | { type: 'leftovers'; child: ChildInfo; pids: number[]; report: TerminateReport }
  | { type: 'restarting'; delayMs: number; restart: number; maxRestarts: number | null }
  | { type: 'gave-up'; restarts: number; status: number; maxRestarts: number }
  | { type: 'stopping'; signal: NodeJS.Signals; reason: string; child: ChildInfo | null }
  | { type: 'stopped'; child: ChildInfo; report: TerminateReport }
  | { type: 'escalated'; child: ChildInfo }
  | { type: 'forwarded'; signal: NodeJS.Signals; child: ChildInfo }
  | { type: 'warning'; message: string };

/** How the run ended. */
export interface RunResult {
  /** The last child's exit status (128 + signal number for a signal death); run exits with it. */
  status: number;
  restarts: number;
  /** The signal that stopped run, when one did. */
  stoppedBy: NodeJS.Signals | null;
  gaveUp: boolean;
}

const ERRNO_STATUS: Record<string, number> = { ENOENT: 127, EACCES: 126, ENOEXEC: 126 };

/**
 * Runs CMD in its own session and process group, tied to this process by the parent-death
 * signal, writes and removes its pidfile, restarts it per policy, and on `stop()` terminates its
 * whole tree with the engine. One instance runs once.
 */
export class Supervisor {
  private readonly spec: RunSpec;
  private current: (ChildInfo & { exited: boolean }) | null = null;
  private stopping: NodeJS.Signals | null = null;
  private stopTask: Promise<TerminateReport> | null = null;
  private wake: (() => void) | null = null;

  constructor(spec: RunSpec) {
    this.spec = spec;
  }

  private emit(e: RunEvent): void {
    this.spec.onEvent?.(e);
  }

  /** Runs until CMD ends for good; resolves with the status run should exit with. */
  async run(): Promise<RunResult> {
    const { restart, maxRestarts, restartDelayMs } = this.spec;
    let restarts = 0;
    let status: number | null = null;
    let gaveUp = false;
    for (let start = 1; this.stopping === null; start++) {
      const launchedAt = Date.now();
      const { child, exited } = await this.launch(start);
      const exit = await exited;
      status = exitStatus(exit);
      this.emit({ type: 'exited', child, exit, status, uptimeMs: Date.now() - launchedAt });
      if (child.pidfile) await removeOwnPidfile(child.pidfile, child.pid);
      if (this.stopTask) this.emit({ type: 'stopped', child, report: await this.stopTask });
      else await this.reapLeftovers(child);
      const decision = restartDecision(restart, status, restarts, maxRestarts, this.stopping !== null);
      if (decision === 'give-up') {
        gaveUp = true;
        this.emit({ type: 'gave-up', restarts, status, maxRestarts: maxRestarts ?? restarts });
      }
      if (decision !== 'restart') break;
      restarts++;
      this.emit({ type: 'restarting', delayMs: restartDelayMs, restart: restarts, maxRestarts });
      await this.delay(restartDelayMs);
    }
    if (status === null) {
      // Stopped before anything ran: exit as if killed by the signal, as shells report it.
      status = 128 + (signalNumber(this.stopping ?? 'SIGTERM') ?? 15);
    }
    return { status, restarts, stoppedBy: this.stopping, gaveUp };
  }

  /**
   * Passes a signal to CMD's process group and keeps supervising (SIGHUP: reload, reopen logs).
   * If CMD exits because of it, the restart policy decides, as for any exit.
   */
  forward(signal: NodeJS.Signals): void {
    const cur = this.current && !this.current.exited ? this.current : null;
    if (!cur || this.stopping !== null) return;
    this.killGroup(cur.pid, signal);
    this.emit({ type: 'forwarded', signal, child: cur });
  }

  /**
   * Stops CMD and does not restart it: the first call sends `signal` to the child's process group
   * and tree through the termination engine (grace, then SIGKILL, verified); a second call
   * SIGKILLs the group at once.
   */
  stop(signal: NodeJS.Signals, reason: string): void {
    const cur = this.current && !this.current.exited ? this.current : null;
    if (this.stopping !== null) {
      if (cur) {
        this.emit({ type: 'escalated', child: cur });
        this.killGroup(cur.pid, 'SIGKILL');
      }
      return;
    }
    this.stopping = signal;
    this.emit({ type: 'stopping', signal, reason, child: cur });
    this.wake?.();
    if (cur) this.stopTask = this.stopChild(cur, signal);
  }

  private async launch(start: number): Promise<{ child: ChildInfo; exited: Promise<ChildExit> }> {
    const { command, link, env } = this.spec;
    const [file, ...args] = [...link.prefix, ...command];
    // detached: setsid(), so CMD leads a new session and process group. Its group can be
    // signalled as one, a terminal's Ctrl-C reaches only run (which forwards it), and the
    // engine's guard, which spares procsweep's own session, does not spare CMD.
    const proc = spawn(file, args, { detached: true, stdio: 'inherit', env: env ?? process.env });
    const exited = new Promise<ChildExit>((resolve) => {
      proc.once('exit', (code, signal) => {
        if (this.current && this.current.pid === proc.pid) this.current.exited = true;
        resolve({ code, signal });
      });
      proc.once('error', (err: NodeJS.ErrnoException) => {
        if (proc.pid !== undefined) return; // a kill() error on a live child; 'exit' follows
        this.emit({ type: 'warning', message: `cannot start ${command[0]}: ${err.message}` });
        resolve({ code: ERRNO_STATUS[err.code ?? ''] ?? 126, signal: null });
      });
    });
    const pid = proc.pid;
    if (pid === undefined) {
      // spawn failed; the error handler above resolves `exited`.
      return { child: { pid: -1, startTicks: null, start, pidfile: null }, exited };
    }
    const child: ChildInfo & { exited: boolean } = { pid, startTicks: null, start, pidfile: null, exited: false };
    this.current = child;
    const info = await this.spec.backend.probe(pid).catch(() => null);
    child.startTicks = info?.startTicks ?? null;
    if (this.spec.pidfile) {
      const { dir, id, type } = this.spec.pidfile;
      try {
        child.pidfile = await writePidfile(dir, id, type, pid, info?.startedAt ?? Date.now());
      } catch (err) {
        this.emit({ type: 'warning', message: `could not write the pidfile for pid ${pid} in ${dir}: ${(err as Error).message}` });
      }
    }
    this.emit({ type: 'started', child });
    return { child, exited };
  }

  /** Signals the child's group as one; only while the child is unreaped, so its pid is still ours. */
  private killGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      /* the group is already empty */
    }
  }

  /** A snapshot for finding CMD's group: uids are not needed, so no status file is read. */
  private snapshot(): Promise<Snapshot> {
    return this.spec.backend.snapshot(() => false);
  }

  private async stopChild(child: ChildInfo, signal: NodeJS.Signals): Promise<TerminateReport> {
    const { backend, graceMs } = this.spec;
    const snapshot = await this.snapshot();
    // CMD is our unreaped child, so the snapshot's start time is its own even when the probe
    // after spawn lost the race; the engine never signals a target of unknown identity.
    const startTicks = snapshot.processes.get(child.pid)?.startTicks ?? child.startTicks;
    const targets: TerminateTarget[] = [{ pid: child.pid, startTicks }];
    for (const p of snapshot.processes.values()) {
      if (p.pid !== child.pid && inGroupOf(p, child.pid)) targets.push({ pid: p.pid, startTicks: p.startTicks });
    }
    // A run stopped by an error is thrown, as before the report carried it.
    return orThrow(await terminate(targets, { backend, graceMs, signal, snapshot }));
  }

  /**
   * What CMD left in its process group when it exited (a shell's background job, a worker it
   * forked) would be orphaned by the next start: terminate it now, as systemd does for a service.
   */
  private async reapLeftovers(child: ChildInfo): Promise<void> {
    if (child.pid <= 1) return;
    const { backend, graceMs } = this.spec;
    const snapshot = await this.snapshot();
    const left = [...snapshot.processes.values()].filter((p) => p.state !== 'Z' && inGroupOf(p, child.pid));
    if (left.length === 0) return;
    const report = orThrow(await terminate(left.map((p) => ({ pid: p.pid, startTicks: p.startTicks })), { backend, graceMs, snapshot }));
    this.emit({ type: 'leftovers', child, pids: left.map((p) => p.pid), report });
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/**
 * Member of the session and process group CMD created with setsid (both ids equal its pid). The
 * session keeps the number from being reused while any member lives, so this stays a safe test
 * after CMD itself is gone.
 */
function inGroupOf(p: ProcessInfo, pid: number): boolean {
  return p.pgid === pid && p.sid === pid;
}
