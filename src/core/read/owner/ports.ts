import { join } from 'node:path';
import type { ProcessInfo } from '../../types.js';
import { listeningUnixSockets, readEvidence, readPidFile, systemdUnitStates } from './read.js';
import type { OwnerPorts } from './resolve.js';
import type { Evidence } from './types.js';

/** How long a unit's state is reused (watch rescans every 2 s; one systemctl call per window). */
const UNIT_TTL_MS = 5000;
const EVIDENCE_CACHE = 8192;

/**
 * The ownership ports of a proc tree. Evidence is cached by process identity (pid + start
 * time): a process's environment never changes and a move between cgroups is rare, so `watch`
 * reads each worker's files once. systemd is asked only about the live /proc, where this
 * machine's units are the ones named.
 */
export function procfsOwnerPorts(root: string, now: () => number = Date.now): () => OwnerPorts {
  const cache = new Map<string, Evidence>();
  const units = new Map<string, { state: string | null; at: number }>();
  const live = root === '/proc';
  return () => ({
    evidence(p: ProcessInfo): Evidence {
      const id = `${p.pid}:${p.startTicks ?? '?'}`;
      let ev = p.startTicks === null ? undefined : cache.get(id);
      if (!ev) {
        ev = readEvidence(root, p.pid);
        if (cache.size >= EVIDENCE_CACHE) cache.clear();
        if (p.startTicks !== null) cache.set(id, ev);
      }
      return ev;
    },
    unitStates(names: readonly string[]): Map<string, string | null> {
      const out = new Map<string, string | null>();
      if (!live) {
        for (const n of names) out.set(n, null);
        return out;
      }
      const t = now();
      const stale = names.filter((n) => {
        const c = units.get(n);
        return !c || t - c.at > UNIT_TTL_MS;
      });
      if (stale.length) for (const [n, state] of systemdUnitStates(stale)) units.set(n, { state, at: t });
      for (const n of names) out.set(n, units.get(n)?.state ?? null);
      return out;
    },
    pm2Pid: (home: string) => readPidFile(join(home, 'pm2.pid')),
    unixListeners: () => listeningUnixSockets(root),
  });
}
