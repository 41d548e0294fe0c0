import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../../errors.js';
import { procfsOwnerPorts } from '../owner/ports.js';
import type { OwnerPorts } from '../owner/resolve.js';
import { ProcReader, type PrecisePredicate } from '../procfs/reader.js';
import type { BackendName, ProcessIdentity, ProcessInfo, Snapshot } from '../../types.js';
import { exactUid, type EngineOps } from './ops.js';
import { procfsOps } from './procfs-ops.js';

/** What the rest of procsweep needs from a process table, whichever way it is read. */
export interface Backend {
  readonly name: BackendName;
  /** Reads every process; `precise` marks the candidates worth the costlier exact reads. */
  snapshot(precise?: PrecisePredicate): Promise<Snapshot>;
  /** Re-reads one process (for identity checks before a signal); null when it is gone. */
  probe(pid: number): Promise<ProcessInfo | null>;
  /** Open file descriptors of one process, or null when unknown. */
  fdCount(pid: number): number | null;
  /** Executable path of one process, or null when unknown. */
  exe(pid: number): string | null;
  /** The termination engine's reads, signals and clock on this table; throws UsageError when its pids cannot be signalled here. */
  signalOps(): EngineOps;
  /** Where ownership evidence (cgroup, environ, systemd) is read; absent where it cannot be (portable). */
  readonly ownerPorts?: () => OwnerPorts;
  /**
   * The effective uid of this very process (same start time), read exactly: the fast scan leaves
   * most owners unknown, and the guard, the audit log and the pidfile judge need them. Null when
   * unknown, gone, or the pid now names another process. Optional for backends written before
   * it existed: absent means unknown (the guard then treats the owner as unknown).
   */
  exactUid?(p: ProcessIdentity): number | null;
  /** Throws EnvironmentError (exit 3) now when the table cannot be read, rather than listing nothing later; absent: no early check. */
  check?(): void;
  /**
   * The proc tree behind this backend (the procfs backend, at --proc-root), for what only /proc
   * has: held files and sockets, fd limits, pid_max, the incremental reader. Absent on portable.
   */
  readonly procfs?: ProcReader;
}

/** Options that choose and place a backend. */
export interface BackendOptions {
  backend?: BackendName | 'auto';
  procRoot?: string;
}

/** The Linux backend: reads /proc (or another proc tree) directly. */
export class ProcfsBackend implements Backend {
  readonly name = 'procfs' as const;
  readonly procfs: ProcReader;
  readonly ownerPorts: () => OwnerPorts;
  /** @deprecated The same reader as `procfs` (its old name, kept for library users). */
  get reader(): ProcReader {
    return this.procfs;
  }
  constructor(root = '/proc') {
    this.procfs = new ProcReader(root);
    this.ownerPorts = procfsOwnerPorts(root);
  }
  async snapshot(precise?: PrecisePredicate): Promise<Snapshot> {
    this.checkTree();
    return this.procfs.snapshot(this.procfs.ownPid(), precise ?? true);
  }
  /** Throws EnvironmentError (exit 3) unless the root is a proc tree: an empty directory or an unmounted /host/proc must not pass for a quiet host. */
  checkTree(): void {
    if (this.procfs.bootTime() !== null) return;
    const root = this.procfs.root;
    throw new EnvironmentError(`${root} is not a proc tree: ${join(root, 'stat')} is missing or has no btime line. Give --proc-root a mounted proc tree (e.g. the host's /proc)`);
  }
  async probe(pid: number): Promise<ProcessInfo | null> {
    return this.procfs.read(pid);
  }
  fdCount(pid: number): number | null {
    return this.procfs.fdCount(pid);
  }
  exe(pid: number): string | null {
    return this.procfs.exe(pid);
  }
  signalOps(): EngineOps {
    return procfsOps(this.procfs);
  }
  exactUid(p: ProcessIdentity): number | null {
    return exactUid((pid) => this.procfs.read(pid, true), p);
  }
  /** The tree can be listed (else EnvironmentError naming --proc-root), and it is a proc tree (checkTree). */
  check(): void {
    this.procfs.listPids();
    this.checkTree();
  }
}

/**
 * Picks the backend: procfs when a proc tree is there (or --proc-root names one), the portable
 * ps backend where /proc is absent or when asked for.
 */
export async function openBackend(opts: BackendOptions = {}): Promise<Backend> {
  const wanted = opts.backend ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'procfs' && wanted !== 'portable') {
    throw new UsageError(`unknown backend '${String(wanted)}': use procfs or portable`);
  }
  if (wanted === 'portable') {
    if (opts.procRoot) throw new UsageError('--proc-root only applies to the procfs backend: drop --backend portable');
    const { PortableBackend } = await import('./portable.js');
    return new PortableBackend();
  }
  if (opts.procRoot || wanted === 'procfs') return new ProcfsBackend(opts.procRoot ?? '/proc');
  if (existsSync(join('/proc', 'self', 'stat'))) return new ProcfsBackend('/proc');
  const { PortableBackend } = await import('./portable.js');
  return new PortableBackend();
}
