// `npm run bench pidfiles`: what judging a pid dir of 1000 records costs. procsweep reads each
// file with lstat + O_NOFOLLOW open + fstat + bounded read and judges it against one snapshot;
// the baselines are the same CLI without records, and the shell loop a supervisor's start-up
// script runs (read each PID, test /proc/PID), which checks neither safety nor identity.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/procs.js';
import { createContext } from '../../src/core/read/context.js';
import { readPidfiles } from '../../src/core/pidfiles/index.js';
import { median, medianOf, printRows, timeCommand } from './lib.js';

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'psw-bench-pids-'));
  try {
    const now = Date.now();
    for (let i = 0; i < 1000; i++) {
      // PIDs spread over the range: most dead, a few naming whatever runs (never signalled: list only).
      writeFileSync(join(dir, `route_${i}_${i % 3 ? 'ffmpeg' : 'srtOut:6000'}.pid`), `${2 + ((i * 37) % 30000)}\n${now - i * 1000}\n`);
    }
    const env = { ...process.env, NO_COLOR: '1' };
    const node = process.execPath;
    // In process, so Node's start-up (paid once by any CLI) does not drown the per-record cost.
    const ctx = await createContext({ pidDirs: [dir], config: false });
    const snap = await ctx.backend.snapshot();
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await readPidfiles(ctx, snap);
      times.push(performance.now() - t0);
    }
    const judged = median(times.slice(1));
    const listOnly = medianOf(9, () => timeCommand(node, [BIN, 'list', '--json'], env));
    const listWith = medianOf(9, () => timeCommand(node, [BIN, 'list', '--json', '--pid-dir', dir], env));
    const shell = medianOf(9, () => timeCommand('sh', ['-c', `for f in '${dir}'/*.pid; do read p < "$f"; [ -e /proc/$p ]; done; true`], env));
    printRows('pidfiles: 1000 timestamped records', [
      { what: 'list --json --pid-dir (1000 records) vs list --json', ours: listWith, baseline: listOnly, baselineName: 'list without records', kind: 'max', target: 1.5 },
      { what: 'judging 1000 records in process vs a shell read loop over them', ours: judged, baseline: shell, baselineName: 'sh read + test /proc', kind: 'max', target: 3 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
