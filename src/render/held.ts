import { processName } from '../core/decide/classify.js';
import type { ResourceReport } from '../core/read/held/report.js';
import type { HolderIndex } from '../core/read/held/select.js';
import type { Extras } from '../core/decide/list-report.js';
import type { Finding } from '../core/types.js';
import { escapeText } from './escape.js';
import type { Palette } from './tone.js';

// Names and paths come from other users: control characters never reach the terminal.
const safe = escapeText;

/** A resource as a sentence starts it: `UDP 6000`, `Port 6000` (either protocol), or the path. */
export function resourceTitle(resource: string): string {
  const m = /^(udp|tcp):(\d+)$/.exec(resource);
  if (m) return `${m[1].toUpperCase()} ${m[2]}`;
  if (/^port \d+$/.test(resource)) return `P${resource.slice(1)}`;
  return safe(resource);
}

/** Under `list --port/--holds`: who holds each resource (matched or not), and why some holders could not be seen. */
export function renderHolderLines(index: HolderIndex | undefined, findings: readonly Finding[], extras: ReadonlyMap<number, Pick<Extras, 'unreadable'>>, p: Palette): string[] {
  const lines: string[] = [];
  const byPid = new Map(findings.map((f) => [f.proc.pid, f]));
  for (const r of index?.resources ?? []) {
    if (r.pids.length === 0) {
      lines.push(`${resourceTitle(r.resource)}: no process holds it${index!.unreadable ? ` that procsweep could see (${index!.unreadable} processes' descriptors were unreadable: run as root)` : ''}.`);
      continue;
    }
    const names = r.pids.map((pid) => {
      const f = byPid.get(pid);
      const name = f ? safe(processName(f.proc)) : '?';
      return f?.signature ? `${name} (PID ${pid}, ${f.signature})` : `${name} (PID ${pid}, ${p.yellow('matches no signature')})`;
    });
    lines.push(`${resourceTitle(r.resource)} is held by ${names.join(', ')}.`);
  }
  const denied = findings.filter((f) => extras.get(f.proc.pid)?.unreadable === 'denied').map((f) => f.proc.pid);
  if (index && denied.length > 0) {
    const list = denied.length > 5 ? `${denied.slice(0, 5).join(', ')}, ...` : denied.join(', ');
    lines.push(p.dim(`sockets and devices unknown for ${denied.length === 1 ? 'PID' : `${denied.length} processes, PIDs`} ${list}: cannot read their descriptors (another user's; run as root or as that user)`));
  }
  return lines;
}

/**
 * After `sweep`/`kill-group` selected by `--port`/`--holds`: the holders left alone and why
 * ("UDP 6000 is held by nginx (PID 812), which matches no signature: not touched"), then whether
 * each resource is free now.
 */
export function renderResourceLines(reports: readonly ResourceReport[], p: Palette): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    for (const h of r.heldBy) {
      if (!h.touched) lines.push(`${resourceTitle(r.resource)} is held by ${safe(h.name)} (PID ${h.pid}), which ${h.why ?? 'was left alone'}: ${p.yellow('not touched')}`);
    }
  }
  for (const r of reports) {
    if (r.after === null) {
      if (r.heldBy.length === 0) lines.push(`${safe(r.resource)} is free: no process holds it.`);
      continue;
    }
    if (r.after.length === 0) lines.push(p.green(`${safe(r.resource)} is free`));
    else lines.push(p.red(`${safe(r.resource)} is still held by ${r.after.map((h) => `${safe(h.name)} (PID ${h.pid})`).join(', ')}`));
  }
  return lines;
}
