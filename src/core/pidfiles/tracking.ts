import type { TrackingIndex } from '../decide/classify.js';
import { entrySource, type PidfileEntry } from './types.js';

/**
 * The tracking index classify needs: every `live` entry's PID with the start time it had when
 * judged (so a PID reused since never counts as tracked). `sources` are the dirs and
 * registries searched, for the `untracked` reason; `missing` the ones that could not be looked
 * at. Invalid and unsafe records join them as gaps: what they name is unknown.
 */
export function trackingIndex(entries: readonly PidfileEntry[], sources?: readonly string[], missing: readonly string[] = []): TrackingIndex {
  const map: TrackingIndex['entries'] = new Map();
  const gaps = [...missing];
  for (const e of entries) {
    if (e.status === 'invalid' || e.status === 'unsafe') gaps.push(`${e.registryIndex === undefined ? e.path : entrySource(e)} is ${e.status}: ${e.reason}`);
    if (e.status !== 'live' || e.pid === null || map.has(e.pid)) continue;
    map.set(e.pid, { startTicks: e.startTicks, source: entrySource(e) });
  }
  return { entries: map, sources: sources ? [...sources] : [...new Set(entries.map((e) => e.path))], gaps };
}
