import { spawnSync } from 'node:child_process';
import { readProcBytes } from '../procfs/reader.js';
import { readRecordFile } from '../../pidfiles/safefile.js';
import { parseCgroup } from './cgroup.js';
import { parseEnvironBytes } from './environ.js';
import { NOT_FOUND, type Evidence } from './types.js';

/**
 * Reads one process's ownership evidence under a proc root: its cgroup and the supervisor keys of
 * its environment. environ is readable only as root or as the same user; either file may be
 * missing (no cgroupfs, a vanished process): that part is null, i.e. unknown.
 */
export function readEvidence(root: string, pid: number): Evidence {
  const base = root.endsWith('/') ? root : `${root}/`;
  let cgroup: Evidence['cgroup'] = null;
  let env: Evidence['env'] = null;
  try {
    cgroup = parseCgroup(readProcBytes(`${base}${pid}/cgroup`).toString('utf8'));
  } catch {
    cgroup = null;
  }
  try {
    env = parseEnvironBytes(readProcBytes(`${base}${pid}/environ`));
  } catch {
    env = null;
  }
  return { cgroup, env };
}

/** Paths of the unix sockets something listens on (`/proc/net/unix`, state 01 = listening); null when unreadable. */
export function listeningUnixSockets(root: string): Set<string> | null {
  let text: string;
  try {
    text = readProcBytes(`${root.endsWith('/') ? root : `${root}/`}net/unix`).toString('utf8');
  } catch {
    return null;
  }
  const out = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[3] === '00010000') out.add(f.slice(7).join(' '));
  }
  return out;
}

/** The pid in a supervisor's pidfile (PM2's `pm2.pid`), read without trusting it; null when absent or not a pid. */
export function readPidFile(path: string): number | null {
  const r = readRecordFile(path, 64);
  if (!r.ok) return null;
  const text = Buffer.from(r.bytes).toString('utf8').trim();
  return /^\d{1,10}$/.test(text) && Number(text) > 1 ? Number(text) : null;
}

/**
 * The ActiveState of each systemd unit (`active`, `inactive`, `failed`, ...) from one
 * `systemctl show` call; a unit maps to null where systemctl does not answer (not installed, or
 * systemd is not PID 1 here), and to `not-found` where the system manager does not know it
 * (`LoadState=not-found`: systemctl then says `inactive`, which proves nothing).
 */
export function systemdUnitStates(units: readonly string[], env: NodeJS.ProcessEnv = process.env): Map<string, string | null> {
  const out = new Map<string, string | null>(units.map((u) => [u, null]));
  if (units.length === 0) return out;
  const r = spawnSync('systemctl', ['show', '--property=Id', '--property=LoadState', '--property=ActiveState', '--', ...units], { encoding: 'utf8', env, timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0 || typeof r.stdout !== 'string') return out;
  for (const block of r.stdout.split(/\n\s*\n/)) {
    const props = new Map(block.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
    const id = props.get('Id');
    const state = props.get('ActiveState');
    if (id && state && out.has(id)) out.set(id, props.get('LoadState') === NOT_FOUND ? NOT_FOUND : state);
  }
  return out;
}
