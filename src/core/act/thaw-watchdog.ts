import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FrozenTarget, ThawGuard } from '../read/backend/ops.js';

/**
 * The watchdog's program, run with `node -e PROGRAM ROOT`. It reads lines on stdin: `PID START`
 * (procsweep is about to SIGSTOP that process; START is its start time in clock ticks) and `C`
 * (everything recorded so far has been resumed or killed: forget it). For each record it opens
 * ROOT/PID/stat at once and keeps it open when the start time matches: that descriptor stays
 * bound to the process, and reads fail once it is gone, even if the PID is reused. At end of
 * input (procsweep exited, however it died) it sends SIGCONT to every process still recorded
 * whose stat, read again through that descriptor, still shows the same start time, then exits.
 * It ignores SIGINT, SIGTERM and SIGHUP (it lives in its own session and ends with its input).
 */
const PROGRAM = `'use strict';
process.title = 'procsweep-thaw';
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const fs = require('fs');
const root = process.argv[1];
const held = new Map();
const buf = Buffer.alloc(4096);
const startOf = (fd, pid) => {
  let own = false;
  try {
    if (fd === null) { fd = fs.openSync(root + '/' + pid + '/stat', 'r'); own = true; }
    const t = buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, 0));
    return t.slice(t.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch { return null; } finally { if (own) try { fs.closeSync(fd); } catch {} }
};
const forget = (h) => { if (h.fd !== null) try { fs.closeSync(h.fd); } catch {} };
const record = (pid, start) => {
  if (!(pid > 1) || !/^\\d+$/.test(start) || held.has(pid)) return;
  let fd = null;
  try { fd = fs.openSync(root + '/' + pid + '/stat', 'r'); } catch {}
  if (fd !== null && startOf(fd, pid) !== start) { forget({ fd }); return; }
  held.set(pid, { start, fd });
};
const thaw = () => {
  for (const [pid, h] of held) if (startOf(h.fd, pid) === h.start) try { process.kill(pid, 'SIGCONT'); } catch {}
  process.exit(0);
};
let rest = '';
process.stdin.setEncoding('latin1');
process.stdin.on('data', (d) => {
  rest += d;
  for (let i = rest.indexOf('\\n'); i >= 0; i = rest.indexOf('\\n')) {
    const line = rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (line === 'C') { for (const h of held.values()) forget(h); held.clear(); }
    else { const [p, s] = line.split(' '); record(Number(p), s); }
  }
});
process.stdin.on('end', thaw);
process.stdin.on('error', thaw);
`;


/**
 * A small detached process that outlives procsweep and resumes, by identity, whatever procsweep
 * stopped and had not yet resumed or killed when it died (SIGKILL, an OOM kill, a crash): it
 * holds a pipe from procsweep, and end of input means procsweep is gone. Every process is
 * recorded on the pipe before its SIGSTOP is sent, so there is no instant at which a stopped
 * process is unknown to it. It runs in its own session, so a terminal's Ctrl-C or a kill of
 * procsweep's process group does not reach it.
 */
export class ThawWatchdog implements ThawGuard {
  private dead = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly pipe: Writable,
  ) {
    pipe.on('error', () => (this.dead = true));
    child.on('exit', () => (this.dead = true));
  }

  /** The watchdog's pid (for tests and diagnostics). */
  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Starts a watchdog that reads identities under `procRoot` (a live /proc); null when it cannot
   * be started (then nothing guards a stop, and the caller should say so).
   */
  static start(procRoot: string): ThawWatchdog | null {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // a preload or loader has no business in it, and costs start-up time
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', PROGRAM, procRoot], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    } catch {
      return null;
    }
    child.on('error', () => {});
    if (child.pid === undefined || !child.stdin) return null;
    child.unref();
    return new ThawWatchdog(child, child.stdin);
  }

  /**
   * Records processes about to be stopped; resolves once the records are in the pipe (the kernel
   * holds them even if procsweep dies next). False when the watchdog is gone: nothing guards them.
   */
  async record(batch: readonly FrozenTarget[]): Promise<boolean> {
    if (batch.length === 0) return !this.dead;
    return this.send(batch.map((t) => `${t.pid} ${t.startTicks}\n`).join(''));
  }

  /** Everything recorded has been resumed or killed: the watchdog forgets it. */
  async clear(): Promise<void> {
    await this.send('C\n');
  }

  /** Ends the pipe: the watchdog resumes whatever is still recorded, then exits. */
  close(): void {
    this.pipe.end();
    (this.pipe as Writable & { unref?: () => void }).unref?.();
  }

  private async send(text: string): Promise<boolean> {
    if (this.dead) return false;
    try {
      this.pipe.write(text);
      // A write the kernel took at once leaves nothing buffered here; otherwise wait until it has.
      if (this.pipe.writableLength > 0) await Promise.race([once(this.pipe, 'drain'), once(this.pipe, 'close')]);
    } catch {
      this.dead = true; // EPIPE: the watchdog is gone
    }
    return !this.dead && this.pipe.writableLength === 0;
  }
}
