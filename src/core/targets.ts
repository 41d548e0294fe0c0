import { UsageError } from './errors.js';
import type { Flag } from './types.js';

/** `sweep --target` names and the flag each one selects. */
export const SWEEP_TARGETS = {
  orphans: 'orphan',
  detached: 'detached',
  untracked: 'untracked',
  duplicates: 'duplicate',
  'long-lived': 'long-lived',
} as const satisfies Record<string, Flag>;

/** A `--target` name. */
export type SweepTargetName = keyof typeof SWEEP_TARGETS;

/** Parses `--target` names (comma lists already split); `all` selects every one. */
export function parseSweepTargets(names: readonly string[]): Flag[] {
  const known = Object.keys(SWEEP_TARGETS);
  const out = new Set<Flag>();
  for (const n of names) {
    if (n === 'all') for (const f of Object.values(SWEEP_TARGETS)) out.add(f);
    else if (n in SWEEP_TARGETS) out.add(SWEEP_TARGETS[n as SweepTargetName]);
    else throw new UsageError(`--target: unknown target '${n}'; use ${known.join(', ')} or all`);
  }
  return [...out];
}
