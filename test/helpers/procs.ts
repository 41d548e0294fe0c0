import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `--lock-file` private to this test process, for commands that take the sweep lock (sweep,
 * kill-group, pidfiles clean): tests in other files, and other sessions, use their own.
 */
export const LOCK_ARGS: readonly string[] = ['--lock-file', join(tmpdir(), `psw-lock-${process.pid}-${randomBytes(4).toString('hex')}.lock`)];

/** Absolute path of the built CLI shim. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'procsweep.js');

/** A marker no other process on the machine carries: every e2e scope starts from one. */
export function marker(tag = 'psw'): string {
  return `${tag}${process.pid}x${randomBytes(4).toString('hex')}`;
}

/** Whether a binary is on PATH. */
export function have(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** A tiny real ffmpeg: lavfi test source to the null muxer, marked in its argv. */
export function ffmpegArgs(mark: string, out: string[] = ['-f', 'null', '-']): string[] {
  return ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-metadata', `comment=${mark}`, ...out];
}

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

/** Runs the built CLI synchronously with colour off; `input` is fed on stdin (a pipe, not a TTY). */
export function cli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number; stdin?: 'pipe' | 'ignore' } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: Infinity, // list --all --json on a busy host is well over the 1 MiB default
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
    timeout: opts.timeout ?? 60_000,
    stdio: [opts.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  const stdout = r.stdout ?? '';
  return {
    code: r.status ?? -1,
    stdout,
    stderr: r.stderr ?? '',
    json() {
      return JSON.parse(stdout);
    },
  };
}

/** Runs the built CLI asynchronously (for concurrent runs). */
export function cliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
      stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }));
  });
}

/** Pids of live processes whose command line contains `mark` (read from /proc, own processes only by construction). */
export function pidsWith(mark: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(mark) && Number(name) !== process.pid) {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') out.push(Number(name));
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/** True while a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until `cond` holds or the timeout passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, stepMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

/**
 * Processes a test started, for cleanup in a finally path. Cleanup SIGKILLs only processes
 * whose command line carries one of the test's markers, or pids the test spawned itself.
 */
export class Scope {
  readonly marks: string[] = [];
  readonly children: ChildProcess[] = [];

  /** A fresh marker registered for cleanup. */
  mark(tag?: string): string {
    const m = marker(tag);
    this.marks.push(m);
    return m;
  }

  /** Spawns a child (stdio ignored by default) and remembers it. */
  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const c = spawn(cmd, args, { stdio: 'ignore', ...opts });
    c.on('error', () => {});
    this.children.push(c);
    return c;
  }

  /**
   * Starts `cmd args` (which must carry one of this scope's markers) as an orphan: a throwaway shell in a new session starts it in the
   * background and exits at once, so the worker is reparented to PID 1 and is not a session
   * leader. Resolves with the worker's pid.
   */
  async orphan(cmd: string, args: string[]): Promise<number> {
    const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const sh = spawn('sh', ['-c', `${quoted} </dev/null >/dev/null 2>&1 & echo $!`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    sh.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => sh.on('close', r));
    return Number(out.trim());
  }

  /**
   * SIGKILLs everything this scope started, and nothing else: our own unreaped children (their
   * pids cannot be reused while we have not reaped them) and live processes carrying one of our
   * markers. A remembered orphan pid is only killed while its command line still carries a marker.
   */
  cleanup(): void {
    const pids = new Set<number>();
    for (const c of this.children) if (c.pid && c.exitCode === null && c.signalCode === null) pids.add(c.pid);
    for (const m of this.marks) for (const p of pidsWith(m)) pids.add(p);
    for (const pid of pids) {
      if (pid <= 1 || pid === process.pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

/** One test per case: the CLI exits with `code` and says why in one line on stderr (no stack), nothing on stdout. */
export function badInputTests(cases: ReadonlyArray<[string[], number, RegExp]>): void {
  for (const [args, code, re] of cases) {
    test(`${args.join(' ')} -> exit ${code}, one line`, () => {
      const r = cli(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stdout, '');
    });
  }
}

/**
 * A test file's private world, cleaned up after it: a temp dir, the scope of the processes it
 * starts, and a fresh private lock file for each sweep (so no test contends for the real lock).
 */
export function privateWorld(tag: string): { dir: string; scope: Scope; lockFile: () => string } {
  const dir = mkdtempSync(join(tmpdir(), `psw-${tag}-`));
  const scope = new Scope();
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  let locks = 0;
  return { dir, scope, lockFile: () => join(dir, `sweep${locks++}.lock`) };
}
