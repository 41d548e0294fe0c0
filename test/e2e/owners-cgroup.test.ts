import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { alive, cli, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';

// Real cgroups, without systemd: this machine's cgroupfs is writable (v1 name=systemd at
// /sys/fs/cgroup/systemd, v2 at /sys/fs/cgroup/unified). The test makes
// psw-MARK/system.slice/cam-ingest.service (v1) and psw-MARK/system.slice/docker-<64 hex>.scope
// (v2), moves one marked worker into each, and removes every cgroup it made afterwards.
// The unit-state query is the one boundary that cannot run here (systemd is not PID 1), so a stub
// `systemctl` on PATH stands in for `systemctl show` only: it says what a real one would.
const V1 = '/sys/fs/cgroup/systemd';
const V2 = '/sys/fs/cgroup/unified';
const dir = mkdtempSync(join(tmpdir(), 'psw-cg-'));
const scope = new Scope();
const made: string[] = [];
after(async () => {
  scope.cleanup();
  for (const cg of made.reverse()) {
    await waitFor(() => !existsSync(join(cg, 'cgroup.procs')) || readFileSync(join(cg, 'cgroup.procs'), 'utf8').trim() === '', 5000);
    try {
      rmdirSync(cg);
    } catch {
      /* already gone */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Makes the cgroup `rel` under `root` (each new level remembered for removal) and moves `pid` in. */
function moveInto(root: string, rel: string, pid: number): void {
  let cur = root;
  for (const part of rel.split('/')) {
    cur = join(cur, part);
    if (!existsSync(cur)) {
      mkdirSync(cur);
      made.push(cur);
    }
  }
  writeFileSync(join(cur, 'cgroup.procs'), String(pid));
}

/** A stub systemctl answering `show --property=Id --property=LoadState --property=ActiveState -- UNIT...` with `state`, or failing as systemctl does where systemd is not PID 1. */
function stubSystemctl(state: string | null): string {
  const bin = join(dir, `bin-${state ?? 'none'}`);
  mkdirSync(bin, { recursive: true });
  const body = state === null
    ? 'echo "System has not been booted with systemd as init system (PID 1). Can\'t operate." >&2; exit 1'
    : `for a; do case "$a" in *.service) printf 'Id=%s\\nLoadState=loaded\\nActiveState=${state}\\n\\n' "$a";; esac; done`;
  writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\n# test stub: stands in for systemd's unit-state query only\n${body}\n`);
  chmodSync(join(bin, 'systemctl'), 0o755);
  return `${bin}:${process.env.PATH}`;
}

test('a worker in system.slice/cam-ingest.service (v1) and one in docker-<id>.scope (v2): owner, --unit, --container; a failed unit makes it abandoned', { skip: needs('cgroupfs', 'root') }, async () => {
  const mark = scope.mark('cg');
  const sleep = markedSleep(dir, mark);
  const scoped = ['--signature', `stub=${mark}`, '--args', mark];
  const inUnit = await sleeperOrphan(scope, sleep);
  const inContainer = await sleeperOrphan(scope, sleep);
  const plain = await sleeperOrphan(scope, sleep);
  const id = randomBytes(32).toString('hex');
  moveInto(V1, `psw-${mark}/system.slice/cam-ingest.service`, inUnit);
  moveInto(V2, `psw-${mark}/system.slice/docker-${id}.scope`, inContainer);
  assert.match(readFileSync(`/proc/${inUnit}/cgroup`, 'utf8'), new RegExp(`name=systemd:/psw-${mark}/system.slice/cam-ingest.service`));
  assert.match(readFileSync(`/proc/${inContainer}/cgroup`, 'utf8'), new RegExp(`^0::/psw-${mark}/system.slice/docker-${id}.scope$`, 'm'));

  const list = (env: NodeJS.ProcessEnv, extra: string[] = []): Map<number, any> =>
    new Map(cli(['list', '--json', ...scoped, ...extra], { env }).json().processes.map((p: any) => [p.pid, p]));
  const noSystemd = { PATH: stubSystemctl(null) };
  const doc = list(noSystemd);
  assert.deepEqual(doc.get(inUnit).owner, { kind: 'systemd', name: 'cam-ingest.service', pid: null, alive: null, reason: 'in the cgroup of systemd unit cam-ingest.service; its state is unknown (systemctl does not answer here)' });
  assert.deepEqual({ ...doc.get(inContainer).owner, reason: undefined }, { kind: 'container', name: id.slice(0, 12), pid: null, alive: null, reason: undefined });
  assert.match(doc.get(inContainer).owner.reason, new RegExp(`docker container ${id.slice(0, 12)}`));
  assert.ok(!doc.get(inUnit).flags.includes('abandoned'), 'an unknown unit state is not gone');
  assert.deepEqual([...list(noSystemd, ['--unit', 'cam-ingest']).keys()], [inUnit]);
  assert.deepEqual([...list(noSystemd, ['--unit', 'cam-ingest.service']).keys()], [inUnit]);
  assert.deepEqual([...list(noSystemd, ['--container', id.slice(0, 12)]).keys()], [inContainer]);
  assert.deepEqual([...list(noSystemd, ['--owner', 'container']).keys()], [inContainer]);
  assert.equal(doc.get(plain).owner, null);

  assert.ok(!list({ PATH: stubSystemctl('active') }).get(inUnit).flags.includes('abandoned'));
  const failedPath = { PATH: stubSystemctl('failed') };
  const failed = list(failedPath).get(inUnit);
  assert.equal(failed.owner.alive, false);
  assert.match(failed.reasons.abandoned, /systemd unit cam-ingest.service is failed, but this process is still in its cgroup/);
  // The default sweep takes the worker of the failed unit, and (being orphans) the others too; --unit narrows it to that one.
  const r = cli(['sweep', '-y', '--json', ...scoped, '--unit', 'cam-ingest', '--lock-file', join(dir, 'l')], { env: failedPath });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json().targets.map((t: any) => t.pid), [inUnit]);
  assert.ok(await waitFor(() => !alive(inUnit)));
  assert.ok(alive(inContainer) && alive(plain));
});
