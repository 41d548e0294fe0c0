import psList from 'ps-list';
import type { ProcessInfo, Snapshot } from '../types.js';
import type { Backend } from './index.js';

/**
 * The portable backend, built on ps-list, for systems without /proc. It fills what ps-list
 * gives (pid, ppid, uid, command line, start time to the second for ages) and leaves the rest
 * unknown: no exact start time (startTicks null, so no identity check can pass and nothing is
 * signalled on identity alone), no state, no session.
 * argv is the command line split on spaces, since ps does not keep argument boundaries.
 */
export class PortableBackend implements Backend {
  readonly name = 'portable' as const;

  async snapshot(): Promise<Snapshot> {
    const scannedAt = Date.now();
    const list = await psList({ all: true });
    const processes = new Map<number, ProcessInfo>();
    for (const p of list) {
      processes.set(p.pid, toInfo(p));
    }
    return { scannedAt, backend: 'portable', processes, clockTicks: 100, bootTime: null, selfPid: process.pid };
  }

  async probe(pid: number): Promise<ProcessInfo | null> {
    const list = await psList({ all: true });
    const p = list.find((x) => x.pid === pid);
    return p ? toInfo(p) : null;
  }

  fdCount(): number | null {
    return null;
  }

  exe(): string | null {
    return null;
  }
}

type PsEntry = Awaited<ReturnType<typeof psList>>[number];

function toInfo(p: PsEntry): ProcessInfo {
  const cmd = (p.cmd ?? '').trim();
  const argv = cmd ? cmd.split(/\s+/) : [];
  return {
    pid: p.pid,
    ppid: p.ppid ?? 0,
    pgid: null,
    sid: null,
    uid: typeof p.uid === 'number' && Number.isInteger(p.uid) ? p.uid : null,
    state: '?',
    comm: p.name ?? '',
    argv,
    startTicks: null,
    // ps's lstart, whole seconds: good for ages (--max-age, --older-than), never for identity.
    startedAt: p.startTime instanceof Date && Number.isFinite(p.startTime.getTime()) ? p.startTime.getTime() : null,
    cpuTicks: null,
    threads: null,
    rssBytes: null,
    kernelThread: false,
  };
}
