import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, cli, ffmpegArgs, pidsWith, waitFor } from '../helpers/procs.js';
import { terminalWorld, Tmux } from '../helpers/tmux.js';
import { needs, PM2 } from '../helpers/needs.js';
import { freePid, startedAt } from '../helpers/pidfiles.js';

const q = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

describe('pidfiles list is readable at 140 columns (tmux)', { skip: needs('tmux', 'ffmpeg') }, () => {
  const { dir, scope, terms } = terminalWorld('pidtab');
  const mark = scope.mark('pswtab');

  test('one line per record, named relative to its pid dir, registry entries as file#task; --wide wraps the reason inside its column; list names stale records the same way', async () => {
    const gw = join(dir, 'srt-gateway-pids');
    const pm2pids = join(dir, 'pm2home', 'pids');
    mkdirSync(gw);
    mkdirSync(pm2pids, { recursive: true });
    writeFileSync(join(dir, 'pm2home', 'pm2.log'), '');
    const ff = scope.spawn('ffmpeg', ffmpegArgs(`${mark}-live`), { detached: true }).pid!;
    const sleeper = scope.spawn('sh', ['-c', 'sleep 300; :', `${mark}-sleep`], { detached: true }).pid!;
    assert.ok(await waitFor(() => [ff, sleeper].every((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark))));
    writeFileSync(join(gw, 'route_1761154355576_ffmpeg.pid'), `${ff}\n${startedAt(ff) + 100}\n`);
    writeFileSync(join(gw, 'route_1761154355576_srtOut:6000.pid'), `${freePid()}\n${Date.now() - 5000}\n`);
    writeFileSync(join(gw, 'route_1761154355577_srt.pid'), `${sleeper}\n${Date.now()}\n`);
    writeFileSync(join(pm2pids, 'cam-ingest-3.pid'), String(freePid(29000)));
    const reg = join(dir, 'ecosystem-manager-processes.json');
    writeFileSync(reg, JSON.stringify([
      { task_id: 'resource-generator-example-20250110', process_id: freePid(28000), start_time: new Date(Date.now() - 60_000).toISOString() },
      { task_id: 'cam-north-record', process_id: freePid(27000), start_time: new Date(Date.now() - 60_000).toISOString() },
    ]));
    const records = ['--pid-dir', gw, '--pid-dir', pm2pids, '--registry', reg];
    const run = (args: string[]): string => `${process.execPath} ${BIN} ${args.map(q).join(' ')}`;
    const t = new Tmux(140, 90);
    terms.push(t);
    t.start(`${run(['pidfiles', 'list', ...records])}; echo PSW-WIDE; ${run(['pidfiles', 'list', '--wide', ...records])}; echo PSW-LIST; ${run(['list', '--args', mark, '--registry', reg])}; echo PSW-DONE; sleep 60`, { NO_COLOR: '1' });
    await t.waitFor(/^PSW-DONE$/m, 20_000);
    // -J joins the lines the terminal wrapped: a row wider than 140 columns would come back longer.
    const screen = t.command(['capture-pane', '-p', '-J', '-S', '-', '-t', t.session]);
    const [plain, wide, list] = screen.split(/^PSW-(?:WIDE|LIST)$/m);
    const stale = list.split('\n').find((l) => l.includes('stale pidfile records'))!;
    for (const l of [...`${plain}\n${wide}`.split('\n'), stale]) if (!l.startsWith('next: ')) assert.ok(l.length <= 139, `a wrapped row (${l.length} columns): ${l}`);

    const rows = plain.split('\n').filter((l) => l !== '');
    assert.match(rows[0], /^PATH\s+PID\s+RECORDED\s+STATUS\s+ACTION\s+REASON$/);
    assert.deepEqual(rows.filter((l) => l.startsWith('/')), [`${gw}/`, `${pm2pids}/`, reg], 'one heading per directory and registry');
    assert.match(plain, new RegExp(`^route_1761154355576_ffmpeg\\.pid +${ff} +\\d\\d:\\d\\d:\\d\\d +live +keep +alive: ${ff} \\(ffmpeg\\)`, 'm'));
    assert.match(plain, /^route_1761154355576_srtOut:6000\.pid +\d+ +\S+ +dead +remove +no process \d+: it exited/m);
    assert.match(plain, new RegExp(`^route_1761154355577_srt\\.pid +${sleeper} +\\S+ +reused +remove +PID ${sleeper} is now`, 'm'));
    assert.match(plain, /^cam-ingest-3\.pid +\d+ +\S+ \(mtime\) +dead +remove/m);
    assert.match(plain, new RegExp(`^${reg}\\n#resource-generator-example-20250110 +\\d+ +\\S+ +dead +remove +no process \\d+: it exited and this registry.*\\n#cam-north-record +\\d+`, 'm'));
    assert.doesNotMatch(plain, new RegExp(`${gw}/route`), 'no row repeats its directory');
    assert.match(plain, /^6 records: 1 live, 4 dead, 1 reused\.$/m);

    // --wide: the whole reason, wrapped under REASON; each record still starts its own line.
    const lines = wide.split('\n').filter((l) => l !== '');
    const at = lines[0].indexOf('REASON');
    const start = lines.findIndex((l) => l.startsWith('route_1761154355577_srt.pid'));
    let end = start + 1;
    while (lines[end].startsWith(' ')) end++;
    assert.ok(end > start + 1, 'the reused reason is longer than its column');
    for (const l of lines.slice(start + 1, end)) assert.match(l.slice(0, at), /^ +$/);
    const reason = cli(['pidfiles', 'list', '--json', ...records]).json().pidfiles.find((r: any) => r.pid === sleeper).reason;
    assert.equal(lines.slice(start, end).map((l) => l.slice(at)).join(' '), reason);

    // list: the stale entries as file#task, the registry's path said once, not once per entry.
    assert.match(stale, new RegExp(`^2 stale pidfile records \\(dead or reused\\) in ${dir}: ecosystem-manager-processes\\.json#resource-generator-example-20250110, (\\.\\.\\.|…)$`));
  });
});

describe('pidfiles list names the apps of a real PM2 pids dir', { skip: needs('pm2', 'ffmpeg') }, () => {
  const { dir, scope } = terminalWorld('pidpm2');
  const mark = scope.mark('pswpm2');
  // The PM2 home's path carries the marker, so the daemon's title does and cleanup finds it.
  const home = join(dir, `home-${mark}`);
  const pm2 = (...args: string[]): void => {
    const r = spawnSync(PM2, args, { env: { ...process.env, PM2_HOME: home }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `pm2 ${args.join(' ')}: ${r.stderr}`);
  };
  after(() => {
    spawnSync(PM2, ['kill'], { env: { ...process.env, PM2_HOME: home }, stdio: 'ignore', timeout: 20_000 });
    rmSync(home, { recursive: true, force: true });
  });

  test('$PM2_HOME/pids/cam-ingest-0.pid is the live app cam-ingest, id 0; JSON adds name and pm2Id and keeps the path', async () => {
    mkdirSync(home);
    writeFileSync(join(home, 'eco.config.js'), `module.exports = ${JSON.stringify({ apps: [{ name: 'cam-ingest', script: 'ffmpeg', interpreter: 'none', args: ffmpegArgs(mark), autorestart: false }] })};\n`);
    pm2('start', join(home, 'eco.config.js'));
    const pids = join(home, 'pids');
    const file = join(pids, 'cam-ingest-0.pid');
    assert.ok(await waitFor(() => existsSync(file) && pidsWith(mark).map(String).includes(readFileSync(file, 'utf8').trim()), 20_000), 'PM2 wrote the pidfile of its ffmpeg');
    const doc = cli(['pidfiles', 'list', '--json', '--pid-dir', pids]).json();
    assert.equal(doc.pidfiles.length, 1);
    const r = doc.pidfiles[0];
    assert.deepEqual({ path: r.path, name: r.name, pm2Id: r.pm2Id, status: r.status, format: r.format }, { path: file, name: 'cam-ingest', pm2Id: 0, status: 'live', format: 'plain' }, r.reason);
    const human = cli(['pidfiles', 'list', '--pid-dir', pids]);
    assert.match(human.stdout, new RegExp(`^cam-ingest-0\\.pid +pm2 cam-ingest id 0 +${r.pid} +.* live +keep +alive`, 'm'));
  });
});
