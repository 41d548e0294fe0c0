import { readFileSync } from 'node:fs';

/** The transport of a socket, as `--port` and the JSON name it (IPv6 shows in the address). */
export type SocketProto = 'tcp' | 'udp' | 'unix';

/** What a socket is doing: `listening` (TCP LISTEN, unix accept), `bound` (UDP not connected, unix bound), `connected`, or a TCP closing state. */
export type SocketState = 'listening' | 'bound' | 'connected' | 'syn-sent' | 'syn-recv' | 'fin-wait1' | 'fin-wait2' | 'time-wait' | 'close' | 'close-wait' | 'last-ack' | 'closing';

/** One socket of `sockets` in `list --json`: local address and port (null for unix; the address is its path). */
export interface HeldSocket {
  proto: SocketProto;
  address: string;
  port: number | null;
  state: SocketState;
}

/** One row of a /proc/net table, keyed by the socket inode a process's fd links to. */
export interface NetEntry extends HeldSocket {
  inode: number;
}

/** The IP tables under /proc/net, with the protocol each holds. */
export const IP_TABLES: ReadonlyArray<{ file: string; proto: 'tcp' | 'udp' }> = [
  { file: 'tcp', proto: 'tcp' },
  { file: 'tcp6', proto: 'tcp' },
  { file: 'udp', proto: 'udp' },
  { file: 'udp6', proto: 'udp' },
];

// include/net/tcp_states.h
const TCP_STATES: Record<number, SocketState> = {
  1: 'connected', 2: 'syn-sent', 3: 'syn-recv', 4: 'fin-wait1', 5: 'fin-wait2', 6: 'time-wait',
  7: 'close', 8: 'close-wait', 9: 'last-ack', 10: 'listening', 11: 'closing',
};

/** The state of an IP socket from the table's hex `st` column: UDP is `connected` (01) or `bound`. */
export function socketState(proto: 'tcp' | 'udp', st: number): SocketState {
  if (proto === 'udp') return st === 1 ? 'connected' : 'bound';
  return TCP_STATES[st] ?? 'close';
}

/**
 * Decodes a /proc/net address (`0100007F:1F90`, or 32 hex digits for IPv6) into text and port.
 * The kernel prints each 32-bit word in host order (little-endian here); null when malformed.
 */
export function parseHexAddress(text: string): { address: string; port: number } | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const hex = text.slice(0, colon);
  const port = parseInt(text.slice(colon + 1), 16);
  if (!/^[0-9A-Fa-f]+$/.test(hex) || !Number.isInteger(port) || port < 0 || port > 65535) return null;
  const bytes: number[] = [];
  if (hex.length !== 8 && hex.length !== 32) return null;
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.length === 4) return { address: bytes.join('.'), port };
  // An IPv4-mapped address (::ffff:a.b.c.d) reads as the IPv4 address.
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { address: `::ffff:${bytes.slice(12).join('.')}`, port };
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return { address: compressIPv6(groups), port };
}

/** Shortens the longest run of zero groups to `::` (RFC 5952). */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * Parses /proc/net/{tcp,tcp6,udp,udp6}. `want` keeps only rows whose inode it accepts (the
 * sockets of the processes shown), so a busy host's table costs little. Inode 0 (TIME_WAIT,
 * no owner) is dropped: no process holds it.
 */
export function parseIpTable(text: string, proto: 'tcp' | 'udp', want?: (inode: number, port: number) => boolean): NetEntry[] {
  const out: NetEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const inode = Number(f[9]);
    if (!Number.isInteger(inode) || inode <= 0) continue;
    const local = parseHexAddress(f[1]);
    if (!local) continue;
    if (want && !want(inode, local.port)) continue;
    const st = parseInt(f[3], 16);
    out.push({ inode, proto, address: local.address, port: local.port, state: socketState(proto, st) });
  }
  return out;
}

const SO_ACCEPTCON = 0x10000;

/** Parses /proc/net/unix, keeping only sockets bound to a path (`@name` for the abstract namespace). */
export function parseUnixTable(text: string, want?: (inode: number) => boolean): NetEntry[] {
  const out: NetEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    // Num RefCount Protocol Flags Type St Inode Path (the path may contain spaces)
    const m = /^\s*[0-9a-fA-F]+:\s+[0-9a-fA-F]+\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+(\d+)(?: (.*))?$/.exec(lines[i]);
    if (!m || m[4] === undefined || m[4] === '') continue;
    const inode = Number(m[3]);
    if (want && !want(inode)) continue;
    const flags = parseInt(m[1], 16);
    const st = parseInt(m[2], 16);
    out.push({ inode, proto: 'unix', address: m[4], port: null, state: flags & SO_ACCEPTCON ? 'listening' : st === 3 ? 'connected' : 'bound' });
  }
  return out;
}

/** Reads a table under a net directory; '' when missing (no IPv6, a fixture without it). */
export function readNetFile(netDir: string, file: string): string {
  try {
    return readFileSync(`${netDir}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** Every socket of a net directory (`/proc/net`, `/proc/PID/net`) whose inode `want` accepts. */
export function readSockets(netDir: string, want: (inode: number) => boolean, withUnix = true): Map<number, NetEntry> {
  const out = new Map<number, NetEntry>();
  for (const t of IP_TABLES) for (const e of parseIpTable(readNetFile(netDir, t.file), t.proto, want)) out.set(e.inode, e);
  if (withUnix) for (const e of parseUnixTable(readNetFile(netDir, 'unix'), want)) out.set(e.inode, e);
  return out;
}
