import { readlinkSync } from 'node:fs';
import { readNofileLimit } from '../procfs/limits.js';
import { devicesOf, readFdLinks, type FdLinks } from './fds.js';
import { readSockets, type HeldSocket, type NetEntry } from './net.js';

/**
 * What one process holds (design.md section 7): descriptor count, sockets, devices, and its own
 * RLIMIT_NOFILE. `sockets`/`devices` are null when its fd directory could not be read, which is
 * not the same as empty; `note` then says why.
 */
export interface Held {
  fds: number | null;
  /** Soft RLIMIT_NOFILE from /proc/PID/limits; Infinity for unlimited, null when unknown. */
  fdLimit: number | null;
  sockets: HeldSocket[] | null;
  devices: string[] | null;
  /** Open paths (files, FIFOs, devices), for `--holds`; null when unreadable. */
  paths: string[] | null;
  note: string | null;
  /** Why the descriptors are unknown: another user's (`denied`) or exited (`gone`); null when read. */
  unreadable: 'denied' | 'gone' | null;
}

/** The note for a process whose descriptors cannot be read. */
export function unreadableNote(pid: number, why: 'denied' | 'gone'): string {
  return why === 'denied'
    ? `cannot read /proc/${pid}/fd: it is another user's process (run as root or as its user to see its sockets and devices)`
    : `it exited before its descriptors could be read`;
}

/** The network namespace link of a process (`net:[4026531833]`), or null (a fixture, denied). */
function netNamespace(root: string, pid: number | 'self'): string | null {
  try {
    return readlinkSync(`${root}/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/**
 * Reads what each of `pids` holds: fd links first, then each network namespace's socket tables
 * once, keeping only the rows of the inodes those processes hold. Only for the processes shown
 * or planned: never the whole table. Tables are read only when some process holds a socket.
 */
export function readHeld(root: string, pids: Iterable<number>): Map<number, Held> {
  const out = new Map<number, Held>();
  const links = new Map<number, FdLinks>();
  // Sockets are looked up in the process's own network namespace (a container's ports are not the host's).
  const byNs = new Map<string, { dir: string; inodes: Set<number> }>();
  const nsOf = new Map<number, string>();
  const hostNs = netNamespace(root, 'self') ?? 'host';
  for (const pid of pids) {
    if (out.has(pid)) continue;
    const fdLimit = readNofileLimit(root, pid);
    const l = readFdLinks(root, pid);
    if (typeof l === 'string') {
      out.set(pid, { fds: null, fdLimit, sockets: null, devices: null, paths: null, note: unreadableNote(pid, l), unreadable: l });
      continue;
    }
    links.set(pid, l);
    out.set(pid, { fds: l.count, fdLimit, sockets: [], devices: devicesOf(l.paths), paths: l.paths, note: null, unreadable: null });
    if (l.sockets.length === 0) continue;
    const ns = netNamespace(root, pid);
    const key = ns ?? hostNs;
    nsOf.set(pid, key);
    let g = byNs.get(key);
    if (!g) byNs.set(key, (g = { dir: ns && ns !== hostNs ? `${root}/${pid}/net` : `${root}/net`, inodes: new Set() }));
    for (const i of l.sockets) g.inodes.add(i);
  }
  const tables = new Map<string, Map<number, NetEntry>>();
  for (const [key, g] of byNs) tables.set(key, readSockets(g.dir, (i) => g.inodes.has(i)));
  for (const [pid, key] of nsOf) {
    const table = tables.get(key)!;
    const h = out.get(pid)!;
    const seen = new Set<number>();
    h.sockets = [];
    for (const i of links.get(pid)!.sockets) {
      const e = table.get(i);
      if (!e || seen.has(i)) continue;
      seen.add(i);
      h.sockets.push({ proto: e.proto, address: e.address, port: e.port, state: e.state });
    }
    h.sockets.sort(compareSockets);
  }
  return out;
}

const PROTO_ORDER = { udp: 0, tcp: 1, unix: 2 } as const;

function compareSockets(a: HeldSocket, b: HeldSocket): number {
  return PROTO_ORDER[a.proto] - PROTO_ORDER[b.proto] || (a.port ?? 0) - (b.port ?? 0) || a.address.localeCompare(b.address);
}

/**
 * The compact ports text of the human table: bound and listening IP ports (`udp:6000 tcp:8554*`,
 * `*` = listening), then `+N` for connected sockets; `?` when unreadable, '' when none.
 */
export function portsText(sockets: readonly HeldSocket[] | null): string {
  if (sockets === null) return '?';
  const shown = new Set<string>();
  let connected = 0;
  for (const s of sockets) {
    if (s.proto === 'unix') continue;
    if (s.state === 'listening' || s.state === 'bound') shown.add(`${s.proto}:${s.port}${s.state === 'listening' ? '*' : ''}`);
    else connected++;
  }
  const parts = [...shown];
  if (connected > 0) parts.push(`+${connected}`);
  return parts.join(' ');
}
