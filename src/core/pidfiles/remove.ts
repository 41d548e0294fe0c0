/** Safe removal: unlink pidfiles that are still the file that was judged; rewrite registries atomically. */
import { lstatSync, unlinkSync } from 'node:fs';
import { parseRegistryContent } from './parse.js';
import { readRecordFile, sameFile } from './safefile.js';
import { MAX_REGISTRY_BYTES, type PidfileEntry } from './types.js';
import { writeAtomic } from './write.js';

/** What happened to one entry asked to be removed. */
export type RemovalOutcome = 'removed' | 'already-gone' | 'would-remove' | 'refused' | 'failed';

/** One entry's removal, with a reason for anything but `removed`. */
export interface RemovalResult {
  entry: PidfileEntry;
  outcome: RemovalOutcome;
  reason: string;
}

/** Options of a removal. */
export interface RemoveOptions {
  /** Check everything, change nothing: outcomes are `would-remove`. */
  dryRun?: boolean;
}

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

function removePidfile(e: PidfileEntry, dryRun: boolean): RemovalResult {
  if (!e.file) return { entry: e, outcome: 'refused', reason: 'the file was never opened, so it cannot be confirmed; left alone' };
  let st;
  try {
    st = lstatSync(e.path);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { entry: e, outcome: 'already-gone', reason: 'already removed by someone else' };
    return { entry: e, outcome: 'failed', reason: `cannot examine it (${errCode(err)})` };
  }
  if (!st.isFile() || !sameFile(e.file, st)) {
    return { entry: e, outcome: 'refused', reason: 'the file changed since it was read (rewritten or replaced); left alone, run again' };
  }
  if (dryRun) return { entry: e, outcome: 'would-remove', reason: 'would remove (dry run)' };
  try {
    unlinkSync(e.path);
    return { entry: e, outcome: 'removed', reason: 'removed' };
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { entry: e, outcome: 'already-gone', reason: 'already removed by someone else' };
    return { entry: e, outcome: 'failed', reason: `could not remove it (${errCode(err)})` };
  }
}

/**
 * Start and end offsets of each element of a JSON array text (already known to parse), so kept
 * elements are written back byte for byte: big integers and unknown fields survive untouched.
 */
export function arrayElementSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      if (depth === 1 && start < 0) start = i;
    } else if (c === '[' || c === '{') {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        if (start >= 0) spans.push([start, trimEnd(text, i)]);
        break;
      }
    } else if (c === ',' && depth === 1) {
      spans.push([start, trimEnd(text, i)]);
      start = -1;
    } else if (depth === 1 && start < 0 && !/\s/.test(c)) start = i;
  }
  return spans;
}

function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1])) e--;
  return e;
}

/** Rebuilds an array from element texts in the layout of the original (indented or compact). */
export function formatArray(original: string, items: string[]): string {
  const tail = /\n\s*$/.test(original) ? '\n' : '';
  if (items.length === 0) return `[]${tail}`;
  const indent = /\[\s*\n([ \t]+)\S/.exec(original)?.[1];
  if (indent === undefined) return `[${items.join(original.includes(', ') ? ', ' : ',')}]${tail}`;
  return `[\n${items.map((t) => indent + t).join(',\n')}\n]${tail}`;
}

function rewriteRegistry(path: string, entries: PidfileEntry[], dryRun: boolean): RemovalResult[] {
  const all = (outcome: RemovalOutcome, reason: string): RemovalResult[] => entries.map((entry) => ({ entry, outcome, reason }));
  const r = readRecordFile(path, MAX_REGISTRY_BYTES);
  if (!r.ok) {
    if (!r.unsafe) return all('already-gone', 'the registry no longer exists');
    return all('refused', `the registry is no longer safe to rewrite: ${r.reason}`);
  }
  if (r.oversized) return all('refused', 'the registry grew past the size limit since it was read; left untouched');
  const parsed = parseRegistryContent(r.bytes);
  if (!parsed.ok) return all('refused', `the registry no longer parses (${parsed.reason}); left untouched`);
  const text = Buffer.from(r.bytes).toString('utf8');
  const spans = text.trim() === '' || text.trim() === 'null' ? [] : arrayElementSpans(text);
  if (spans.length !== parsed.elements.length) return all('refused', 'the registry could not be split into its entries; left untouched');
  const keys = parsed.elements.map((el) => JSON.stringify(el));
  const drop = new Set<number>();
  const results: RemovalResult[] = [];
  for (const e of entries) {
    const key = JSON.stringify(e.element);
    // Prefer the same position; otherwise the first identical element not yet taken (the
    // supervisor may have added or removed others since the read).
    let at = e.registryIndex !== undefined && keys[e.registryIndex] === key && !drop.has(e.registryIndex) ? e.registryIndex : -1;
    if (at < 0) at = keys.findIndex((k, i) => k === key && !drop.has(i));
    if (at < 0) {
      results.push({ entry: e, outcome: 'already-gone', reason: 'no longer in the registry' });
      continue;
    }
    drop.add(at);
    results.push({ entry: e, outcome: dryRun ? 'would-remove' : 'removed', reason: dryRun ? 'would remove from the registry (dry run)' : 'removed from the registry' });
  }
  if (drop.size === 0 || dryRun) return results;
  const kept = spans.filter((_, i) => !drop.has(i)).map(([s, e]) => text.slice(s, e));
  try {
    writeAtomic(path, formatArray(text, kept), { mode: r.file.mode, uid: r.file.uid, gid: r.file.gid });
  } catch (err) {
    return all('failed', `could not rewrite the registry (${errCode(err)}); it is unchanged`);
  }
  return results;
}

/**
 * Removes entries: each pidfile is unlinked only while it is still the very file that was
 * judged; registry entries are dropped by one atomic rewrite per registry (temp file + rename),
 * keeping every other entry byte for byte. Unsafe entries and whole unparsable registries are
 * refused, never touched.
 */
export async function removeEntries(entries: readonly PidfileEntry[], opts: RemoveOptions = {}): Promise<RemovalResult[]> {
  const dryRun = Boolean(opts.dryRun);
  const results: RemovalResult[] = [];
  const registries = new Map<string, PidfileEntry[]>();
  for (const e of entries) {
    if (e.status === 'unsafe') results.push({ entry: e, outcome: 'refused', reason: 'unsafe entries are never touched' });
    else if (e.format !== 'registry') results.push(removePidfile(e, dryRun));
    else if (e.registryIndex === undefined) results.push({ entry: e, outcome: 'refused', reason: 'a registry that cannot be read as entries is left untouched' });
    else {
      const list = registries.get(e.path);
      if (list) list.push(e);
      else registries.set(e.path, [e]);
    }
  }
  for (const [path, list] of registries) results.push(...rewriteRegistry(path, list, dryRun));
  const order = new Map(entries.map((e, i) => [e, i]));
  return results.sort((a, b) => order.get(a.entry)! - order.get(b.entry)!);
}
