import { openBackend, type Backend } from './backend/index.js';
import { loadConfig, type Config } from './config.js';
import { UsageError } from '../errors.js';
import { parsePortSpec, type HeldSelector, type PortSpec } from './held/select.js';
import { compileRegex, parseSignatureSpec, resolveSignatures, type Signature } from '../decide/signatures.js';
import type { BackendName } from '../types.js';
import { resolveUser } from './users.js';
import type { KeepRule } from './owner/keep.js';
import { parseOwnerSpec, type OwnerSelector } from './owner/select.js';

/** The options every command shares (design.md section 7), as the library takes them. */
export interface CommonOptions {
  procRoot?: string;
  backend?: BackendName | 'auto';
  /** Custom signatures: `NAME=REGEX` strings or ready Signature objects. */
  signatures?: ReadonlyArray<string | Signature>;
  /** Restrict to these signature names. */
  match?: readonly string[];
  /** Regex (source or RegExp) the command line must also match. */
  args?: string | RegExp;
  /** User name or uid. */
  user?: string | number;
  pidDirs?: readonly string[];
  registries?: readonly string[];
  /** Config file path; when absent the default locations are tried. Pass `false` to skip config. */
  config?: string | false;
  /** Told about a default config file that exists but was skipped (unreadable). */
  onWarning?: (message: string) => void;
  /** `--port [PROTO:]N`: only processes holding one of these local ports (`udp:6000`, `6000`). */
  ports?: ReadonlyArray<string | PortSpec>;
  /** `--holds PATH`: only processes holding one of these files, FIFOs or devices open. */
  holds?: readonly string[];
  /** Only processes in this systemd unit (`cam-ingest` or `cam-ingest.service`). */
  unit?: string;
  /** Only processes in this container (id or its prefix). */
  container?: string;
  /** Only processes with this owner: `KIND` or `KIND:NAME` (pm2:cam1, supervisord:loop, systemd:x.service). */
  owner?: string;
  /** Keep rules over the command line (`--keep REGEX`, repeatable): never swept. */
  keep?: ReadonlyArray<string | RegExp>;
}

/** Resolved options plus the open backend: what the pipeline runs with. */
export interface Context {
  backend: Backend;
  config: Config;
  signatures: Signature[];
  /** Every known signature, ignoring `--match`: what a pidfile's live target must match. */
  knownSignatures?: Signature[];
  args?: RegExp;
  uid?: number;
  reapers: string[];
  pidDirs: string[];
  registries: string[];
  /** `--port` / `--holds`, when given: they narrow matched processes and never add unmatched ones. */
  held?: HeldSelector;
  /** `--keep` and the config's keep list. */
  keep?: KeepRule[];
  /** `--unit`, `--container`, `--owner`. */
  select?: OwnerSelector;
}

/** Validates common options, loads the config and opens the backend. Throws UsageError/EnvironmentError. */
export async function createContext(opts: CommonOptions = {}): Promise<Context> {
  const config = opts.config === false
    ? { path: null, signatures: [], reapers: [], pidDirs: [], registries: [], warnings: [], keep: [] }
    : loadConfig(opts.config);
  for (const w of config.warnings) opts.onWarning?.(w);
  const custom = [...config.signatures];
  for (const s of opts.signatures ?? []) custom.push(typeof s === 'string' ? parseSignatureSpec(s) : s);
  const signatures = resolveSignatures(custom, opts.match);
  const args = opts.args === undefined ? undefined : typeof opts.args === 'string' ? compileRegex(opts.args, '--args') : opts.args;
  let uid: number | undefined;
  if (opts.user !== undefined) {
    if (typeof opts.user === 'number') {
      if (!Number.isInteger(opts.user) || opts.user < 0) throw new UsageError(`--user: '${opts.user}' is not a uid`);
      uid = opts.user;
    } else uid = resolveUser(opts.user);
  }
  const held = heldSelector(opts);
  const keep: KeepRule[] = (opts.keep ?? []).map((k) => ({ args: typeof k === 'string' ? compileRegex(k, '--keep') : k, source: `--keep ${String(k)}` }));
  keep.push(...(config.keep ?? []));
  const select: OwnerSelector = {
    unit: nonEmpty(opts.unit, '--unit'),
    container: nonEmpty(opts.container, '--container'),
    owner: opts.owner === undefined ? undefined : parseOwnerSpec(opts.owner),
  };
  const backend = await openBackend({ backend: opts.backend, procRoot: opts.procRoot });
  backend.check?.();
  return {
    backend,
    config,
    signatures,
    knownSignatures: opts.match?.length ? resolveSignatures(custom) : signatures,
    args,
    uid,
    reapers: config.reapers,
    pidDirs: [...config.pidDirs, ...(opts.pidDirs ?? [])],
    registries: [...config.registries, ...(opts.registries ?? [])],
    held,
    keep,
    select,
  };
}

function heldSelector(opts: CommonOptions): HeldSelector | undefined {
  const ports = (opts.ports ?? []).map((p) => (typeof p === 'string' ? parsePortSpec(p) : p));
  const holds = [...(opts.holds ?? [])];
  if (holds.some((h) => h === '')) throw new UsageError('--holds needs a path, e.g. --holds /dev/video0');
  if (ports.length === 0 && holds.length === 0) return undefined;
  if (opts.backend === 'portable') throw new UsageError('--port and --holds read /proc/PID/fd: they need the procfs backend (drop --backend portable)');
  return { ports, holds };
}

function nonEmpty(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (v.trim().length === 0) throw new UsageError(`${name} needs a name, e.g. ${name === '--unit' ? '--unit cam-ingest.service' : '--container 3f4e1a2b9c0d'}`);
  return v.trim();
}
