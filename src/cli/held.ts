import type { Context } from '../core/read/context.js';
import type { ResourceReport } from '../core/read/held/report.js';
import type { Plan } from '../core/decide/plan.js';
import { holdersOf, type ScanResult } from '../core/read/scan.js';
import type { CommandEnv } from './common.js';
import { writeLine } from './io.js';

/** With `--port`/`--holds`: every holder of each resource, and whether this plan touches it (else why not). */
export async function resourcesBefore(ctx: Context, scan: ScanResult, plan: Plan): Promise<ResourceReport[] | undefined> {
  if (!scan.holders) return undefined;
  const { describeResources } = await import('../core/read/held/report.js');
  const byPid = new Map(scan.findings.map((f) => [f.proc.pid, f]));
  const entries = new Map(plan.entries.map((e) => [e.pid, e]));
  return describeResources(scan.holders, {
    finding: (pid) => byPid.get(pid),
    probe: (pid) => ctx.backend.probe(pid),
    planned: (pid) => {
      const e = entries.get(pid);
      if (!e) return undefined;
      return e.action === 'signal' ? 'signal' : { skip: `is protected (${e.reason})` };
    },
  });
}

/** After acting: who still holds each resource (the check a route's start needs: "udp:6000 is free"). */
export async function resourcesAfter(ctx: Context, before: ResourceReport[]): Promise<ResourceReport[]> {
  const { describeAfter } = await import('../core/read/held/report.js');
  const after = await holdersOf(ctx);
  const out = before.map((r) => ({ ...r }));
  await describeAfter(out, after, { probe: (pid) => ctx.backend.probe(pid) });
  return out;
}

/** Prints the holder lines (human mode only; JSON carries them in `resources`). */
export async function printResources(env: CommandEnv, resources: ResourceReport[] | undefined): Promise<void> {
  if (!resources || env.json) return;
  const { loadPalette } = await import('../render/load-palette.js');
  const { renderResourceLines } = await import('../render/held.js');
  for (const line of renderResourceLines(resources, await loadPalette(env.colorOut))) writeLine(env.io.stdout, line);
}

/** The ports each planned process holds (`udp:6000 tcp:8554*`), for the plan drawing; read for the planned processes only. */
export async function planPorts(ctx: Context, plan: Plan): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const procfs = ctx.backend.procfs;
  if (!procfs) return out;
  const { portsText, readHeld } = await import('../core/read/held/held.js');
  const held = readHeld(procfs.root, plan.entries.filter((e) => e.action === 'signal').map((e) => e.pid));
  for (const [pid, h] of held) {
    const text = portsText(h.sockets);
    if (text && text !== '?') out.set(pid, text);
  }
  return out;
}

/** Whether a selected port or path is still held after acting: exit 1, so `sweep -y --port udp:6000 && start-route` starts only on a free port. */
export function stillHeld(resources: readonly ResourceReport[] | undefined): boolean {
  return (resources ?? []).some((r) => r.after !== null && r.after.length > 0);
}
