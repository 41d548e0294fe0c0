import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { needs } from '../helpers/needs.js';
import { alive, cli, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep } from '../helpers/workers.js';

// RSS as list reports it is what `ps -o rss` (VmRSS) says, for a live process the test started.

describe('RSS agrees with ps', { skip: needs('ps') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-rss-'));
  const scope = new Scope();
  after(() => {
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('list --json rssBytes equals ps -o rss (KiB) for a sleeping process', async () => {
    const mark = scope.mark('rss');
    const child = scope.spawn(markedSleep(dir, mark), ['300']);
    const pid = child.pid!;
    assert.ok(await waitFor(() => alive(pid)));
    const r = cli(['list', '--json', '--signature', `stub=${mark}`, '--args', mark]);
    assert.equal(r.code, 0, r.stderr);
    const p = r.json().processes.find((x: any) => x.pid === pid);
    assert.ok(p, r.stdout);
    const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
    assert.equal(p.rssBytes, Number(ps.stdout.trim()) * 1024);
  });
});
