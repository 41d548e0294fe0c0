import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parsePasswd } from './procfs/parse.js';

let cache: Map<number, string> | null = null;

function table(): Map<number, string> {
  if (!cache) {
    try {
      cache = parsePasswd(readFileSync('/etc/passwd', 'utf8'));
    } catch {
      cache = new Map();
    }
  }
  return cache;
}

/** User name for a uid from /etc/passwd; the number as text when unknown, null when uid is unknown. */
export function userName(uid: number | null): string | null {
  if (uid === null) return null;
  return table().get(uid) ?? String(uid);
}

/** Resolves `--user` (a name or a numeric uid) to a uid. */
export function resolveUser(spec: string): number {
  if (/^\d+$/.test(spec)) return Number(spec);
  for (const [uid, name] of table()) if (name === spec) return uid;
  throw new UsageError(`--user: no user named '${spec}' in /etc/passwd; give a name or a numeric uid`);
}
