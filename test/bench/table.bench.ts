// Issue 12 item 5: the human `list` table of 5,000 matched processes against `list --json` of
// the same fixture /proc (generated here with make-proc's writeTree); the target is <= 1.5x.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTree, type FixtureProc } from '../fixtures/make-proc.js';
import { BIN } from '../helpers/procs.js';
import { medianOf, printRows, timeCommand } from './lib.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** A fixture tree: init, and ROWS ffmpeg workers (every other one an orphan) with varied command lines. */
export function tableTree(dir: string, rows: number): void {
  const procs: FixtureProc[] = [{ pid: 1, comm: 'systemd', argv: ['/sbin/init'], ppid: 0, sid: 1, start: 1 }, { pid: 50, comm: 'node', argv: ['node', 'router.js'], ppid: 1, sid: 50, start: 10 }];
  for (let i = 0; i < rows; i++) {
    const pid = 1000 + i;
    procs.push({ pid, comm: 'ffmpeg', argv: ['/usr/bin/ffmpeg', '-nostdin', '-i', `srt://10.0.${i % 250}.${i % 7}:${9000 + i}?mode=caller`, '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${20000 + (i % 5000)}`], ppid: i % 2 ? 1 : 50, sid: i % 2 ? pid : 50, pgid: pid, start: 2000 + i });
  }
  writeTree(dir, procs);
}

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'psw-table-bench-'));
  try {
    tableTree(dir, ROWS);
    const args = [BIN, 'list', '--proc-root', dir];
    const env = { ...process.env, NO_COLOR: '1' };
    console.log(`table bench: ${ROWS} matched rows in a fixture /proc, ${RUNS} runs each, medians`);
    const json = medianOf(RUNS, () => timeCommand(process.execPath, [...args, '--json'], env));
    const table = medianOf(RUNS, () => timeCommand(process.execPath, args, env));
    const tree = medianOf(RUNS, () => timeCommand(process.execPath, [...args, '--tree'], env));
    printRows('issue 12: human table vs --json', [
      { what: `list (${ROWS} rows, table)`, ours: table, baseline: json, baselineName: 'list --json', kind: 'max', target: 1.5 },
      { what: `list --tree (${ROWS} rows)`, ours: tree, baseline: json, baselineName: 'list --json', kind: 'max', target: 1.5 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
