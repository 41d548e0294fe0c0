import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, cli, ffmpegArgs, pidsWith, Scope, waitFor } from '../helpers/procs.js';
import { needs, PM2 } from '../helpers/needs.js';

const PM2_RUNTIME = join(PM2, '..', 'pm2-runtime');

// Real PM2 (npm's pm2, a devDependency) with a private PM2_HOME whose path carries the marker, so
// the God Daemon's own command line carries it and cleanup finds it. Three apps run the *same*
// ffmpeg command line, as seed 001's router starts them. Every sweep is scoped by --args MARK and
// a private lock file.
const scope = new Scope();
const homes: string[] = [];
after(() => {
  for (const home of homes) spawnSync(PM2, ['kill'], { env: { ...process.env, PM2_HOME: home }, stdio: 'ignore', timeout: 20_000 });
  scope.cleanup();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A private PM2_HOME with an ecosystem file of three ffmpeg apps cam1..cam3 (identical argv). */
function pm2Home(mark: string): { home: string; pm2: (...args: string[]) => void; lock: string } {
  const home = mkdtempSync(join(tmpdir(), `psw-pm2-${mark}-`));
  homes.push(home);
  const apps = [1, 2, 3].map((i) => ({ name: `cam${i}`, script: 'ffmpeg', interpreter: 'none', args: ffmpegArgs(mark), autorestart: true }));
  writeFileSync(join(home, 'eco.config.js'), `module.exports = ${JSON.stringify({ apps })};\n`);
  const pm2 = (...args: string[]): void => {
    const r = spawnSync(PM2, args, { env: { ...process.env, PM2_HOME: home }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `pm2 ${args.join(' ')}: ${r.stderr}`);
  };
  return { home, pm2, lock: join(home, 'sweep.lock') };
}
/** Live ffmpeg processes carrying `mark`. */
const ffmpegs = (mark: string): number[] => pidsWith(mark).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'ffmpeg';
  } catch {
    return false;
  }
});
const daemonPid = (home: string): number => Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim());
const byPid = (doc: any): Map<number, any> => new Map(doc.processes.map((p: any) => [p.pid, p]));

describe('PM2: who owns the apps, and is the daemon still there', { skip: needs('pm2', 'ffmpeg', 'setsid') }, () => {
  test('while PM2 lives its three same-argv apps are owned, neither duplicate nor swept; once the daemon is SIGKILLed they are abandoned and the default sweep removes them, a healthy ffmpeg survives', async () => {
    const mark = scope.mark('pm2');
    const { home, pm2, lock } = pm2Home(mark);
    pm2('start', join(home, 'eco.config.js'));
    assert.ok(await waitFor(() => ffmpegs(mark).length === 3, 20_000), 'three apps run');
    const daemon = daemonPid(home);
    // A healthy ffmpeg with the same marker: the child of a live shell in a session of its own.
    const healthyMark = `${mark}-healthy`;
    spawnSync('setsid', ['-f', 'sh', '-c', `ffmpeg ${ffmpegArgs(healthyMark).map((a) => `'${a}'`).join(' ')} </dev/null >/dev/null 2>&1; :`], { stdio: 'ignore' });
    let healthy = 0;
    assert.ok(await waitFor(() => (healthy = ffmpegs(healthyMark)[0] ?? 0) > 0));

    const doc = cli(['list', '--json', '--args', mark]).json();
    const procs = byPid(doc);
    const apps = ffmpegs(mark).filter((p) => p !== healthy);
    assert.equal(apps.length, 3);
    assert.deepEqual(apps.map((p) => procs.get(p).owner.name).sort(), ['cam1', 'cam2', 'cam3']);
    for (const p of apps) {
      const rec = procs.get(p);
      assert.deepEqual(rec.flags, [], `${p}: ${JSON.stringify(rec.reasons)}`);
      assert.deepEqual({ kind: rec.owner.kind, pid: rec.owner.pid, alive: rec.owner.alive }, { kind: 'pm2', pid: daemon, alive: true });
    }
    assert.equal(procs.get(healthy).owner.kind, 'parent');
    // --owner selects one app.
    const one = cli(['list', '--json', '--args', mark, '--owner', 'pm2:cam2']).json();
    assert.deepEqual(one.processes.map((p: any) => p.owner.name), ['cam2']);
    const none = cli(['sweep', '-y', '--args', mark, '--lock-file', lock]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /Nothing to sweep/);
    assert.ok(apps.every(alive));

    process.kill(daemon, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(daemon)));
    const after = byPid(cli(['list', '--json', '--args', mark]).json());
    for (const p of apps) {
      const rec = after.get(p);
      assert.ok(rec.flags.includes('abandoned'), `${p}: ${JSON.stringify(rec.flags)}`);
      assert.equal(rec.owner.alive, false);
      assert.equal(rec.reasons.abandoned, `PM2 app ${rec.owner.name} (id ${['cam1', 'cam2', 'cam3'].indexOf(rec.owner.name)}): PM2 daemon ${daemon} (PM2_HOME ${home}) is gone`);
    }
    assert.deepEqual(after.get(healthy).flags, []);
    const table = cli(['list', '--args', mark]);
    assert.match(table.stdout, /detached,abandoned\s+pm2:cam1!/);
    assert.match(table.stdout, /next: .*sweep -n.*3 abandoned/);
    assert.equal(cli(['list', '--check', '--args', mark]).code, 1);
    const r = cli(['sweep', '-y', '--json', '--args', mark, '--lock-file', lock]);
    assert.equal(r.code, 0, r.stderr);
    const targets = r.json().targets;
    assert.deepEqual(targets.map((t: any) => t.pid).sort(), [...apps].sort());
    for (const t of targets) assert.match(t.outcome, /^(terminated|killed)$/);
    assert.ok(await waitFor(() => apps.every((p) => !alive(p))));
    assert.ok(alive(healthy), 'the healthy ffmpeg survives');
  });

  test('pm2 resurrect after a crash: old and new apps side by side, only the old are abandoned', async () => {
    const mark = scope.mark('pm2r');
    const { home, pm2 } = pm2Home(mark);
    pm2('start', join(home, 'eco.config.js'));
    assert.ok(await waitFor(() => ffmpegs(mark).length === 3, 20_000));
    pm2('save');
    const old = ffmpegs(mark);
    const daemon = daemonPid(home);
    process.kill(daemon, 'SIGKILL');
    assert.ok(await waitFor(() => !alive(daemon)));
    pm2('resurrect');
    assert.ok(await waitFor(() => ffmpegs(mark).length === 6, 20_000), 'the new daemon starts three new apps');
    const fresh = ffmpegs(mark).filter((p) => !old.includes(p));
    const doc = byPid(cli(['list', '--json', '--args', mark]).json());
    for (const p of old) {
      assert.ok(doc.get(p).flags.includes('abandoned'), `${p}: ${JSON.stringify(doc.get(p).flags)}`);
      assert.match(doc.get(p).reasons.abandoned, new RegExp(`PM2 app cam\\d \\(id \\d\\): the PM2 daemon that started it is gone; daemon ${daemonPid(home)} .* runs now but did not start it`));
    }
    for (const p of fresh) {
      assert.deepEqual(doc.get(p).flags, []);
      assert.equal(doc.get(p).owner.alive, true);
    }
  });

  test('PM2 without a God Daemon title (pm2-runtime in the foreground, a daemon with PM2_DAEMON_TITLE): its apps are owned and alive, and the default sweep leaves them', async () => {
    const mark = scope.mark('pm2t');
    // pm2-runtime, as a Docker CMD runs it: in the foreground, under PID 1 (here via a throwaway shell).
    const rt = pm2Home(`${mark}-rt`);
    await scope.orphan('env', [`PM2_HOME=${rt.home}`, PM2_RUNTIME, join(rt.home, 'eco.config.js')]);
    // A daemon whose title PM2_DAEMON_TITLE replaced: only $PM2_HOME/pm2.pid names it.
    const titled = pm2Home(`${mark}-tt`);
    const r0 = spawnSync(PM2, ['start', join(titled.home, 'eco.config.js')], { env: { ...process.env, PM2_HOME: titled.home, PM2_DAEMON_TITLE: `media-pm2-${mark}` }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r0.status, 0, r0.stderr);
    assert.ok(await waitFor(() => ffmpegs(`${mark}-rt`).length === 3 && ffmpegs(`${mark}-tt`).length === 3, 30_000), 'both run three apps');
    const daemons = { rt: daemonPid(rt.home), tt: daemonPid(titled.home) };
    assert.doesNotMatch(readFileSync(`/proc/${daemons.tt}/cmdline`, 'utf8'), /God Daemon/, 'the title is the custom one');
    const doc = byPid(cli(['list', '--json', '--args', mark]).json());
    for (const [k, home] of [['rt', rt.home], ['tt', titled.home]] as const) {
      for (const p of ffmpegs(`${mark}-${k}`)) {
        const rec = doc.get(p);
        assert.deepEqual(rec.flags, [], `${k} ${p}: ${JSON.stringify(rec.reasons)}`);
        assert.deepEqual({ kind: rec.owner.kind, pid: rec.owner.pid, alive: rec.owner.alive }, { kind: 'pm2', pid: daemons[k], alive: true });
        assert.ok(rec.owner.reason.includes(`PM2 daemon ${daemons[k]} (PM2_HOME ${home}) runs it`), rec.owner.reason);
      }
    }
    const all = [...ffmpegs(`${mark}-rt`), ...ffmpegs(`${mark}-tt`)];
    const r = cli(['sweep', '-y', '--args', mark, '--lock-file', rt.lock]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Nothing to sweep/);
    assert.ok(all.every(alive), 'no healthy app was swept');
  });
});
