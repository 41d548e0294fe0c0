import type { EnvInfo } from './types.js';

/** The environment keys ownership reads, and where each goes. */
const KEYS: Record<string, keyof EnvInfo> = {
  PM2_HOME: 'pm2Home',
  pm_id: 'pmId',
  name: 'pm2Name',
  SUPERVISOR_PROCESS_NAME: 'supervisorProcess',
  SUPERVISOR_GROUP_NAME: 'supervisorGroup',
  SUPERVISOR_SERVER_URL: 'supervisorUrl',
  MTX_PATH: 'mtxPath',
  INVOCATION_ID: 'invocationId',
};
const KEEP = 'PROCSWEEP_KEEP';

/** The wanted keys as bytes, by length: an entry whose key has another length is skipped unread. */
const WANTED = new Map<number, Array<{ key: Buffer; field: keyof EnvInfo | 'keep' }>>();
for (const [key, field] of [...Object.entries(KEYS), [KEEP, 'keep'] as const]) {
  const list = WANTED.get(key.length) ?? [];
  list.push({ key: Buffer.from(key, 'latin1'), field });
  WANTED.set(key.length, list);
}

/** Parses `/proc/PID/environ` (NUL-separated `KEY=VALUE`), keeping only the keys ownership needs. */
export function parseEnviron(text: string): EnvInfo {
  return parseEnvironBytes(Buffer.from(text, 'utf8'));
}

/**
 * parseEnviron straight from the bytes of `/proc/PID/environ`: a sweep reads the environment of
 * every matched process, and decoding kilobytes of it into strings, a string per variable, was
 * most of the cost. Only the wanted keys' values are decoded. NUL and '=' are ASCII, and UTF-8
 * decoding never lets them be swallowed by a bad sequence, so this splits exactly where the text
 * form did; a wanted key is ASCII, so its bytes match exactly when the decoded key does.
 */
export function parseEnvironBytes(buf: Uint8Array): EnvInfo {
  const out: EnvInfo = {};
  const n = buf.length;
  let start = 0;
  while (start < n) {
    let end = buf.indexOf(0, start);
    if (end < 0) end = n;
    let eq = start;
    while (eq < end && buf[eq] !== 0x3d) eq++;
    if (eq > start && eq < end) {
      const candidates = WANTED.get(eq - start);
      if (candidates) {
        for (const c of candidates) {
          if (!sameBytes(buf, start, c.key)) continue;
          const value = Buffer.from(buf.buffer, buf.byteOffset + eq + 1, end - eq - 1).toString('utf8');
          if (c.field === 'keep') out.keep = value === '1';
          else (out as Record<string, string>)[c.field] = value;
          break;
        }
      }
    }
    start = end + 1;
  }
  if (out.pmId === undefined || out.pm2Home === undefined) {
    // PM2_HOME alone is a shell that ran the pm2 CLI; pm_id and name are PM2's only beside it.
    delete out.pm2Home;
    delete out.pmId;
    delete out.pm2Name;
  }
  return out;
}

function sameBytes(buf: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}
