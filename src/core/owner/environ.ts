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

/** Parses `/proc/PID/environ` (NUL-separated `KEY=VALUE`), keeping only the keys ownership needs. */
export function parseEnviron(text: string): EnvInfo {
  const out: EnvInfo = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\0', start);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq > start && eq < end) {
      const key = text.slice(start, eq);
      if (key === 'PROCSWEEP_KEEP') out.keep = text.slice(eq + 1, end) === '1';
      else {
        const field = KEYS[key];
        if (field && field !== 'keep') (out as Record<string, string>)[field] = text.slice(eq + 1, end);
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
