// Issue 16 figures, with 2,000 extra sleeping processes: `procsweep list --json --port udp:N`
// (who holds a port, over the whole table) against `ss -lupn` (every UDP socket with its
// process, the tool an operator runs today), for a held port and a free one; and plain
// `list --json` now against the build before held resources were added, when BENCH_BEFORE_BIN
// names that build's bin/procsweep.js (e.g. a `git worktree` of the commit before, built).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { findHolders, parsePortSpec } from '../../src/core/read/held/select.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { BIN } from '../helpers/procs.js';
import { startSleepers, stopSleepers } from './list.bench.js';
import { median, medianOf, printRows, timeCommand, type Row } from './lib.js';

const EXTRA = Number(process.env.BENCH_EXTRA ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export default async function bench(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v ss && command -v socat'], { stdio: 'ignore' }).status !== 0) {
    console.log('held bench: skipped, needs ss (iproute2) and socat');
    return;
  }
  const mark = startSleepers(EXTRA);
  const held = await freeUdpPort();
  const free = await freeUdpPort();
  // The holder: a socat of our own on 127.0.0.1 (it matches no signature, so the port lookup
  // must go through every process's descriptors, as ss -p does).
  const holder: ChildProcess = spawn('socat', ['-u', `UDP-RECV:${held},bind=127.0.0.1`, '/dev/null'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 200; i++) {
      if (spawnSync('ss', ['-Hlun', `sport = :${held}`], { encoding: 'utf8' }).stdout.trim()) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const total = spawnSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { encoding: 'utf8' }).stdout.trim();
    console.log(`held bench: ${EXTRA} extra sleepers (${total} processes on the machine), ${RUNS} runs each, medians; other sessions share the machine, so the numbers are noisy`);
    const node = process.execPath;
    const ss = medianOf(RUNS, () => timeCommand('ss', ['-lupn']));
    const heldPort = medianOf(RUNS, () => timeCommand(node, [BIN, 'list', '--json', '--port', `udp:${held}`]));
    const freePort = medianOf(RUNS, () => timeCommand(node, [BIN, 'list', '--json', '--port', `udp:${free}`]));
    // The lookup alone, in process: the port's inodes from /proc/net, then one pass over every
    // process's fd links (what ss -p does in C), without Node's start-up and the list's own scan.
    const reader = new ProcReader('/proc');
    const sel = { ports: [parsePortSpec(`udp:${held}`)], holds: [] };
    const lookups: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const t = performance.now();
      findHolders('/proc', sel, reader.listPids());
      lookups.push(performance.now() - t);
    }
    lookups.shift();
    const rows: Row[] = [
      { what: 'in-process holder lookup (net tables + every fd link)', ours: median(lookups), baseline: ss, baselineName: 'ss -lupn (whole command)', kind: 'max', target: 1.5 },
      { what: 'list --json --port udp:N (held by an unmatched socat)', ours: heldPort, baseline: ss, baselineName: 'ss -lupn', kind: 'max', target: 1.5 },
      { what: 'list --json --port udp:N (free port)', ours: freePort, baseline: ss, baselineName: 'ss -lupn', kind: 'max', target: 1.5 },
    ];
    const before = process.env.BENCH_BEFORE_BIN;
    if (before) {
      // Interleaved, so the load other sessions put on the machine falls on both alike.
      const nows: number[] = [];
      const thens: number[] = [];
      timeCommand(node, [BIN, 'list', '--json']);
      timeCommand(node, [before, 'list', '--json']);
      for (let i = 0; i < RUNS; i++) {
        nows.push(timeCommand(node, [BIN, 'list', '--json']));
        thens.push(timeCommand(node, [before, 'list', '--json']));
      }
      const [now, then] = [median(nows), median(thens)];
      rows.push({ what: 'plain list --json, now', ours: now, baseline: then, baselineName: 'the build before #16', kind: 'max', target: 1.05 });
    } else {
      console.log('(set BENCH_BEFORE_BIN to the bin/procsweep.js of a build before #16 to compare plain list --json)');
    }
    const nodeNoop = medianOf(RUNS, () => timeCommand(node, ['-e', '0']));
    console.log(`node -e 0 alone: ${nodeNoop.toFixed(1)}ms (the floor under any procsweep command)`);
    printRows('issue 16: who holds a port', rows);
  } finally {
    holder.kill('SIGKILL');
    stopSleepers(mark);
  }
}
