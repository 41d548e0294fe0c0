import { processName } from '../../decide/classify.js';
import type { Finding, ProcessInfo } from '../../types.js';
import type { HolderIndex } from './select.js';

/** A process that holds a selected resource, as reports name it. */
export interface HolderRef {
  pid: number;
  /** argv[0]'s basename, or comm. */
  name: string;
  signature: string | null;
  /** Whether this run signals (or, in a dry run, would signal) it. */
  touched: boolean;
  /** Why it is left alone, when it is. */
  why: string | null;
}

/** One `--port` / `--holds` resource in the `sweep` / `kill-group` JSON: who held it, and who still does after acting. */
export interface ResourceReport {
  resource: string;
  kind: 'port' | 'path';
  heldBy: HolderRef[];
  /** Holders after acting: [] means free; null in a dry run. */
  after: HolderRef[] | null;
}

/** How a holder is looked up: its finding (matched or not), and a fresh read when it is not in the scan. */
export interface HolderLookup {
  finding: (pid: number) => Finding | undefined;
  probe: (pid: number) => Promise<ProcessInfo | null>;
  /** The plan's verdict on a pid: 'signal', or a skip reason, or undefined when it is not in the plan. */
  planned: (pid: number) => 'signal' | { skip: string } | undefined;
}

/** Names the holders of each resource and says which ones this run touches and why the others are left. */
export async function describeResources(index: HolderIndex, look: HolderLookup): Promise<ResourceReport[]> {
  const out: ResourceReport[] = [];
  for (const r of index.resources) {
    const heldBy: HolderRef[] = [];
    for (const pid of r.pids) heldBy.push(await holderRef(pid, look));
    out.push({ resource: r.resource, kind: r.kind, heldBy, after: null });
  }
  return out;
}

async function holderRef(pid: number, look: HolderLookup): Promise<HolderRef> {
  const f = look.finding(pid);
  const proc = f?.proc ?? (await look.probe(pid));
  const name = proc ? processName(proc) : '?';
  const signature = f?.signature ?? null;
  const verdict = look.planned(pid);
  if (verdict === 'signal') return { pid, name, signature, touched: true, why: null };
  let why: string;
  if (!signature) why = 'matches no signature';
  else if (verdict) why = verdict.skip;
  else why = f && f.flags.length ? `is ${f.flags.join(', ')} but not a target of this run` : 'is not a suspect (no orphan or other target flag)';
  return { pid, name, signature, touched: false, why };
}

/** Fills in who still holds each resource after acting, from a fresh holder index. */
export async function describeAfter(reports: ResourceReport[], after: HolderIndex, look: Pick<HolderLookup, 'probe'>): Promise<void> {
  for (const r of reports) {
    const now = after.resources.find((x) => x.resource === r.resource && x.kind === r.kind);
    const refs: HolderRef[] = [];
    for (const pid of now?.pids ?? []) {
      const proc = await look.probe(pid);
      refs.push({ pid, name: proc ? processName(proc) : '?', signature: null, touched: false, why: null });
    }
    r.after = refs;
  }
}
