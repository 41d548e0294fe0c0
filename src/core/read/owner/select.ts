import { UsageError } from '../../errors.js';
import { containerMatches, unitMatches } from './keep.js';
import { OWNER_KINDS, type Evidence, type Owner, type OwnerKind } from './types.js';

/** `--unit`, `--container`, `--owner KIND[:NAME]`: narrow to processes with this owner evidence (AND). */
export interface OwnerSelector {
  unit?: string;
  container?: string;
  owner?: { kind: OwnerKind; name?: string };
}

/** Parses `--owner KIND[:NAME]`; bad input is a UsageError naming the kinds. */
export function parseOwnerSpec(spec: string): { kind: OwnerKind; name?: string } {
  const i = spec.indexOf(':');
  const kind = (i < 0 ? spec : spec.slice(0, i)).trim();
  const name = i < 0 ? undefined : spec.slice(i + 1);
  if (!(OWNER_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--owner: unknown kind '${kind}'; use KIND or KIND:NAME with KIND one of ${OWNER_KINDS.join(', ')}`);
  if (name !== undefined && name.length === 0) throw new UsageError(`--owner ${spec}: the name after ':' is empty; give KIND alone or KIND:NAME`);
  return { kind: kind as OwnerKind, name };
}

/** Whether any selector is set. */
export function hasSelector(s: OwnerSelector | undefined): s is OwnerSelector {
  return !!s && (s.unit !== undefined || s.container !== undefined || s.owner !== undefined);
}

/** Whether a process's evidence and owner satisfy every given selector. */
export function selects(s: OwnerSelector, ev: Evidence | null, owner: Owner | null): boolean {
  if (s.unit !== undefined && !unitMatches(ev?.cgroup?.unit, s.unit) && !(owner?.kind === 'systemd' && unitMatches(owner.name, s.unit))) return false;
  if (s.container !== undefined && !containerMatches(ev?.cgroup?.container?.id, s.container)) return false;
  if (s.owner) {
    if (!owner || owner.kind !== s.owner.kind) return false;
    if (s.owner.name !== undefined && owner.name !== s.owner.name) return false;
  }
  return true;
}
