import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import type { Context } from '../../src/core/read/context.js';
import type { ProcessInfo, Snapshot } from '../../src/core/types.js';

/** A private temp dir for pid dirs and registries; `done()` removes it. */
export function tempDir(tag = 'psw-pid'): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fake process for pure tests; start time in epoch ms (ticks derived at 100 Hz from boot 0). */
export function proc(pid: number, o: Partial<ProcessInfo> & { startedAt?: number } = {}): ProcessInfo {
  const startedAt = o.startedAt ?? 1_700_000_000_000;
  return {
    pid,
    ppid: 1,
    pgid: pid,
    sid: pid,
    uid: 0,
    state: 'S',
    comm: 'ffmpeg',
    argv: ['ffmpeg', '-i', 'x'],
    startTicks: Math.floor(startedAt / 10),
    cpuTicks: 0,
    threads: 1,
    rssBytes: 0,
    kernelThread: false,
    ...o,
    startedAt,
  };
}

/** A snapshot of the given fake processes. */
export function snapshotOf(procs: ProcessInfo[], scannedAt = 1_800_000_000_000): Snapshot {
  return { scannedAt, backend: 'procfs', processes: new Map(procs.map((p) => [p.pid, p])), clockTicks: 100, bootTime: 0, selfPid: 999_999 };
}

/** A context over pid dirs and registries, with the built-in signatures and no real backend. */
export function fakeContext(pidDirs: string[], registries: string[] = []): Context {
  return {
    backend: { name: 'portable', snapshot: async () => snapshotOf([]), probe: async () => null, fdCount: () => null, exe: () => null, signalOps: () => { throw new Error('this test backend signals nothing'); }, exactUid: () => null, check: () => {} },
    config: { path: null, signatures: [], reapers: [], pidDirs: [], registries: [], warnings: [] },
    signatures: [...BUILTIN_SIGNATURES],
    reapers: [],
    pidDirs,
    registries,
  };
}

/** Start time of a live process as epoch ms, from /proc (btime + ticks at USER_HZ 100): what a supervisor records. */
export function startedAt(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  return btime * 1000 + ticks * 10;
}

/** A PID below `below` that no process holds right now (only ever written into a record, never signalled). */
export function freePid(below = 30000): number {
  for (let pid = below; pid > 2000; pid--) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}
