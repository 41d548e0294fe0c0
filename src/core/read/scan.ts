import { classify, selfAndAncestors, type ClassifyOptions, type SupervisorIndex, type TrackingIndex } from '../decide/classify.js';
import type { Context } from './context.js';
import { EnvironmentError } from '../errors.js';
import type { HolderIndex } from './held/select.js';
import type { ReadPidfilesOptions } from '../pidfiles/read.js';
import type { PidfileEntry } from '../pidfiles/types.js';
import { matchProcess, type SignatureMatch } from '../decide/signatures.js';
import { supervisorIndex } from '../run/detect.js';
import type { Finding, ProcessInfo, Snapshot } from '../types.js';

/** What one pass of read + decide produces. */
export interface ScanResult {
  snapshot: Snapshot;
  findings: Finding[];
  /** Present when pid dirs or registries were given. */
  tracking?: TrackingIndex;
  /** The judged pidfile and registry entries, when pid dirs or registries were given. */
  pidfiles?: PidfileEntry[];
  /** The named pid dirs and registries that do not exist (when records were read). */
  missingRecords?: string[];
  /** Who holds the `--port` / `--holds` resources (any process, matched or not), when given. */
  holders?: HolderIndex;
}

/** Options of one scan beyond the context. */
export interface ScanPassOptions {
  /** Processes older than this (ms) get `long-lived`. */
  maxAgeMs?: number;
  /** Include unmatched processes too. */
  all?: boolean;
  /** A snapshot already read (watch, tests); otherwise the backend is read. */
  snapshot?: Snapshot;
  /** A tracking index already built; otherwise it is built from the context's records. */
  tracking?: TrackingIndex;
  /** Told about records that could not be looked at (a pid dir that does not exist). */
  onWarning?: (message: string) => void;
  /** Matches one process against the context's signatures (default matchProcess). */
  matcher?: ClassifyOptions['matcher'];
  /** Live `procsweep run` processes; otherwise found in the snapshot by their command line. */
  supervisors?: SupervisorIndex;
}

/** Reads the process table and classifies it: the read + decide half of every command. */
export async function scanWith(ctx: Context, opts: ScanPassOptions = {}): Promise<ScanResult> {
  // Exact uids (status file) only for processes a signature could match: the candidates. The
  // rest keep uid null (unknown), which halves the cost of a large scan; --all and --user read
  // them all.
  // Pidfile targets may match any known signature (not only --match): their owners are checked.
  const sigs = ctx.pidDirs.length || ctx.registries.length ? (ctx.knownSignatures ?? ctx.signatures) : ctx.signatures;
  // The candidate test is the signature match itself: where it used classify's signatures, its
  // answers are kept (by argv array, which the reading passes on unchanged) so classify does not
  // match every process a second time.
  const memo = !opts.snapshot && !opts.matcher && sigs === ctx.signatures ? new Map<readonly string[], SignatureMatch | null>() : undefined;
  const precise = opts.all || ctx.uid !== undefined ? undefined : (argv: readonly string[], comm: string, state: string) => {
    const m = matchProcess(sigs, { argv: argv as string[], comm, state });
    memo?.set(argv, m);
    return m !== null;
  };
  const snapshot = opts.snapshot ?? (await ctx.backend.snapshot(precise));
  const matcher = opts.matcher ?? (memo && memo.size > 0 ? (p: ProcessInfo) => {
    const m = memo.get(p.argv);
    return m !== undefined ? m : matchProcess(ctx.signatures, p);
  } : undefined);
  const records = opts.tracking ? undefined : await pidfileRecords(ctx, snapshot, { onWarning: opts.onWarning });
  const tracking = opts.tracking ?? records?.tracking;
  let findings = classify(snapshot, {
    signatures: ctx.signatures,
    args: ctx.args,
    uid: ctx.uid,
    maxAgeMs: opts.maxAgeMs,
    reapers: ctx.reapers,
    tracking,
    supervisors: opts.supervisors ?? supervisorIndex(snapshot),
    matcher,
    all: opts.all,
    ownership: ctx.backend.ownerPorts ? { ports: ctx.backend.ownerPorts(), keep: ctx.keep, select: ctx.select } : undefined,
  });
  let holders: HolderIndex | undefined;
  if (ctx.held) {
    holders = await holdersOf(ctx);
    const keep = holders.selected;
    findings = findings.filter((f) => keep.has(f.proc.pid));
  }
  return { snapshot, findings, tracking, pidfiles: records?.entries, missingRecords: records?.missing, holders };
}

/** Who holds the context's `--port` / `--holds` resources, over the whole process table. */
export async function holdersOf(ctx: Context): Promise<HolderIndex> {
  const reader = ctx.backend.procfs;
  if (!reader || !ctx.held) throw new EnvironmentError('--port and --holds read /proc/PID/fd, and there is no /proc here: they need the procfs backend');
  const { findHolders } = await import('./held/select.js');
  return findHolders(reader.root, ctx.held, reader.listPids());
}

/** The pidfile and registry entries of a context, judged, with the tracking index built from them. */
export interface PidfileRecords {
  entries: PidfileEntry[];
  tracking: TrackingIndex;
  /** The named pid dirs and registries that do not exist. */
  missing: string[];
}

/**
 * Reads the context's pid dirs and registries, or returns undefined when none are given. The
 * pidfile code is imported lazily, so commands without records never load it.
 */
export async function pidfileRecords(ctx: Context, snapshot: Snapshot, opts: ReadPidfilesOptions = {}): Promise<PidfileRecords | undefined> {
  if (ctx.pidDirs.length === 0 && ctx.registries.length === 0) return undefined;
  // The modules themselves, not the pidfiles/ index: that re-exports startup.ts, which needs scan.ts.
  const [{ readPidfiles }, { trackingIndex }] = await Promise.all([import('../pidfiles/read.js'), import('../pidfiles/tracking.js')]);
  const gaps: string[] = [];
  const missing: string[] = [];
  const entries = await readPidfiles(ctx, snapshot, {
    ...opts,
    onWarning: (m) => {
      gaps.push(m);
      opts.onWarning?.(m);
    },
    onMissing: (p) => {
      missing.push(p);
      opts.onMissing?.(p);
    },
  });
  return { entries, tracking: trackingIndex(entries, [...ctx.pidDirs, ...ctx.registries], gaps), missing };
}

/** The tracking index from the context's pid dirs and registries, or undefined when none are given. */
export async function trackingFor(ctx: Context, snapshot: Snapshot): Promise<TrackingIndex | undefined> {
  return (await pidfileRecords(ctx, snapshot))?.tracking;
}

/**
 * The selected holders that are not among the matched findings (`list --port 6000` names them,
 * marked unmatched): read afresh, so their owner is known. `--user` and `--args` narrow them too;
 * procsweep and its ancestors are left out.
 */
export async function unmatchedHolders(ctx: Context, scan: ScanResult): Promise<Finding[]> {
  if (!scan.holders) return [];
  const have = new Set(scan.findings.map((f) => f.proc.pid));
  const self = selfAndAncestors(scan.snapshot);
  const out: Finding[] = [];
  for (const pid of scan.holders.selected) {
    if (have.has(pid) || self.has(pid)) continue;
    const proc = await ctx.backend.probe(pid);
    if (!proc || proc.kernelThread) continue;
    // --user and --args narrow them as they narrow matched processes.
    if (ctx.uid !== undefined && proc.uid !== ctx.uid) continue;
    if (ctx.args && !ctx.args.test(proc.argv.length ? proc.argv.join(' ') : proc.comm)) continue;
    out.push({ proc, signature: null, role: 'process', flags: [], reasons: {}, pidfile: null });
  }
  return out;
}
