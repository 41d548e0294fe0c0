import type { Plan } from '../../decide/plan.js';
import type { Finding } from '../../types.js';
import type { HolderIndex } from './select.js';

/**
 * `--port`/`--holds` never make an unmatched holder a target: a holder of a selected resource
 * that matches no signature is skipped even inside a planned tree or process group. Pure.
 */
export function spareUnmatchedHolders(plan: Plan, index: HolderIndex | undefined, findings: readonly Finding[]): Plan {
  if (!index) return plan;
  const matched = new Set(findings.filter((f) => f.signature).map((f) => f.proc.pid));
  const held = new Map<number, string>();
  for (const r of index.resources) for (const pid of r.pids) if (!matched.has(pid) && !held.has(pid)) held.set(pid, r.resource);
  if (held.size === 0) return plan;
  const entries = plan.entries.map((e) => {
    const what = held.get(e.pid);
    if (what === undefined || e.action !== 'signal') return e;
    return { ...e, action: 'skip' as const, reason: `it holds ${what} but matches no signature: --port/--holds never make it a target` };
  });
  const candidates = plan.candidates.filter((c) => entries.some((e) => e.candidate === c && e.action === 'signal'));
  return { ...plan, entries, candidates };
}
