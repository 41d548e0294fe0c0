/** Reading the process table through `ps` (the portable backend): one run, one consistent line per process. */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { shellScriptIndex } from '../../decide/signatures.js';
import type { ProcessInfo } from '../../types.js';

/**
 * The columns asked for. `lstart` is the start time to the second (the finest every ps gives:
 * procps, macOS, the BSDs); with LC_ALL=C and TZ=UTC its text is the same on every system.
 * The session is `sess` on Linux, `sid` on FreeBSD; macOS's `sess` is a kernel address, which
 * still tells sessions apart (see parsePs). `args` comes last because it holds spaces.
 */
export function psColumns(platform: NodeJS.Platform = process.platform): string {
  return `pid=,ppid=,pgid=,${platform === 'freebsd' ? 'sid' : 'sess'}=,uid=,stat=,lstart=,args=`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LINE = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})(?: (.*))?$/;

/** Runs `ps -A -ww -o COLUMNS` (or `-p PIDS`) and returns its output. Throws EnvironmentError when ps cannot run. */
export function runPs(pids?: readonly number[]): Promise<string> {
  const select = pids ? ['-p', pids.join(',')] : ['-A'];
  return new Promise((resolve, reject) => {
    execFile('ps', [...select, '-ww', '-o', psColumns()], { env: { ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      // `ps -p` exits 1 when none of the pids is there: an empty table, not an error.
      if (err && !(pids && (err as { code?: unknown }).code === 1)) reject(new EnvironmentError(psFailure(err, stderr)));
      else resolve(stdout);
    });
  });
}

/**
 * Why a ps run failed, in one line: `cannot read the process table with ps (CODE)`, then what
 * helps. Only where the columns may be the cause (no ps at all, or ps refusing with an exit code)
 * does it say which ps the portable backend needs; a ps that could not be started for want of
 * resources (EAGAIN, ENOMEM, EMFILE, ENFILE) is a passing failure, and its message says so. ps's own first
 * line of complaint is kept (cut at 200 characters).
 */
export function psFailure(err: { code?: unknown; message?: string }, stderr = ''): string {
  const code = err.code ?? err.message ?? 'error';
  const said = stderr.split('\n').map((l) => l.trim()).find(Boolean)?.slice(0, 200);
  const needs = `the portable backend needs a ps that knows -A -ww -o ${psColumns()}`;
  if (code === 'ENOENT') return `cannot read the process table with ps (ENOENT): no ps on PATH; ${needs}`;
  if (typeof code === 'number') return `cannot read the process table with ps (${code})${said ? `: ps said: ${said}` : ''}; ${needs}`;
  const short = RESOURCE_CODES.has(String(code)) ? '; retry once the system has processes or memory to spare' : '';
  return `cannot read the process table with ps (${String(code)}): ps could not be started${short}`;
}

/** Errors of starting a process that pass when the system has resources again. */
const RESOURCE_CODES = new Set(['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE']);

/** A ps line as the engine compares it: the command line with runs of blanks made one space, as argv joins. */
export function normalArgs(args: string): string {
  return args.trim().split(/\s+/).filter(Boolean).join(' ');
}

/**
 * A ps command line as argv: split on blanks, except that the script of a shell -c stays one
 * word with whatever follows it (its $0 ...), so a restart-loop wrapper is still recognised.
 */
function splitArgs(args: string): string[] {
  const words = normalArgs(args).split(' ').filter(Boolean);
  const j = shellScriptIndex(words);
  return j === null ? words : [...words.slice(0, j), words.slice(j).join(' ')];
}

/**
 * Parses `ps -o psColumns()` output (LC_ALL=C, TZ=UTC). Unknown stays unknown: a line whose start
 * time cannot be read keeps `startTicks` null, so nothing is signalled on its identity.
 * `startTicks` is the start time in whole seconds since the epoch: the process identity
 * together with the pid and the exact command line. ps does not keep argument boundaries, so
 * argv is the command line split on blanks. Zombies have no argv (as in /proc): ps shows their
 * name only, which becomes comm. A session given as an address (macOS) becomes the pid of its
 * live leader (stat flag `s`), or null when the leader is gone.
 */
export function parsePs(text: string, platform: NodeJS.Platform = process.platform): Map<number, ProcessInfo> {
  const out = new Map<number, ProcessInfo>();
  const leaders = new Map<string, number>();
  const sessions = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    sessions.set(pid, m[4]);
    const ppid = Number(m[2]);
    const month = MONTHS.indexOf(m[7]);
    const secs = month < 0 ? NaN : Date.UTC(Number(m[12]), month, Number(m[8]), Number(m[9]), Number(m[10]), Number(m[11])) / 1000;
    const start = Number.isFinite(secs) ? secs : null;
    let state = m[6][0];
    if (/s/.test(m[6].slice(1))) leaders.set(m[4], pid);
    if (platform !== 'linux' && state === 'U') state = 'D'; // BSD/macOS: U is uninterruptible wait
    const args = (m[13] ?? '').trim();
    const zombie = state === 'Z';
    const argv = zombie ? [] : splitArgs(args);
    const comm = zombie ? args.replace(/\s*<defunct>$/, '').replace(/^[[(](.*)[\])]$/, '$1') : basename(argv[0] ?? '').slice(0, 15);
    out.set(pid, {
      pid,
      ppid,
      pgid: Number(m[3]),
      sid: /^\d+$/.test(m[4]) && platform !== 'darwin' ? Number(m[4]) : null,
      uid: Number(m[5]),
      state,
      comm,
      argv,
      startTicks: start,
      startedAt: start === null ? null : start * 1000,
      cpuTicks: null,
      threads: null,
      rssBytes: null,
      kernelThread: platform === 'linux' && (pid === 2 || ppid === 2) && /^\[.*\]$/.test(args),
    });
  }
  if (platform === 'darwin') for (const p of out.values()) p.sid = leaders.get(sessions.get(p.pid)!) ?? null;
  return out;
}
