import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './procs.js';

/** A running `procsweep watch` whose stdout JSON lines are collected as they arrive. */
export class WatchRun {
  readonly child: ChildProcess;
  readonly lines: any[] = [];
  stderr = '';
  private buf = '';
  private readonly closed: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        if (line.trim()) this.lines.push(JSON.parse(line));
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.closed = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Events collected so far. */
  events(): any[] {
    return this.lines.filter((l) => l.type === 'event');
  }

  /** Ticks collected so far. */
  ticks(): any[] {
    return this.lines.filter((l) => l.type === 'tick');
  }

  /** Waits until some collected line satisfies `pred`; returns it. Throws with the output on timeout. */
  async waitFor(pred: (line: any) => boolean, what: string, timeoutMs = 15_000): Promise<any> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}\nlines:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}`);
  }

  /** The exit code once it has exited. */
  exit(): Promise<number | null> {
    return this.closed;
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.closed;
  }
}
