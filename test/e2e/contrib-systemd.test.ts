import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CONTRIB } from '../helpers/contrib.js';
import { needs } from '../helpers/needs.js';
import { alive, BIN, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep } from '../helpers/workers.js';

// contrib/systemd: the units pass `systemd-analyze verify` (no PID-1 systemd here, so the units
// cannot be started; verify loads them as systemd would), keep the settings procsweep needs, and
// their ExecStart command lines are run for real, scoped to this test's own processes, under the
// capability bounding set the units give (setpriv), against a worker of another user.
const DIR = join(CONTRIB, 'systemd');
const INSTALLED = '/usr/local/bin/procsweep';
const UNITS = ['procsweep-sweep.service', 'procsweep-sweep.timer', 'procsweep-watch.service'];
const work = mkdtempSync(join(tmpdir(), 'psw-units-'));
const scope = new Scope();
after(() => {
  scope.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** Key -> values of one unit file section (repeated keys in order; comments dropped). */
function section(file: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const raw of readFileSync(join(DIR, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      cur = sec[1];
      continue;
    }
    if (cur !== name) continue;
    const eq = line.indexOf('=');
    out.set(line.slice(0, eq), [...(out.get(line.slice(0, eq)) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

/** Copies the units to a fresh dir with ExecStart pointing at `bin` (verify checks it exists). */
function staged(bin: string, edit: (name: string, text: string) => string = (_n, t) => t): string {
  const d = mkdtempSync(join(work, 'u-'));
  for (const u of UNITS) writeFileSync(join(d, u), edit(u, readFileSync(join(DIR, u), 'utf8').replaceAll(INSTALLED, bin)));
  return d;
}

const verify = (d: string, units = UNITS) => {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((u) => join(d, u))], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
};

describe('contrib/systemd units', () => {
  test('systemd-analyze verify passes them with no warning, and fails broken copies', { skip: needs('systemd-analyze') }, () => {
    assert.deepEqual(readdirSync(DIR).sort(), [...UNITS].sort());
    const ok = verify(staged(BIN));
    assert.equal(ok.code, 0, ok.out);
    assert.equal(ok.out, '', 'no warnings');
    // The same units as shipped, with ExecStart at a binary that is not there: verify fails.
    const missing = verify(staged(join(work, 'nowhere', 'procsweep')));
    assert.notEqual(missing.code, 0);
    assert.match(missing.out, /is not executable/);
    // A misspelt setting is reported (verify warns, and the test holds the units to no warnings).
    const typo = verify(staged(BIN, (n, t) => (n === 'procsweep-watch.service' ? t.replace('ProtectSystem=strict', 'ProtectSytem=strict') : t)));
    assert.match(typo.out, /Unknown key 'ProtectSytem'/);
  });

  test('the timer starts the sweep service; the sweep is a oneshot with --yes --older-than, a lock and an audit log', () => {
    const timer = section('procsweep-sweep.timer', 'Timer');
    assert.equal(timer.get('Unit'), undefined, 'the timer starts the service of its own name');
    assert.ok(timer.get('OnUnitActiveSec'));
    assert.deepEqual(section('procsweep-sweep.timer', 'Install').get('WantedBy'), ['timers.target']);
    const svc = section('procsweep-sweep.service', 'Service');
    assert.deepEqual(svc.get('Type'), ['oneshot']);
    const exec = svc.get('ExecStart')![0].split(' ');
    assert.equal(exec[0], INSTALLED);
    for (const o of ['sweep', '--yes', '--older-than', '--lock-file', '--log']) assert.ok(exec.includes(o), `ExecStart lacks ${o}`);
    assert.match(exec[exec.indexOf('--lock-file') + 1], /^\/run\/procsweep\//);
    assert.match(exec[exec.indexOf('--log') + 1], /^\/var\/log\/procsweep\//);
    assert.deepEqual(svc.get('RuntimeDirectory'), ['procsweep']);
    assert.deepEqual(svc.get('LogsDirectory'), ['procsweep']);
  });

  test('the hardening leaves procsweep what it needs: every process visible, its capabilities, the host network', () => {
    for (const u of ['procsweep-sweep.service', 'procsweep-watch.service']) {
      const s = section(u, 'Service');
      const one = (k: string): string | undefined => s.get(k)?.at(-1);
      assert.equal(one('ProtectProc'), 'default', `${u}: ProtectProc=invisible would hide other users' workers`);
      assert.equal(one('ProcSubset'), 'all', `${u}: ProcSubset=pid hides /proc/stat and /proc/sys/fs/file-nr`);
      assert.deepEqual(one('CapabilityBoundingSet')?.split(/\s+/).sort(), ['CAP_DAC_READ_SEARCH', 'CAP_KILL', 'CAP_SYS_PTRACE']);
      assert.equal(one('ProtectSystem'), 'strict');
      assert.equal(one('PrivateTmp'), 'yes');
      for (const k of ['PrivateNetwork', 'PrivateUsers', 'PrivateDevices', 'MemoryDenyWriteExecute', 'DynamicUser', 'PrivatePIDs']) {
        assert.notEqual(one(k), 'yes', `${u}: ${k}=yes stops procsweep working (see the comment in the unit)`);
      }
    }
    const watch = section('procsweep-watch.service', 'Service');
    const file = watch.get('ExecStart')![0].split(' ');
    const prom = file[file.indexOf('--metrics-file') + 1];
    assert.ok(watch.get('ReadWritePaths')!.some((p) => prom.startsWith(`${p.replace(/^-/, '')}/`)), 'the textfile directory is writable');
  });

  test('their command lines work under the units\' capability bounding set, on another user\'s worker', { skip: needs('root', 'setpriv'), timeout: 60_000 }, async () => {
    const mark = scope.mark('unit');
    const shared = mkdtempSync(join(work, 'w-'));
    chmodSync(shared, 0o755);
    const sleep = markedSleep(shared, mark);
    // A leaked worker of user nobody: only CAP_KILL lets root's sweep signal it.
    const pid = await scope.orphan('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', sleep, '300']);
    assert.ok(await waitFor(() => alive(pid) && readFileSync(`/proc/${pid}/status`, 'utf8').includes('\nUid:\t65534')));
    const caps = section('procsweep-sweep.service', 'Service').get('CapabilityBoundingSet')![0];
    const bounding = ['-all', ...caps.split(/\s+/).map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`)].join(',');
    const lock = join(work, 'sweep.lock');
    const log = join(work, 'sweep.jsonl');
    /** The unit's ExecStart, scoped to our marker and with our own lock and log. */
    const run = (unit: string, edit: (args: string[]) => string[]) => {
      const args = edit(section(unit, 'Service').get('ExecStart')![0].split(' ').slice(1))
        .map((a) => (a.startsWith('/run/procsweep/') ? lock : a.startsWith('/var/log/procsweep/') ? log : a));
      const r = spawnSync('setpriv', [`--bounding-set=${bounding}`, '--inh-caps=-all', process.execPath, BIN, ...args, '--signature', `stub=${mark}`, '--args', mark], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    // As shipped: the worker is younger than --older-than, so it stays.
    const young = run('procsweep-sweep.service', (a) => a);
    assert.equal(young.code, 0, young.stderr);
    assert.equal(JSON.parse(young.stdout).targets.length, 0);
    assert.ok(alive(pid));
    // Old enough (--older-than 1ms): swept, with only CAP_KILL CAP_SYS_PTRACE CAP_DAC_READ_SEARCH.
    const swept = run('procsweep-sweep.service', (a) => a.map((x, i) => (a[i - 1] === '--older-than' ? '1ms' : x)));
    assert.equal(swept.code, 0, swept.stderr);
    const t = JSON.parse(swept.stdout).targets;
    assert.deepEqual(t.map((x: { pid: number }) => x.pid), [pid]);
    assert.match(t[0].outcome, /^(terminated|killed)$/);
    assert.ok(await waitFor(() => !alive(pid)));
    assert.ok(existsSync(log) && readFileSync(log, 'utf8').includes(`"pid":${pid}`), 'the audit log names it');
    // The watch unit's command line, one scan, textfile in our dir.
    const prom = join(work, 'procsweep.prom');
    const watch = run('procsweep-watch.service', (a) => [...a.map((x, i) => (a[i - 1] === '--metrics-file' ? prom : x)), '--count', '1']);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(readFileSync(prom, 'utf8'), /^procsweep_last_scan_timestamp_seconds \d+$/m);
  });
});
