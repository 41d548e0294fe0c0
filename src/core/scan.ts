import { classify, type SupervisorIndex, type TrackingIndex } from './classify.js';
import type { Context } from './context.js';
import { matchProcess } from './signatures.js';
import { supervisorIndex } from './supervisors.js';
import type { Finding, Snapshot } from './types.js';

/** What one pass of read + decide produces. */
export interface ScanResult {
  snapshot: Snapshot;
  findings: Finding[];
  /** Present when pid dirs or registries were given. */
  tracking?: TrackingIndex;
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
  /** Live `procsweep run` processes; otherwise found in the snapshot by their command line. */
  supervisors?: SupervisorIndex;
}

/** Reads the process table and classifies it: the read + decide half of every command. */
export async function scanWith(ctx: Context, opts: ScanPassOptions = {}): Promise<ScanResult> {
  // Exact uids (status file) only for processes a signature could match: the candidates. The
  // rest take the owner of their /proc entry, as ps does; --all and --user read them all.
  const precise = opts.all || ctx.uid !== undefined ? undefined : (argv: readonly string[], comm: string, state: string) => matchProcess(ctx.signatures, { argv: argv as string[], comm, state }) !== null;
  const snapshot = opts.snapshot ?? (await ctx.backend.snapshot(precise));
  const tracking = opts.tracking ?? (await trackingFor(ctx, snapshot));
  const findings = classify(snapshot, {
    signatures: ctx.signatures,
    args: ctx.args,
    uid: ctx.uid,
    maxAgeMs: opts.maxAgeMs,
    reapers: ctx.reapers,
    tracking,
    supervisors: opts.supervisors ?? supervisorIndex(snapshot),
    all: opts.all,
  });
  return { snapshot, findings, tracking };
}

/**
 * The tracking index from the context's pid dirs and registries, or undefined when none are
 * given. Loaded lazily so commands without records never load the pidfile code.
 */
export async function trackingFor(ctx: Context, snapshot: Snapshot): Promise<TrackingIndex | undefined> {
  if (ctx.pidDirs.length === 0 && ctx.registries.length === 0) return undefined;
  const hook = trackingHook;
  return hook ? hook(ctx, snapshot) : undefined;
}

/** Set by the pidfiles module; kept as a hook so the scan core does not depend on it. */
let trackingHook: ((ctx: Context, snapshot: Snapshot) => Promise<TrackingIndex>) | undefined;

/** Installs the function that turns pid dirs and registries into a tracking index. */
export function setTrackingHook(fn: typeof trackingHook): void {
  trackingHook = fn;
}
