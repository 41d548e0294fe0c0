import { ageMs, cpuPercent } from './classify.js';
import type { Backend } from './backend/index.js';
import { ALL_FLAGS, type BackendName, type Finding, type Flag, type Role, type Snapshot } from './types.js';
import { userName } from './users.js';

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
}

/** Reads fd counts and exe links for matched findings only (unmatched ones stay null). */
export function readExtras(backend: Backend, findings: readonly Finding[]): Map<number, Extras> {
  const out = new Map<number, Extras>();
  for (const f of findings) {
    if (!f.signature) continue;
    out.set(f.proc.pid, { fds: backend.fdCount(f.proc.pid), exe: backend.exe(f.proc.pid) });
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
