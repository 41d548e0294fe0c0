import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { readFdLinks } from './fds.js';
import { IP_TABLES, parseIpTable, readNetFile } from './net.js';

/** One `--port [PROTO:]N`: a local port, of one protocol or of either. */
export interface PortSpec {
  proto: 'tcp' | 'udp' | null;
  port: number;
}

/** `--port` and `--holds`: select the processes that hold any of the ports and any of the paths. */
export interface HeldSelector {
  ports: PortSpec[];
  holds: string[];
}

/** Parses `--port` text: `6000`, `udp:6000`, `tcp:8554`. UsageError otherwise. */
export function parsePortSpec(text: string): PortSpec {
  const m = /^(?:(udp|tcp):)?(\d{1,5})$/i.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new UsageError(`--port '${text}': give a port number 1-65535, optionally with udp: or tcp: (e.g. --port udp:6000)`);
  }
  return { proto: m[1] ? (m[1].toLowerCase() as 'tcp' | 'udp') : null, port };
}

/** The label of a port spec as the output shows it: `udp:6000`, or `port 6000` for either protocol. */
export function portLabel(s: PortSpec): string {
  return s.proto ? `${s.proto}:${s.port}` : `port ${s.port}`;
}

/** Who holds one resource. */
export interface ResourceHolders {
  /** `udp:6000`, `port 6000`, or the path. */
  resource: string;
  kind: 'port' | 'path';
  /** Holding pids, ascending. */
  pids: number[];
}

/** The holders of every selected resource, and the processes the selector keeps. */
export interface HolderIndex {
  resources: ResourceHolders[];
  /** Processes that hold one of the ports (when any is given) and one of the paths (when any is given). */
  selected: Set<number>;
  /** Holders whose descriptors could not be read are unknown: how many were skipped. */
  unreadable: number;
}

/** The names a held path can show as in /proc/PID/fd: as given, resolved through symlinks, and deleted. */
function pathForms(path: string): string[] {
  const abs = resolve(path);
  const forms = new Set([abs]);
  try {
    forms.add(realpathSync(abs));
  } catch {
    /* not there (any more): an fd may still show it as deleted */
  }
  for (const f of [...forms]) forms.add(`${f} (deleted)`);
  return [...forms];
}

/**
 * Finds who holds the selected ports and paths. Ports are mapped to socket inodes from the host's
 * /proc/net tables first (no table row, no holder: nothing else is read); then every process's fd
 * links are read, as `ss -p` and `fuser` do, since a holder need not match any signature.
 */
export function findHolders(root: string, sel: HeldSelector, pids: readonly number[]): HolderIndex {
  const resources: ResourceHolders[] = [
    ...sel.ports.map((p) => ({ resource: portLabel(p), kind: 'port' as const, pids: [] as number[] })),
    ...sel.holds.map((h) => ({ resource: resolve(h), kind: 'path' as const, pids: [] as number[] })),
  ];
  // inode -> indexes of the port resources it serves
  const inodes = new Map<number, number[]>();
  if (sel.ports.length > 0) {
    const wanted = new Set(sel.ports.map((p) => p.port));
    for (const t of IP_TABLES) {
      const specs = sel.ports.map((p, i) => ({ p, i })).filter(({ p }) => p.proto === null || p.proto === t.proto);
      if (specs.length === 0) continue;
      for (const e of parseIpTable(readNetFile(`${root}/net`, t.file), t.proto, (_i, port) => wanted.has(port))) {
        for (const { p, i } of specs) if (p.port === e.port) inodes.set(e.inode, [...(inodes.get(e.inode) ?? []), i]);
      }
    }
  }
  const paths = new Map<string, number>();
  sel.holds.forEach((h, k) => {
    for (const f of pathForms(h)) paths.set(f, sel.ports.length + k);
  });
  const selected = new Set<number>();
  let unreadable = 0;
  if (inodes.size > 0 || paths.size > 0) {
    for (const pid of pids) {
      const l = readFdLinks(root, pid);
      if (typeof l === 'string') {
        if (l === 'denied') unreadable++;
        continue;
      }
      const hit = new Set<number>();
      for (const i of l.sockets) for (const r of inodes.get(i) ?? []) hit.add(r);
      if (paths.size > 0) for (const p of l.paths) {
        const r = paths.get(p);
        if (r !== undefined) hit.add(r);
      }
      if (hit.size === 0) continue;
      for (const r of hit) resources[r].pids.push(pid);
      const port = sel.ports.length === 0 || [...hit].some((r) => r < sel.ports.length);
      const path = sel.holds.length === 0 || [...hit].some((r) => r >= sel.ports.length);
      if (port && path) selected.add(pid);
    }
  }
  for (const r of resources) r.pids.sort((a, b) => a - b);
  return { resources, selected, unreadable };
}
