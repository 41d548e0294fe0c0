import { constants } from 'node:os';
import { UsageError } from '../errors.js';

/** Signals that make no sense as the first signal: they would stop or resume rather than end. */
const NOT_FIRST = new Set(['SIGSTOP', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGCHLD', 'SIGWINCH', 'SIGURG']);

/** Parses `--signal`: `TERM`, `SIGTERM`, `term` or a number; refuses signals that do not end a process. */
export function parseSignal(text: string): NodeJS.Signals {
  const t = text.trim().toUpperCase();
  const sigs = constants.signals as Record<string, number>;
  let name: string | undefined;
  if (/^\d+$/.test(t)) name = Object.keys(sigs).find((k) => sigs[k] === Number(t));
  else name = t.startsWith('SIG') ? t : `SIG${t}`;
  if (!name || !(name in sigs)) throw new UsageError(`--signal '${text}' is not a signal: use e.g. TERM, INT, HUP, QUIT, KILL or a number`);
  if (NOT_FIRST.has(name)) throw new UsageError(`--signal ${name} does not end a process: use TERM, INT, HUP, QUIT or KILL`);
  return name as NodeJS.Signals;
}
