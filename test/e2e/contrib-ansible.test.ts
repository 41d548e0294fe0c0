import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CONTRIB } from '../helpers/contrib.js';
import { needs } from '../helpers/needs.js';
import { alive, ffmpegArgs, Scope, waitFor } from '../helpers/procs.js';

// contrib/ansible/procsweep.yml, run for real with Debian's ansible-core against localhost
// (-c local): it installs the packed tarball into a private prefix, reports this test's leaked
// ffmpeg workers, sweeps them under --check (sweep -n: nothing signalled) and then for real. Every
// run is scoped by procsweep_args (--args MARK), a private lock file and audit log; Ansible's own
// state goes to temp dirs (ANSIBLE_HOME, ANSIBLE_LOCAL_TEMP, ...), never ~/.ansible.
const ROOT = join(import.meta.dirname, '..', '..');
const PLAYBOOK = join(CONTRIB, 'ansible', 'procsweep.yml');
const work = mkdtempSync(join(tmpdir(), 'psw-ansible-'));
const scope = new Scope();
after(() => {
  scope.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the playbook; returns its exit code and output. */
function play(extra: Record<string, string>, flags: string[] = []): { code: number | null; out: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_CONFIG: join(work, 'ansible.cfg'),
    ANSIBLE_HOME: join(work, 'ansible-home'),
    ANSIBLE_LOCAL_TEMP: join(work, 'ansible-local'),
    ANSIBLE_REMOTE_TEMP: join(work, 'ansible-remote'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_CALLBACK_RESULT_FORMAT: 'json',
    ANSIBLE_STDOUT_CALLBACK: 'default',
    npm_config_loglevel: 'error',
    npm_config_update_notifier: 'false',
  };
  const args = ['-i', join(work, 'hosts'), PLAYBOOK, ...Object.entries(extra).flatMap(([k, v]) => ['-e', `${k}=${v}`]), ...flags];
  const r = spawnSync('ansible-playbook', args, { cwd: work, env, encoding: 'utf8', maxBuffer: Infinity, timeout: 240_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The result the default callback prints for `task` on localhost (JSON, from result_format=json). */
function result(out: string, task: string): any {
  const at = out.indexOf(`TASK [${task}]`);
  assert.ok(at >= 0, `no task '${task}' in:\n${out}`);
  const rest = out.slice(at).split('\n');
  const start = rest.findIndex((l) => /^(ok|changed|fatal|skipping): \[localhost\]/.test(l));
  assert.ok(start >= 0, `task '${task}' has no result`);
  const first = rest[start].replace(/^\S+: \[localhost\]( => )?/, '');
  if (first !== '{') return first;
  const end = rest.findIndex((l, i) => i > start && l === '}');
  return JSON.parse(['{', ...rest.slice(start + 1, end + 1)].join('\n'));
}

/** The status word (ok, changed, skipping, fatal) the default callback prints for `task`. */
function status(out: string, task: string): string {
  const rest = out.slice(out.indexOf(`TASK [${task}]`)).split('\n');
  return /^(\w+): \[localhost\]/.exec(rest.find((l) => /^\w+: \[localhost\]/.test(l)) ?? '')?.[1] ?? 'none';
}

const recap = (out: string): string => /localhost\s+:\s+(.*)$/m.exec(out)?.[1] ?? out;

describe('contrib/ansible playbook, run with ansible-playbook -c local', { skip: needs('ansible-playbook', 'ffmpeg', 'npm') }, () => {
  test('installs the tarball, reports exactly our leaked workers, sweeps them under --check (nothing) and for real (only them)', { timeout: 600_000 }, async () => {
    writeFileSync(join(work, 'ansible.cfg'), '');
    writeFileSync(join(work, 'hosts'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', maxBuffer: Infinity });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = join(work, JSON.parse(pack.stdout)[0].filename);
    const prefix = join(work, 'prefix');
    mkdirSync(join(work, 'state'));
    const lock = join(work, 'state', 'sweep.lock');
    const log = join(work, 'state', 'log', 'sweep.jsonl');

    // Two leaked workers (orphans, our marker); a supervised worker with our marker (its parent,
    // this test, is alive); a leaked worker with another marker. Distinct argv: no duplicates.
    const mark = scope.mark('ans');
    const other = scope.mark('ctl');
    const leaked = [await scope.orphan('ffmpeg', ffmpegArgs(`${mark}a`)), await scope.orphan('ffmpeg', ffmpegArgs(`${mark}b`))];
    const supervised = scope.spawn('ffmpeg', ffmpegArgs(`${mark}c`)).pid!;
    const control = await scope.orphan('ffmpeg', ffmpegArgs(other));
    const all = [...leaked, supervised, control];
    assert.ok(await waitFor(() => all.every(alive)));
    const scoped = { procsweep_prefix: prefix, procsweep_args: mark, procsweep_lock_file: lock, procsweep_log: log };

    // 1. Install and report.
    const first = play({ ...scoped, procsweep_tarball: tarball });
    assert.equal(first.code, 0, first.out);
    assert.ok(existsSync(join(prefix, 'bin', 'procsweep')), 'installed into the prefix');
    assert.ok(existsSync(join(prefix, 'share', 'man', 'man1', 'procsweep.1')));
    assert.equal(status(first.out, 'npm install --global --prefix ' + prefix), 'changed');
    const version = spawnSync(join(prefix, 'bin', 'procsweep'), ['--version'], { encoding: 'utf8' });
    assert.match(version.stdout, /^\d+\.\d+\.\d+/, version.stderr);
    const report = result(first.out, 'leaked workers on this host').msg;
    assert.equal(report.host, 'localhost');
    assert.deepEqual(report.processes.map((p: { pid: number }) => p.pid).sort(), [...leaked].sort());
    for (const p of report.processes) {
      assert.equal(p.signature, 'ffmpeg');
      assert.ok(p.flags.includes('orphan'));
      assert.match(p.command, new RegExp(mark));
      assert.match(p.why.orphan, /parent is PID 1/);
    }
    assert.deepEqual(result(first.out, 'leaked workers per host').msg, { localhost: 2 });
    assert.ok(all.every(alive), 'a report signals nobody');

    // 2. --check: the sweep runs as sweep -n, names what it would end, ends nothing, logs nothing.
    const dry = play({ ...scoped, procsweep_sweep: 'true', procsweep_older_than: '1ms' }, ['--check']);
    assert.equal(dry.code, 0, dry.out);
    const would = result(dry.out, 'what the sweep did (would do, under --check)').msg;
    assert.equal(would.dry_run, true);
    assert.deepEqual(would.targets.map((t: { pid: number }) => t.pid).sort(), [...leaked].sort());
    assert.ok(all.every(alive), '--check signals nobody');
    assert.ok(!existsSync(log), '--check writes no audit log');
    assert.equal(status(dry.out, 'sweep orphans older than 1ms (sweep -n under --check)'), 'changed', 'check mode reports what would change');

    // 3. The sweep: our two leaked workers end, the supervised one and the other marker's stay.
    const swept = play({ ...scoped, procsweep_sweep: 'true', procsweep_older_than: '1ms' });
    assert.equal(swept.code, 0, swept.out);
    assert.match(recap(swept.out), /failed=0/);
    const did = result(swept.out, 'what the sweep did (would do, under --check)').msg;
    assert.equal(did.dry_run, false);
    assert.deepEqual(did.targets.map((t: { pid: number }) => t.pid).sort(), [...leaked].sort());
    for (const t of did.targets) assert.match(t.outcome, /^(terminated|killed)$/, t.reason);
    assert.ok(await waitFor(() => leaked.every((p) => !alive(p))), 'the leaked workers are gone');
    assert.ok(alive(supervised), 'the supervised worker with our marker stays');
    assert.ok(alive(control), 'the other marker\'s worker stays');
    const audit = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(audit.map((e: { pid: number }) => e.pid).sort(), [...leaked].sort());
    assert.equal(status(swept.out, 'sweep orphans older than 1ms (sweep -n under --check)'), 'changed');

    // 4. Nothing is left: the report is empty and the sweep step does not run.
    const after = play(scoped);
    assert.equal(after.code, 0, after.out);
    assert.deepEqual(result(after.out, 'leaked workers on this host').msg.processes, []);
  });
});
