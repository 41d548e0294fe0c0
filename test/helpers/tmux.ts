import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

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
