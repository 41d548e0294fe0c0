// Staging kit for the field scenarios (test/e2e/scenarios/*.test.ts): a private stage per
// scenario (marker, temp dir, pid dirs, lock file, process scope), the actors that re-enact each
// seed, and small /proc readers. Every process a scenario starts carries its marker or is its
// own child, so `Stage.cleanup()` can remove exactly those and nothing else.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { alive, cli, have, pidsWith, Scope, waitFor, type CliResult } from '../../helpers/procs.js';

/** Where the actor scripts (router, capture host, bridge) live. */
export const ACTORS = join(import.meta.dirname, 'actors');

/** Python for the bridge actor: the system one, so argv is stable and no shim sits in between. */
export const PYTHON = have('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The node:test `skip` option of a scenario (the shared rule: a reason, or a failure under CI). */
export { needs } from '../../helpers/needs.js';

/** Command names that exist in the built CLI (cached): a step whose command is missing fails loudly. */
const known = new Map<string, boolean>();

/**
 * Asserts that `procsweep <words>` exists, with a message naming what the step waits on,
 * instead of a confusing "unknown command" deep in an assertion.
 */
export function requireCommand(words: string[], waitsOn: string): void {
  const key = words.join(' ');
  if (!known.has(key)) known.set(key, cli([...words, '--help']).code === 0);
  if (!known.get(key)) throw new Error(`procsweep ${key} is not built yet: this step waits on ${waitsOn} (design.md section 7)`);
}

/** Numbers read from /proc/PID/stat and status; null when the process is gone. */
export interface ProcState {
  pid: number;
  ppid: number;
  state: string;
  pgid: number;
  sid: number;
  threads: number;
}

/** Reads one process's state from /proc (null when gone). */
export function procState(pid: number): ProcState | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), state: f[0], pgid: Number(f[2]), sid: Number(f[3]), threads: Number(f[17]) };
  } catch {
    return null;
  }
}

/** The command line of a process, argv joined by spaces ('' when gone or a zombie). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Whether a pid exists at all (zombies included). */
export function exists(pid: number): boolean {
  return procState(pid) !== null;
}

/** The kernel's name of a process (15 characters at most; zombies keep it), '' when gone. */
export function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Every child of `ppid`, zombies included. */
export function childPids(ppid: number): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n) && procState(Number(n))?.ppid === ppid).map(Number);
}

/** Live children of `ppid` whose command line contains `text`, from /proc. */
export function childrenOf(ppid: number, text = ''): number[] {
  return pidsWith(text).filter((pid) => procState(pid)?.ppid === ppid);
}

/** Free loopback UDP ports (held open together so they are distinct, then released). */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createSocket('udp4');
      socks.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, '127.0.0.1', () => resolve());
      });
    }
    return socks.map((s) => s.address().port);
  } finally {
    for (const s of socks) s.close();
  }
}

/** Quotes words for `sh -c`. */
export function shq(words: string[]): string {
  return words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** The smallest real ffmpeg a scenario runs: lavfi test source, paced (-re), tagged in its metadata. */
export function ffmpegTiny(tag: string, output: string[], input: string[] = []): string[] {
  return ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', ...input, '-metadata', `comment=${tag}`, ...output];
}

/** One scenario's private world: a marker, a temp dir, a lock file, and the processes it started. */
export class Stage {
  readonly scope = new Scope();
  /** Carried by every process of the scenario and passed to every sweep as `--args`. */
  readonly mark: string;
  /** Private temp dir: pid dirs, registries, logs, the lock file. */
  readonly dir: string;
  /** `--lock-file` for every command that takes the sweep lock. */
  readonly lockFile: string;
  private readonly onExit = (): void => this.scope.cleanup();

  constructor(readonly name: string) {
    this.mark = this.scope.mark('psw');
    this.dir = mkdtempSync(join(tmpdir(), `psw-${name}-`));
    this.lockFile = join(this.dir, 'procsweep.lock');
    // Last resort if the runner dies between steps: never leave a scenario's workers behind.
    process.once('exit', this.onExit);
  }

  /** A path inside the private dir. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** A fresh sub-directory (a pid dir, a log dir). */
  mkdir(name: string): string {
    const p = this.path(name);
    mkdirSync(p, { recursive: true, mode: 0o755 });
    return p;
  }

  /** Runs procsweep (colour off, stdin a pipe, so it never prompts). */
  psw(args: string[], opts: { timeout?: number } = {}): CliResult {
    return cli(args, { timeout: opts.timeout ?? 30_000 });
  }

  /** `procsweep list --json` over this stage (scoped by marker unless `scoped` is false), parsed. */
  list(extra: string[] = [], scoped = true): ListDoc {
    const r = this.psw(['list', '--json', ...(scoped ? ['--args', this.mark] : []), ...extra]);
    if (r.code !== 0) throw new Error(`procsweep list exited ${r.code}: ${r.stderr}`);
    return r.json<ListDoc>();
  }

  /** Spawns a child in its own session (so procsweep's own-session guard never covers it). */
  spawn(cmd: string, args: string[], stdio: Array<'ignore' | 'pipe' | 'inherit'> = ['ignore', 'ignore', 'ignore']): ChildProcess {
    return this.scope.spawn(cmd, args, { detached: true, stdio });
  }

  /** Starts a worker whose parent exits at once: reparented to PID 1, not a session leader. */
  orphan(cmd: string, args: string[]): Promise<number> {
    return this.scope.orphan(cmd, args);
  }

  /** Kills everything this stage started (marker or own child) and removes its temp dir. */
  cleanup(): void {
    this.scope.cleanup();
    process.removeListener('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `list --json`, as much of it as the scenarios read. */
export interface ListDoc {
  processes: ListProc[];
  summary: Record<string, unknown>;
}

/** One process of `list --json`. */
export interface ListProc {
  pid: number;
  ppid: number;
  pgid: number | null;
  state: string;
  startedAt: string | null;
  argv: string[];
  threads: number | null;
  signature: string | null;
  role: 'process' | 'wrapper';
  flags: string[];
  reasons: Record<string, string>;
  pidfile: string | null;
}

/** The entry for `pid` in a list document, or a failure naming what was listed. */
export function entry(doc: ListDoc, pid: number): ListProc {
  const p = doc.processes.find((x) => x.pid === pid);
  if (!p) throw new Error(`pid ${pid} not listed; listed: ${doc.processes.map((x) => `${x.pid}[${x.flags.join(',')}]`).join(' ') || 'nothing'}`);
  return p;
}

/** Waits for the first line a child prints on stdout. */
export function firstLine(child: ChildProcess, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child[stream]! });
    const timer = setTimeout(() => reject(new Error(`no output from pid ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    rl.once('line', (line) => {
      clearTimeout(timer);
      rl.close();
      resolve(line);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`pid ${child.pid} exited (${code ?? sig}) before printing a line`));
    });
  });
}

/**
 * SIGKILLs a process the scenario started (the crash) and waits until it is gone from the
 * process table: reaped by its parent, as a service manager reaps a crashed server.
 */
export async function crash(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  if (!(await waitFor(() => !exists(pid), 10_000))) throw new Error(`pid ${pid} is still in the process table after SIGKILL`);
}

/** Waits until none of `pids` is alive for a whole `ms` window; returns the pids seen alive instead. */
export async function staysGone(probe: () => number[], ms: number, stepMs = 100): Promise<number[]> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const seen = probe();
    if (seen.length > 0) return seen;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return probe();
}

/** A symlink to the ffmpeg binary under a unique name: its processes' comm carries the marker. */
export function ffmpegAlias(stage: Stage, name: string): string {
  const real = spawnSync('sh', ['-c', 'command -v ffmpeg'], { maxBuffer: Infinity, encoding: 'utf8' }).stdout.trim();
  const link = join(stage.mkdir('bin'), name);
  symlinkSync(real, link);
  return link;
}

export { alive, pidsWith, waitFor };
