// Issue 5 figures. (1) CPU of `procsweep watch --interval 2s` with 2,000 extra sleeping
// processes, from utime+stime in /proc/PID/stat over BENCH_WATCH_SECONDS (default 60), next to a
// shell loop running `ps -e` every 2 s over the same time (what operators script instead).
// (2) RSS of `watch --interval 10ms` after 1,000 and after 10,000 ticks, while a loop keeps
// starting and ending matched processes (churn), so events and per-process state are exercised;
// once with Node's defaults and once with NODE_OPTIONS=--max-semi-space-size=1 (see rssBench).
// BENCH_WATCH_ONLY=cpu|rss runs one half.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { BIN } from '../helpers/procs.js';
import { printRows } from './lib.js';
import { startSleepers, stopSleepers } from './list.bench.js';

const EXTRA = Number(process.env.BENCH_EXTRA ?? 2000);
const SECONDS = Number(process.env.BENCH_WATCH_SECONDS ?? 60);
const TICKS = Number(process.env.BENCH_WATCH_TICKS ?? 10_000);
const CLK = 100;

/** utime + stime (+ children's, for a shell loop) of a process, in clock ticks. */
function cpuTicks(pid: number, children = false): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number);
  // f[0] is field 3: utime is field 14, stime 15, cutime 16, cstime 17.
  return f[11] + f[12] + (children ? f[13] + f[14] : 0);
}

/** Processes forked since boot (`processes` in /proc/stat). */
function forks(): number {
  return Number(/^processes (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** Resident kB by mapping kind: the node binary, malloc's [heap], anonymous (V8 heap, arenas). */
function rssBreakdown(pid: number): string {
  const by = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) name = m[1].startsWith('/') ? 'files' : m[1] || 'anon';
    else if (line.startsWith('Rss:')) by.set(name, (by.get(name) ?? 0) + Number(line.split(/\s+/)[1]));
  }
  return [...by].filter(([, kb]) => kb >= 512).map(([n, kb]) => `${n} ${(kb / 1024).toFixed(1)}M`).join(', ');
}

/** Spawns the CLI with stdout drained; `onLine` sees each JSON line. */
function runCli(args: string[], onLine: (l: string) => void, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let buf = '';
  c.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function cpuBench(): Promise<void> {
  const mark = startSleepers(EXTRA);
  let watch: ChildProcess | undefined;
  let loop: ChildProcess | undefined;
  try {
    const total = spawnSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { maxBuffer: Infinity, encoding: 'utf8' }).stdout.trim();
    let ticks = 0;
    let scanMs = 0;
    watch = runCli(['watch', '--json', '--interval', '2s'], (l) => {
      const o = JSON.parse(l);
      if (o.type === 'tick') {
        ticks++;
        if (ticks > 3) scanMs += o.scanMs;
      }
    });
    loop = spawn('sh', ['-c', 'while :; do ps -eo pid,ppid,stat,lstart,args >/dev/null; sleep 2; done'], { stdio: 'ignore' });
    // Past the first full read and the first ticks, where every process is new.
    while (ticks < 4) await sleep(100);
    const w0 = cpuTicks(watch.pid!);
    const p0 = cpuTicks(loop.pid!, true);
    const f0 = forks();
    const t0 = performance.now();
    const ticks0 = ticks;
    await sleep(SECONDS * 1000);
    const secs = (performance.now() - t0) / 1000;
    const ours = ((cpuTicks(watch.pid!) - w0) / CLK / secs) * 100;
    const base = ((cpuTicks(loop.pid!, true) - p0) / CLK / secs) * 100;
    const n = ticks - ticks0;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`watch CPU bench: ${EXTRA} extra sleepers (${total} processes), --interval 2s, measured over ${secs.toFixed(0)} s (${n} ticks, mean scan ${(scanMs / Math.max(1, ticks - 3)).toFixed(1)} ms)`);
    console.log(`machine during the window: ${((forks() - f0) / secs).toFixed(0)} forks/s by others, load average ${load} on ${cpus().length} cores (new processes are read in full: busy hosts cost more)`);
    printRows('issue 5: watch CPU, % of one core', [
      { what: 'watch --interval 2s', ours, baseline: base, baselineName: 'sh loop: ps -e every 2s', kind: 'max', target: 1, unit: '%' },
    ]);
    console.log(`absolute: ${ours.toFixed(2)}% of one core (target < 1%) ${ours < 1 ? 'MET' : 'NOT MET'}`);
  } finally {
    watch?.kill('SIGTERM');
    loop?.kill('SIGKILL');
    stopSleepers(mark);
  }
}

/**
 * RSS at tick 1000 and at tick TICKS. `nodeOptions` is passed as NODE_OPTIONS: the second run
 * caps V8's young generation (--max-semi-space-size=1), which otherwise grows from 8 to 32 MB
 * over the first minutes of any Node process that allocates steadily.
 */
async function rssBench(nodeOptions?: string): Promise<void> {
  // Churn: short-lived `sleep 0.2<digits>` processes, matched by a custom signature, 20 a second.
  const digits = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const churn = spawn('sh', ['-c', `while :; do sleep 0.2${digits} & sleep 0.05; done`], { stdio: 'ignore', detached: true });
  let watch: ChildProcess | undefined;
  try {
    const samples = new Map<number, number>();
    const breakdown = new Map<number, string>();
    let events = 0;
    let last = 0;
    const done = new Promise<void>((resolve) => {
      const env = nodeOptions ? { ...process.env, NODE_OPTIONS: nodeOptions } : process.env;
      watch = runCli(['watch', '--json', '--interval', '10ms', '--count', String(TICKS + 200), '--match', 'churn', '--signature', `churn=^sleep 0\\.2${digits}$`], (l) => {
        const o = JSON.parse(l);
        if (o.type === 'event') events++;
        if (o.type !== 'tick') return;
        last = o.tick;
        if (o.tick === 1000 || o.tick === TICKS) {
          samples.set(o.tick, rssKb(watch!.pid!));
          breakdown.set(o.tick, rssBreakdown(watch!.pid!));
        }
      }, env);
      watch!.on('close', () => resolve());
    });
    const t0 = performance.now();
    await done;
    const secs = (performance.now() - t0) / 1000;
    const a = samples.get(1000)! / 1024;
    const b = samples.get(TICKS)! / 1024;
    console.log(`\nwatch RSS bench${nodeOptions ? ` with NODE_OPTIONS=${nodeOptions}` : ' (default Node options)'}: --interval 10ms, ${last} ticks in ${secs.toFixed(0)} s, ${events} events from churn (matched processes started and ended 20/s)`);
    printRows(`issue 5: watch memory over time${nodeOptions ? ` (${nodeOptions})` : ''}`, [
      { what: `RSS after ${TICKS} ticks vs after 1000`, ours: b, baseline: a, baselineName: 'RSS after 1000 ticks', kind: 'max', target: (a + 5) / a, unit: ' MB' },
    ]);
    console.log(`resident at tick 1000: ${breakdown.get(1000)}; at tick ${TICKS}: ${breakdown.get(TICKS)}`);
    console.log(`absolute: RSS grew ${(b - a).toFixed(1)} MB from tick 1000 to tick ${TICKS} (target <= 5 MB) ${b - a <= 5 ? 'MET' : 'NOT MET'}`);
  } finally {
    watch?.kill('SIGTERM');
    try {
      process.kill(-churn.pid!, 'SIGKILL'); // the churn loop's own process group: only what it started
    } catch {
      /* gone */
    }
  }
}

export default async function bench(): Promise<void> {
  const only = process.env.BENCH_WATCH_ONLY; // cpu | rss
  if (only !== 'rss') await cpuBench();
  if (only !== 'cpu') {
    await rssBench();
    await rssBench('--max-semi-space-size=1');
  }
}
