// The live progress line, apart from the report renderers: it is drawn while the engine acts, and
// importing it must not load the table and colour libraries (cli-table3, chalk) before the first signal.

/** Live counters for the progress line. */
export interface ProgressCounts {
  total: number;
  terminated: number;
  killed: number;
  escalated: number;
  other: number;
  /** The engine's phase (freeze, terminate, wait, kill, verify), when known. */
  phase?: string;
  /** When the grace ends and SIGKILL goes to the rest (epoch ms), during `wait`. */
  killAt?: number | null;
  /** The time the line is drawn at (epoch ms), for the countdown. */
  now?: number;
}

/** The one-line progress shown on stderr while acting: terminated / escalated to KILL / left. */
export function progressLine(c: ProgressCounts): string {
  const left = Math.max(0, c.total - c.terminated - c.killed - c.other);
  const done = [`${c.terminated} terminated`, ...(c.killed ? [`${c.killed} killed (needed SIGKILL)`] : []), ...(c.other ? [`${c.other} other (see the report)`] : [])].join(', ');
  if (c.phase === 'wait' && c.killAt != null && c.now !== undefined) {
    const secs = Math.max(0, (c.killAt - c.now) / 1000);
    return `procsweep: ${done}, ${left} left; SIGKILL in ${secs < 10 ? secs.toFixed(1) : Math.ceil(secs)}s to ${left === 1 ? 'it' : 'those'} if still running`;
  }
  if (c.phase === 'kill' || c.phase === 'verify') return `procsweep: grace over, SIGKILL sent to ${c.escalated}; ${done}, ${left} left`;
  return `procsweep: ${c.terminated} terminated, ${c.escalated} escalated to KILL, ${left} left`;
}
