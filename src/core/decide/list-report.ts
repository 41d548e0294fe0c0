/** The `list --json` report: every listed process as a record, the summary counts, and the extras (ports, pidfiles). */
import { ageMs, cpuPercent } from './classify.js';
import type { Backend } from '../read/backend/index.js';
import { readHeld } from '../read/held/held.js';
import type { HeldSocket } from '../read/held/net.js';
import { ALL_FLAGS } from './flags.js';
import type { BackendName, Finding, Flag, Role, Snapshot } from '../types.js';
import { userName } from '../read/users.js';
import type { Owner } from '../read/owner/types.js';

/** One process in `list --json` (design.md section 7). Unknown values are null. */
export interface ProcessRecord {
  pid: number;
  ppid: number;
  pgid: number | null;
  sid: number | null;
  uid: number | null;
  user: string | null;
  state: string;
  startedAt: string | null;
  ageSeconds: number | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  threads: number | null;
  fds: number | null;
  argv: string[];
  exe: string | null;
  signature: string | null;
  role: Role;
  flags: Flag[];
  reasons: Partial<Record<Flag, string>>;
  pidfile: string | null;
  /** Local sockets (null: its descriptors could not be read, see heldNote). */
  sockets: HeldSocket[] | null;
  /** Open devices: cameras, GPUs, sound, other character devices (null: unreadable). */
  devices: string[] | null;
  /** Its own soft RLIMIT_NOFILE (null: unknown or unlimited). */
  fdLimit: number | null;
  /** Why sockets and devices are null, when they are. */
  heldNote: string | null;
  /** Its owner from the strongest evidence, or null when none is known (design.md section 4). */
  owner: Owner | null;
}

/** Counts under the list. */
export interface ListSummary {
  scanned: number;
  matched: number;
  wrappers: number;
  flags: Record<Flag, number>;
  signatures: Record<string, number>;
  /** Pidfile and registry records by status; present only when pid dirs or registries were given. */
  pidfiles?: Record<string, number>;
}

/** The whole `list --json` document. */
export interface ListReport {
  scannedAt: string;
  backend: BackendName;
  processes: ProcessRecord[];
  summary: ListSummary;
}

/** Per-process facts that cost extra reads (fd count, exe link); read only for what is shown. */
export interface Extras {
  fds: number | null;
  exe: string | null;
  sockets: HeldSocket[] | null;
  devices: string[] | null;
  fdLimit: number | null;
  heldNote: string | null;
  /** Why sockets and devices are unknown (not in the JSON, which has heldNote). */
  unreadable: 'denied' | 'gone' | null;
}

/**
 * Reads fd counts, exe links and held resources for matched findings only, plus the `extra`
 * pids (holders of a `--port` that match no signature); the rest stay null.
 */
export function readExtras(backend: Backend, findings: readonly Finding[], extra: ReadonlySet<number> = new Set()): Map<number, Extras> {
  const out = new Map<number, Extras>();
  const pids = findings.filter((f) => f.signature || extra.has(f.proc.pid)).map((f) => f.proc.pid);
  if (backend.procfs) {
    const held = readHeld(backend.procfs.root, pids);
    for (const pid of pids) {
      const h = held.get(pid)!;
      out.set(pid, { fds: h.fds, exe: backend.exe(pid), sockets: h.sockets, devices: h.devices, fdLimit: h.fdLimit, heldNote: h.note, unreadable: h.unreadable });
    }
    return out;
  }
  for (const pid of pids) {
    out.set(pid, { fds: backend.fdCount(pid), exe: backend.exe(pid), sockets: null, devices: null, fdLimit: null, heldNote: 'sockets and devices need /proc (portable backend)', unreadable: null });
  }
  return out;
}

/** Turns a finding into its JSON record. */
export function toRecord(f: Finding, snap: Snapshot, extras?: Extras): ProcessRecord {
  const p = f.proc;
  const age = ageMs(p, snap.scannedAt);
  return {
    pid: p.pid,
    ppid: p.ppid,
    pgid: p.pgid,
    sid: p.sid,
    uid: p.uid,
    user: userName(p.uid),
    state: p.state,
    startedAt: p.startedAt === null ? null : new Date(p.startedAt).toISOString(),
    ageSeconds: age === null ? null : Math.floor(age / 1000),
    cpuPercent: cpuPercent(p, snap),
    rssBytes: p.rssBytes,
    threads: p.threads,
    fds: extras?.fds ?? null,
    argv: p.argv,
    exe: extras?.exe ?? null,
    signature: f.signature,
    role: f.role,
    flags: f.flags,
    reasons: f.reasons,
    pidfile: f.pidfile,
    sockets: extras?.sockets ?? null,
    devices: extras?.devices ?? null,
    fdLimit: extras?.fdLimit ?? null,
    heldNote: extras?.heldNote ?? null,
    owner: f.owner ?? null,
  };
}

/** Counts matched findings by flag and signature. */
export function summarize(snap: Snapshot, findings: readonly Finding[]): ListSummary {
  const flags = Object.fromEntries(ALL_FLAGS.map((f) => [f, 0])) as Record<Flag, number>;
  const signatures: Record<string, number> = {};
  let matched = 0;
  let wrappers = 0;
  for (const f of findings) {
    if (!f.signature) continue;
    matched++;
    if (f.role === 'wrapper') wrappers++;
    signatures[f.signature] = (signatures[f.signature] ?? 0) + 1;
    for (const fl of f.flags) flags[fl]++;
  }
  return { scanned: snap.processes.size, matched, wrappers, flags, signatures };
}

/** Builds the `list --json` document. */
export function buildListReport(snap: Snapshot, shown: readonly Finding[], all: readonly Finding[], extras: Map<number, Extras>): ListReport {
  return {
    scannedAt: new Date(snap.scannedAt).toISOString(),
    backend: snap.backend,
    processes: shown.map((f) => toRecord(f, snap, extras.get(f.proc.pid))),
    summary: summarize(snap, all),
  };
}
