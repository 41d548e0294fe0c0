import { readdirSync, readlinkSync, statSync } from 'node:fs';

/** What one process's /proc/PID/fd shows: its descriptor count, socket inodes and open paths. */
export interface FdLinks {
  count: number;
  sockets: number[];
  /** Link targets that are paths (files, FIFOs, devices); ` (deleted)` kept as the kernel writes it. */
  paths: string[];
}

/** Why a process's descriptors could not be read: `denied` (another user's, not root) or `gone`. */
export type FdReadError = 'denied' | 'gone';

/** Reads every fd link of one process; an error kind when the directory cannot be read. */
export function readFdLinks(root: string, pid: number): FdLinks | FdReadError {
  const dir = `${root}/${pid}/fd`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'denied' : 'gone';
  }
  const sockets: number[] = [];
  const paths: string[] = [];
  for (const n of names) {
    let target: string;
    try {
      target = readlinkSync(`${dir}/${n}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    if (target.charCodeAt(0) === 47) paths.push(target);
    else {
      const inode = socketInode(target);
      if (inode !== null) sockets.push(inode);
    }
  }
  return { count: names.length, sockets, paths };
}

/** The inode of a socket fd link text (`socket:[123]`), or null. */
export function socketInode(link: string): number | null {
  if (!link.startsWith('socket:[')) return null;
  const n = Number(link.slice(8, -1));
  return Number.isInteger(n) && n > 0 ? n : null;
}

// Every process has some of these open; listing them would hide the devices that matter.
const PSEUDO = /^\/dev\/(null|zero|full|random|urandom|tty\d*|console|ptmx|pts\/.*|kmsg)$/;
// Media devices, counted even where the path cannot be stat'ed (a fixture tree, a container's /dev).
const MEDIA = /^\/dev\/(video\d+|media\d+|dri\/.+|snd\/.+|v4l-.+|dvb\/.+)$/;

/**
 * The devices among open paths: cameras, GPUs and sound (/dev/video*, /dev/dri/*, /dev/snd/*),
 * and any other character device except the pseudo devices every process holds (null, zero,
 * random, terminals). Sorted, without duplicates.
 */
export function devicesOf(paths: readonly string[], isCharDevice: (path: string) => boolean = charDevice): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    if (!p.startsWith('/dev/') || PSEUDO.test(p)) continue;
    if (MEDIA.test(p) || isCharDevice(p)) out.add(p);
  }
  return [...out].sort();
}

function charDevice(path: string): boolean {
  try {
    return statSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}
