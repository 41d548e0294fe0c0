import { writeSync } from 'node:fs';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

/**
 * The terminal's alternate screen for a full-screen view: entered once, redrawn in place, and
 * always left again: on a normal return, on a crash (before the stack trace is printed, so it
 * stays visible), and on any exit path, with a synchronous write that works inside 'exit'.
 */
export class AltScreen {
  private active = false;
  private readonly onExit = (): void => this.leave();

  constructor(private readonly fd: number) {}

  /** Switches to the alternate screen and hides the cursor. */
  enter(): void {
    if (this.active) return;
    this.active = true;
    this.write(ENTER);
    process.on('exit', this.onExit);
    process.on('uncaughtExceptionMonitor', this.onExit);
  }

  /** Replaces the screen's content with these lines (already fitted to the width). */
  draw(lines: readonly string[]): void {
    if (!this.active) return;
    this.write('\x1b[H' + lines.map((l) => `${l}\x1b[K`).join('\r\n') + '\x1b[J');
  }

  /** Restores the normal screen and the cursor; safe to call more than once. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    this.write(LEAVE);
    process.off('exit', this.onExit);
    process.off('uncaughtExceptionMonitor', this.onExit);
  }

  private write(s: string): void {
    const buf = Buffer.from(s);
    let off = 0;
    let tries = 0;
    while (off < buf.length && tries < 1000) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return; // the terminal is gone
        tries++;
      }
    }
  }
}
