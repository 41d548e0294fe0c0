import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, marker, pidsWith, waitFor } from './helpers/procs.js';
import { markedSleep } from './helpers/workers.js';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
for (let round = 0; round < 2; round++) {
const m = marker('prof'); const sp = markedSleep(dir, m);
const sh = spawn('sh', ['-c', `trap "" TERM; i=0; while [ $i -lt 1000 ]; do "$0" 1000 </dev/null >/dev/null 2>&1 & i=$((i+1)); done`, sp], { detached: true, stdio: 'ignore' });
await new Promise((r) => sh.on('close', r));
await waitFor(() => pidsWith(m).length >= 1000, 60000, 100);
const t0 = Date.now();
const r = spawnSync(process.execPath, [BIN, 'sweep', '-y', '--grace', '1s', '--max', '2000', '--signature', `b=${m}`, '--args', m, '--lock-file', join(dir, 'l')], { encoding: 'utf8', env: { ...process.env, PSW_PROF: '1' } });
console.log('total', Date.now() - t0, r.stderr, r.stdout.slice(-200));
for (const p of pidsWith(m)) process.kill(p, 'SIGKILL');
}
