import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after } from 'node:test';
import { Scope } from './procs.js';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A detached tmux session on a private socket: a real terminal for prompts and dashboards. */
export class Tmux {
  readonly socket = `psw-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly session = 'psw';

  constructor(readonly width = 100, readonly height = 30) {}

  private tmux(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { maxBuffer: Infinity, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Starts `command` (a shell command line) in a fresh session of the given size. */
  start(command: string, env: Record<string, string> = {}): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const r = this.tmux(['new-session', '-d', '-s', this.session, '-x', String(this.width), '-y', String(this.height), ...envArgs, command]);
    if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
    this.tmux(['set-option', '-t', this.session, 'remain-on-exit', 'on']);
  }

  /** Types keys (tmux key names such as Enter, Space, Down, or literal text). */
  send(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys]);
  }

  /** The visible screen as text; with `escapes`, colours and attributes as escape sequences. */
  capture(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.session]).stdout;
  }

  /**
   * The pane command's exit status once it has exited, else null. tmux can mark a pane dead a
   * moment before it has reaped the command, when the status is still empty: that reads as
   * "not yet", never as NaN.
   */
  exitStatus(): number | null {
    const [dead, status] = this.tmux(['display-message', '-p', '-t', this.session, '#{pane_dead} #{pane_dead_status}']).stdout.trim().split(' ');
    return dead === '1' && status !== undefined && /^\d+$/.test(status) ? Number(status) : null;
  }

  /** Waits until the screen matches `re`; returns the screen. Throws with the screen on timeout. */
  async waitFor(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < end) {
      screen = this.capture();
      if (re.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${re} on screen:\n${screen}`);
  }

  /** Runs any tmux command on this server (e.g. `set-option -s set-clipboard on`); its stdout. */
  command(args: string[]): string {
    return this.tmux(args).stdout;
  }

  /** The pane's title (what OSC 0/2 would set), and the paste buffers (what OSC 52 would fill). */
  titleAndBuffers(): { title: string; buffers: string } {
    return { title: this.command(['display-message', '-p', '-t', this.session, '#{pane_title}']).trim(), buffers: this.command(['list-buffers']) };
  }

  /** Kills the session and its server. */
  kill(): void {
    this.tmux(['kill-server']);
  }
}

/** A procsweep command running in its own terminal, stdout to a file, the exit status to another. */
export interface TerminalRun {
  term: Tmux;
  /** The file stdout goes to: the pane shows only stderr (the prompts). */
  out: string;
  /** The file the shell writes the exit status to. */
  code: string;
}

/**
 * Starts `procsweep ARGS` in a fresh terminal, stdout to a file in `dir`. The shell writes the
 * exit status to a file too: tmux sometimes reports the pane dead before it has reaped the
 * process, and then never knows its status. `terms` collects the terminal for cleanup.
 */
export function startInTerminal(bin: string, dir: string, terms: Tmux[], args: string[], size: [number, number] = [200, 50]): TerminalRun {
  const term = new Tmux(...size);
  terms.push(term);
  const out = join(dir, `out${terms.length}.json`);
  const code = join(dir, `code${terms.length}`);
  term.start(`${process.execPath} ${bin} ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} > ${out}; echo $? > ${code}`, { NO_COLOR: '1' });
  return { term, out, code };
}

/** Waits for a TerminalRun to exit (20s); its exit status. Fails with the screen when it does not. */
export async function terminalExit(run: TerminalRun): Promise<number> {
  const done = (): boolean => existsSync(run.code) && readFileSync(run.code, 'utf8').endsWith('\n');
  const end = Date.now() + 20_000;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`procsweep did not finish:\n${run.term.capture()}`);
  return Number(readFileSync(run.code, 'utf8'));
}

/**
 * A terminal suite's private world, cleaned up after it: a temp dir, the scope of the processes
 * it starts, and the terminals it opens. Call it inside `describe`.
 */
export function terminalWorld(tag: string): { dir: string; scope: Scope; terms: Tmux[] } {
  const dir = mkdtempSync(join(tmpdir(), `psw-${tag}-`));
  const scope = new Scope();
  const terms: Tmux[] = [];
  after(() => {
    for (const t of terms) t.kill();
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, scope, terms };
}
