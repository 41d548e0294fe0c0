import type { ProcessInfo } from '../../types.js';
import type { Evidence } from './types.js';

/** One keep rule: every given field must match. `source` names it in the `kept` reason. */
export interface KeepRule {
  /** Over the command line (argv joined by spaces). */
  args?: RegExp;
  uid?: number;
  /** A systemd unit (`cam-ingest` or `cam-ingest.service`). */
  unit?: string;
  /** A container id or its prefix (the short id). */
  container?: string;
  source: string;
}

/** Whether a cgroup unit is the named one; `.service` may be left off. */
export function unitMatches(unit: string | null | undefined, name: string): boolean {
  return !!unit && (unit === name || unit === `${name}.service`);
}

/** Whether a container id is the named one or starts with it (as `docker` accepts a prefix). */
export function containerMatches(id: string | null | undefined, name: string): boolean {
  return !!id && name.length > 0 && id.startsWith(name.toLowerCase());
}

/** Why a keep rule (or `PROCSWEEP_KEEP=1` in its environment) protects the process, or null. */
export function keptBy(p: ProcessInfo, ev: Evidence | null, rules: readonly KeepRule[]): string | null {
  if (ev?.env?.keep) return 'its environment has PROCSWEEP_KEEP=1: started on purpose, never swept';
  const cmd = p.argv.length ? p.argv.join(' ') : p.comm;
  for (const r of rules) {
    if (r.args && !r.args.test(cmd)) continue;
    if (r.uid !== undefined && p.uid !== r.uid) continue;
    if (r.unit !== undefined && !unitMatches(ev?.cgroup?.unit, r.unit)) continue;
    if (r.container !== undefined && !containerMatches(ev?.cgroup?.container?.id, r.container)) continue;
    return `keep rule ${r.source} matches it: never swept`;
  }
  return null;
}
