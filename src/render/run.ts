import { formatDuration, formatSpan as dur } from '../core/duration.js';
import { UNENDED_OUTCOMES } from '../core/act/outcomes.js';
import type { RunEvent, TerminateReport } from '../core/run/supervisor.js';

/** What the lines need besides the event: CMD's name and the grace period. */
export interface RunRenderContext {
  name: string;
  graceMs: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** One clause per outcome: `1 terminated, 1 killed after the 3s grace`, plus a line per survivor. */
export function summarizeTermination(report: TerminateReport, graceMs: number): string[] {
  const counts = new Map<string, number>();
  for (const r of report.results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const words: Record<string, string> = { killed: `killed after the ${dur(graceMs)} grace` };
  const parts = [...counts].map(([outcome, n]) => `${n} ${words[outcome] ?? outcome}`);
  const lines = [parts.length ? parts.join(', ') : 'nothing left to stop'];
  for (const r of report.results) {
    if (UNENDED_OUTCOMES.has(r.outcome)) lines.push(`pid ${r.pid} ${r.outcome}: ${r.reason}`);
  }
  return lines;
}

/** The stderr lines for one supervisor event, without the `procsweep run[PID]:` prefix. */
export function renderRunEvent(e: RunEvent, ctx: RunRenderContext): string[] {
  const { name, graceMs } = ctx;
  switch (e.type) {
    case 'started': {
      const again = e.child.start > 1 ? ` again (start ${e.child.start})` : '';
      return [`started ${name}${again} as pid ${e.child.pid}${e.child.pidfile ? `, pidfile ${e.child.pidfile}` : ''}`];
    }
    case 'exited': {
      const how = e.exit.signal ? `was killed by ${e.exit.signal} (status ${e.status})` : `exited with status ${e.status}`;
      return [`${name} (pid ${e.child.pid}) ${how} after ${formatDuration(e.uptimeMs)}`];
    }
    case 'leftovers': {
      const [first, ...rest] = summarizeTermination(e.report, graceMs);
      return [`${name} (pid ${e.child.pid}) left ${plural(e.pids.length, 'process', 'processes')} in its process group (${e.pids.join(', ')}): ${first}`, ...rest];
    }
    case 'restarting': {
      const of = e.maxRestarts === null ? ', no limit' : ` of ${e.maxRestarts}`;
      return [`restarting ${name} in ${dur(e.delayMs)} (restart ${e.restart}${of})`];
    }
    case 'gave-up':
      return [`giving up: ${name} exited with status ${e.status} after ${plural(e.restarts, 'restart')} (--max-restarts ${e.maxRestarts}); exiting with status ${e.status}`];
    case 'stopping':
      return e.child
        ? [`${e.reason}: stopping ${name} (pid ${e.child.pid}) and its process group with ${e.signal}, SIGKILL after ${dur(graceMs)}; not restarting`]
        : [`${e.reason}: not restarting ${name}`];
    case 'stopped': {
      const [first, ...rest] = summarizeTermination(e.report, graceMs);
      return [`stopped ${name} (pid ${e.child.pid}): ${first}`, ...rest];
    }
    case 'forwarded':
      return [`received ${e.signal}: passed to ${name}'s process group (pid ${e.child.pid}); still supervising`];
    case 'escalated':
      return [`second stop signal: SIGKILL to ${name}'s process group (${e.child.pid}) now`];
    case 'warning':
      return [`warning: ${e.message}`];
  }
}
