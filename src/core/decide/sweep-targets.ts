import type { TrackingIndex } from './classify.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { ALL_FLAGS, SWEEP_TARGETS, type Flag } from './flags.js';

export { DEFAULT_TARGETS, SWEEP_TARGETS, type SweepTargetName } from './flags.js';

/** A flag named in the singular or the plural (`orphan`, `orphans`), or null: list --flag and sweep --target take either. */
export function flagNamed(word: string): Flag | null {
  const w = word.trim().toLowerCase();
  for (const f of ALL_FLAGS) if (w === f || w === `${f}s`) return f;
  return null;
}

/** Parses `--target` names (comma lists already split), singular or plural alike; `all` selects every one. */
export function parseSweepTargets(names: readonly string[]): Flag[] {
  const known = Object.keys(SWEEP_TARGETS);
  const targets = Object.values(SWEEP_TARGETS) as Flag[];
  const out = new Set<Flag>();
  for (const n of names) {
    const f = flagNamed(n);
    if (n === 'all') for (const t of targets) out.add(t);
    else if (f && targets.includes(f)) out.add(f);
    else throw new UsageError(`--target: unknown target '${n}'; use ${known.join(', ')} or all (singular or plural)`);
  }
  return [...out];
}

/**
 * `untracked` kills what no record names, so it needs records, and all of them readable: a
 * registry that does not parse or a pid dir that is not there would make every worker it names
 * look untracked. `named`: untracked was asked for by name (not only through `all`), which
 * without any record source is bad input; through `all` it then simply selects nothing.
 */
export function checkUntrackedTarget(targets: readonly Flag[], named: boolean, tracking: TrackingIndex | undefined): void {
  if (!targets.includes('untracked')) return;
  if (!tracking) {
    if (named) throw new UsageError('--target untracked needs the records that track workers: give --pid-dir DIR or --registry FILE (or set pidDirs/registries in the config)');
    return;
  }
  const gaps = tracking.gaps ?? [];
  if (gaps.length === 0) return;
  const shown = gaps.slice(0, 3).join('; ') + (gaps.length > 3 ? `; and ${gaps.length - 3} more` : '');
  throw new EnvironmentError(`refusing --target untracked: ${gaps.length} record${gaps.length === 1 ? '' : 's'} could not be read, so a worker they name would look untracked (${shown}). Fix or remove them (procsweep pidfiles list shows each), or sweep another target. Nothing was signalled`);
}
