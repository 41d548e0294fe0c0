import { homedir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { readRecordFile } from '../pidfiles/safefile.js';
import { BUILTIN_SIGNATURES, compileRegex, type Signature } from '../decide/signatures.js';
import type { KeepRule } from './owner/keep.js';
import { resolveUser } from './users.js';

/** The config file, validated. Every key is optional. */
export interface Config {
  /** Where it was read from, or null when no file was found. */
  path: string | null;
  signatures: Signature[];
  reapers: string[];
  pidDirs: string[];
  registries: string[];
  /** Default config files that exist but were skipped because they cannot be read, in words. */
  warnings: string[];
  /** Keep rules: what a person started on purpose is never swept. */
  keep?: KeepRule[];
}

/** The largest config file read: anything bigger is not a config. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Permission-like failures: the file is there but this user may not read it. */
const UNREADABLE = new Set(['EACCES', 'EPERM']);

const KEYS = ['signatures', 'reapers', 'pidDirs', 'registries', 'keep'] as const;
const KEEP_KEYS = ['args', 'user', 'unit', 'container'];

/** The config's `keep` list: a string is an args regex; an object matches on args, user, unit and container (all given must match). */
function parseKeep(v: unknown, path: string): KeepRule[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new UsageError(`config ${path}: 'keep' must be an array of rules such as {"args": "REGEX"} or {"unit": "cam-ingest.service"}`);
  return v.map((item, i) => {
    const where = `config ${path}: 'keep[${i}]'`;
    const source = `keep[${i}] of ${path}`;
    if (typeof item === 'string' && item.length > 0) return { args: compileRegex(item, where), source };
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new UsageError(`${where} must be a regex string or an object with ${KEEP_KEYS.join(', ')}`);
    const o = item as Record<string, unknown>;
    const keys = Object.keys(o);
    const bad = keys.find((k) => !KEEP_KEYS.includes(k));
    if (bad) throw new UsageError(`${where}: unknown key '${bad}' (known: ${KEEP_KEYS.join(', ')})`);
    if (keys.length === 0) throw new UsageError(`${where} is empty: it would keep every process; give args, user, unit or container`);
    for (const k of keys) if (typeof o[k] !== 'string' || (o[k] as string).length === 0) throw new UsageError(`${where}.${k} must be a non-empty string`);
    const rule: KeepRule = { source };
    if (o.args !== undefined) rule.args = compileRegex(o.args as string, `${where}.args`);
    if (o.user !== undefined) rule.uid = resolveUser(o.user as string);
    if (o.unit !== undefined) rule.unit = o.unit as string;
    if (o.container !== undefined) rule.container = o.container as string;
    return rule;
  });
}

/** The files tried, in order, when --config is not given. */
export function defaultConfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [join(xdg, 'procsweep', 'config.json'), '/etc/procsweep/config.json'];
}

/**
 * Loads the config: the explicit file (which must exist), else the first default that exists.
 * A file is read like a pidfile (readRecordFile): never blocking (a FIFO is refused, not opened),
 * a regular file only (symlinks to one are followed), at most MAX_CONFIG_BYTES. An explicit file
 * that cannot be read is an EnvironmentError (exit 3); a default one that exists but cannot be
 * read (EACCES, not a regular file) is skipped like a missing one, with a warning in `warnings`.
 * Bad JSON or a bad key -> UsageError naming file and key.
 */
export function loadConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const warnings: string[] = [];
  const candidates = explicit ? [explicit] : defaultConfigPaths(env);
  for (const path of candidates) {
    const r = readRecordFile(path, MAX_CONFIG_BYTES, { follow: true, noModeChecks: true });
    if (r.ok && !r.oversized) return { ...parseConfig(Buffer.from(r.bytes).toString('utf8'), path), warnings };
    const why = r.ok ? `larger than ${MAX_CONFIG_BYTES} bytes` : 'vanished' in r ? 'ENOENT' : r.kind ? `${r.kind}, not a regular file` : r.code ?? 'error';
    if (!explicit) {
      if (!r.ok && 'vanished' in r) continue;
      if (!r.ok && r.code === 'ENOTDIR') continue;
      if (!r.ok && (UNREADABLE.has(r.code ?? '') || r.kind)) {
        warnings.push(`skipped the default config ${path} (${why}): ${r.kind ? 'not a config file' : 'this user may not read it'}; give --config FILE to use another`);
        continue;
      }
    }
    throw new EnvironmentError(`cannot read config ${path} (${why}): fix its path or permissions${explicit ? ', or drop --config' : ''}`);
  }
  return { path: null, signatures: [], reapers: [], pidDirs: [], registries: [], warnings };
}

/** Parses and validates config text; `path` is only used in messages. */
export function parseConfig(text: string, path: string): Config {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`config ${path} must hold a JSON object with keys ${KEYS.join(', ')}`);
  }
  const obj = data as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(k)) throw new UsageError(`config ${path}: unknown key '${k}' (known: ${KEYS.join(', ')})`);
  }
  const strings = (key: string): string[] => {
    const v = obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0)) {
      throw new UsageError(`config ${path}: '${key}' must be an array of non-empty strings`);
    }
    return v as string[];
  };
  const signatures: Signature[] = [];
  if (obj.signatures !== undefined) {
    const s = obj.signatures;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      throw new UsageError(`config ${path}: 'signatures' must be an object of NAME: REGEX`);
    }
    for (const [name, pattern] of Object.entries(s)) {
      if (typeof pattern !== 'string') throw new UsageError(`config ${path}: 'signatures.${name}' must be a regex string`);
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`config ${path}: signature name 'signatures.${name}' may hold only letters, digits, '.', '_' and '-'`);
      if (BUILTIN_SIGNATURES.some((b) => b.name === name)) throw new UsageError(`config ${path}: 'signatures.${name}' reuses the name of a built-in signature: pick another name`);
      signatures.push({ name, pattern: compileRegex(pattern, `config ${path}: 'signatures.${name}'`) });
    }
  }
  return { path, signatures, reapers: strings('reapers'), pidDirs: strings('pidDirs'), registries: strings('registries'), warnings: [], keep: parseKeep(obj.keep, path) };
}
