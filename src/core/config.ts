import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from './errors.js';
import { BUILTIN_SIGNATURES, compileRegex, type Signature } from './signatures.js';

/** The config file, validated. Every key is optional. */
export interface Config {
  /** Where it was read from, or null when no file was found. */
  path: string | null;
  signatures: Signature[];
  reapers: string[];
  pidDirs: string[];
  registries: string[];
}

const KEYS = ['signatures', 'reapers', 'pidDirs', 'registries'] as const;

/** The files tried, in order, when --config is not given. */
export function defaultConfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [join(xdg, 'procsweep', 'config.json'), '/etc/procsweep/config.json'];
}

/**
 * Loads the config: the explicit file (which must exist), else the first default that exists.
 * Unreadable -> EnvironmentError (exit 3); bad JSON or a bad key -> UsageError naming file and key.
 */
export function loadConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const empty: Config = { path: null, signatures: [], reapers: [], pidDirs: [], registries: [] };
  const candidates = explicit ? [explicit] : defaultConfigPaths(env);
  for (const path of candidates) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!explicit && code === 'ENOENT') continue;
      throw new EnvironmentError(`cannot read config ${path} (${code ?? 'error'}): fix its path or permissions, or drop --config`);
    }
    return parseConfig(text, path);
  }
  return empty;
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
  return { path, signatures, reapers: strings('reapers'), pidDirs: strings('pidDirs'), registries: strings('registries') };
}
