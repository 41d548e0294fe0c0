import treeKill from 'tree-kill';
import type { ProcessInfo, Snapshot } from '../../types.js';
import type { Backend } from './index.js';
import { sleep, type EngineOps, type LiveStat } from './ops.js';
import { parsePs, runPs } from './ps.js';

/**
 * The portable backend, for systems without /proc (macOS, the BSDs), built on one `ps` run per
 * reading. Identity is the pid, the start time to the second (`lstart`) and the exact command
 * line: the engine re-reads all three (one `ps` run per pass) before every signal, and an
 * unreadable start time is never "the same". Left unknown: session, threads, RSS, CPU, fds, exe.
 */
export class PortableBackend implements Backend {
  readonly name = 'portable' as const;

  async snapshot(): Promise<Snapshot> {
    const scannedAt = Date.now();
    const processes = parsePs(await runPs());
    return { scannedAt, backend: 'portable', processes, clockTicks: 100, bootTime: null, selfPid: process.pid };
  }

  async probe(pid: number): Promise<ProcessInfo | null> {
    return parsePs(await runPs([pid])).get(pid) ?? null;
  }

  fdCount(): number | null {
    return null;
  }

  exe(): string | null {
    return null;
  }

  signalOps(): EngineOps {
    return portableOps();
  }

  /** ps gives every owner in the snapshot already: there is no more exact read. */
  exactUid(): number | null {
    return null;
  }

  /** ps is run by the first snapshot, which fails with EnvironmentError when it cannot. */
  check(): void {}
}

/** tree-kill walks with `ps --ppid` (Linux) or `pgrep -P` (macOS); elsewhere its walk finds nothing, so it is not used. */
const TREE_KILL_WALKS = process.platform === 'linux' || process.platform === 'darwin';

/**
 * The engine's operations through ps: `refresh` reads the whole table in one run before each
 * pass, every check reads from that reading, and process.kill signals. Whole frozen trees go
 * through tree-kill. There is no descriptor bound to a process, so `open` gives none.
 */
export function portableOps(read: () => Promise<string> = () => runPs()): EngineOps {
  let table = new Map<number, ProcessInfo>();
  const stat = (pid: number): LiveStat | null => {
    const p = table.get(pid);
    if (!p) return null;
    // An unreadable start time compares unequal to every planned one: unknown is never "same".
    return { ppid: p.ppid, state: p.state, startTicks: p.startTicks ?? Number.NaN, args: p.argv.join(' ') };
  };
  return {
    async refresh() {
      table = parsePs(await read());
    },
    stat,
    open: () => null,
    statFd: () => null,
    close: () => {},
    info: (pid) => table.get(pid) ?? null,
    pids: () => [...table.keys()],
    kill: (pid, sig) => process.kill(pid, sig),
    killTree: TREE_KILL_WALKS
      ? (pid, sig) => new Promise<void>((resolve, reject) => treeKill(pid, sig, (err) => (err ? reject(err) : resolve())))
      : undefined,
    now: () => performance.now(),
    sleep,
  };
}
