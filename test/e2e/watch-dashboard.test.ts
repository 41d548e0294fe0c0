import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { alive, BIN, cli, ffmpegArgs, pidsWith, Scope } from '../helpers/procs.js';
import { terminalWorld, Tmux } from '../helpers/tmux.js';
import { needs } from '../helpers/needs.js';


/** The watch command line, run from a shell that reports its exit status and stays, like an operator's terminal. */
const shell = (args: string): string => `${process.execPath} ${BIN} watch ${args}; echo EXIT=$?; sleep 60`;

/** Our watch process (its argv carries the marker and 'watch'). */
function watchPid(mark: string): number | undefined {
  return pidsWith(mark).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('watch'));
}

describe('the watch dashboard on a real terminal', { skip: needs('tmux', 'ffmpeg') }, () => {
  const scope = new Scope();
  const mark = scope.mark();
  const terms: Tmux[] = [];
  after(() => {
    for (const t of terms) t.kill();
    scope.cleanup();
  });

  test('draws counts, sparklines, alarms in colour and our orphan; Ctrl-C restores the screen, exit 0', async () => {
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(mark));
    const t = new Tmux(120, 40);
    terms.push(t);
    t.start(shell(`--interval 200ms --args ${mark} --expect ffmpeg=0`), { TERM: 'xterm-256color' });
    const screen = await t.waitFor(new RegExp(`OLDEST[\\s\\S]*${orphan}`));
    assert.match(screen, /procsweep watch {2}· {2}every 200ms {2}· {2}tick \d+/);
    assert.match(screen, /^SIGNATURE\s+TOTAL\s+ORPHAN\s+ZOMBIE\s+DUP\s+HISTORY \(total\)$/m);
    assert.match(screen, /^ffmpeg\s+1\s+1\s+0\s+0\s+[▁-█]+$/m);
    assert.match(screen, /^srt-live-transmit\s+0\s+0\s+0\s+0\s+▁+$/m);
    assert.match(screen, /ALARMS \(1\)/);
    assert.match(screen, /!! ffmpeg: 1 process running, 1 more than the 0 expected/);
    assert.match(screen, new RegExp(`^\\s*${orphan}\\s+ffmpeg\\s+\\S+\\s+[\\d.-]+\\s+\\S+\\s+\\d+\\s+\\d+\\s+orphan\\s+ffmpeg -nostdin`, 'm'));
    assert.match(screen, /LAST EVENTS/);
    for (const l of screen.split('\n')) assert.ok([...l].length <= 120, `wider than the terminal: ${l}`);
    assert.match(t.capture(true), /\x1b\[31m(\x1b\[\d+m)*!!/, 'critical alarms in red');

    t.send('C-c');
    const restored = await t.waitFor(/EXIT=\d+/, 5000);
    assert.match(restored, /EXIT=0/);
    assert.doesNotMatch(restored, /SIGNATURE\s+TOTAL/, 'the alternate screen is gone');
    assert.match(restored, /procsweep watch: \d+ scans, 1 matched now \(1 orphan, 0 zombie\), 1 alarm active/);
    assert.match(restored, /! ffmpeg: 1 process running/);
  });

  test('q quits: exit 0, the screen and the terminal mode restored; the header names the scope, the bottom line the keys and the scoped sweep k runs', async () => {
    const m = `${mark}-q`;
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(m));
    const user = userInfo().username;
    const t = new Tmux(200, 30);
    terms.push(t);
    // After watch: the exit status, then whether the terminal is back in canonical mode with echo.
    t.start(`${process.execPath} ${BIN} watch --interval 200ms --args ${m} --user ${user} --match ffmpeg; echo EXIT=$?; stty -a | grep -o -- '-\\?icanon\\|-\\?echo ' | tr '\\n' ' '; echo; sleep 60`, { NO_COLOR: '1' });
    const screen = await t.waitFor(new RegExp(`OLDEST[\\s\\S]*${orphan}`));
    const rows = screen.split('\n');
    assert.match(screen, new RegExp(`^scope: --args ${m} --user ${user} --match ffmpeg$`, 'm'));
    const act = `procsweep sweep --args ${m} --user ${user} --match ffmpeg`;
    assert.equal(rows[29], `q quit  ·  Ctrl-C quit  ·  k run ${act} (its plan, then pick and confirm)`, 'the legend is the bottom line');
    // The command k runs, as a preview, plans exactly what is shown: our orphan.
    const preview = cli(act.split(' ').slice(1).concat('-n', '--json'));
    assert.equal(preview.code, 0, preview.stderr);
    assert.deepEqual(preview.json().targets.map((x: any) => x.pid), [orphan]);

    t.send('q');
    const restored = await t.waitFor(/EXIT=\d+\n.*icanon/, 5000);
    assert.match(restored, /EXIT=0/);
    assert.match(restored, /^icanon echo *$/m, 'raw mode is undone: canonical input and echo are back');
    assert.equal(t.command(['display-message', '-p', '-t', t.session, '#{alternate_on}']).trim(), '0', 'the alternate screen is left');
    assert.doesNotMatch(restored, /SIGNATURE\s+TOTAL/);
    assert.match(restored, /procsweep watch: \d+ scans, 1 matched now \(1 orphan, 0 zombie\), 0 alarms active/);
    assert.ok(alive(orphan), 'the dashboard kills nothing');
  });

  test('k runs the scoped sweep in the foreground (its plan, picker and confirm, No by default), then returns to the dashboard', async () => {
    const m = `${mark}-k`;
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(m));
    const t = new Tmux(200, 40);
    terms.push(t);
    // A private lock: the sweep k runs takes it (watch --lock-file without --sweep is k's lock).
    const lock = join(tmpdir(), `psw-k-${m}.lock`);
    t.start(shell(`--interval 200ms --args ${m} --lock-file ${lock}`), { NO_COLOR: '1' });
    const screen = await t.waitFor(new RegExp(`OLDEST[\\s\\S]*${orphan}`));
    assert.match(screen, new RegExp(`k run procsweep sweep --lock-file ${lock} --args ${m} \\(its plan, then pick and confirm\\)$`, 'm'));

    // Declined at the confirm (its default): nothing signalled, back to the dashboard.
    t.send('k');
    await t.waitFor(new RegExp(`1 candidate · 1 checked[\\s\\S]*${orphan}`));
    t.send('Enter');
    await t.waitFor(/Signal these 1 process\? \(y\/N\)/);
    t.send('Enter');
    await t.waitFor(/Nothing was signalled\.[\s\S]*sweep exited 0\. Press a key to return to the dashboard/);
    assert.ok(alive(orphan), 'declined: the orphan runs');
    t.send('x');
    await t.waitFor(new RegExp(`OLDEST[\\s\\S]*${orphan}`));

    // Accepted: sweep's engine ends it; the dashboard sees it go.
    t.send('k');
    await t.waitFor(/1 candidate · 1 checked/);
    t.send('Enter');
    await t.waitFor(/Signal these 1 process\? \(y\/N\)/);
    t.send('y', 'Enter');
    await t.waitFor(new RegExp(`${orphan} +terminated[\\s\\S]*Press a key to return`), 10_000);
    assert.ok(!alive(orphan), 'the orphan was swept');
    t.send('x');
    await t.waitFor(/no matched processes/);
    t.send('q');
    assert.match(await t.waitFor(/EXIT=\d+/, 5000), /EXIT=0/);
    rmSync(lock, { force: true });
  });

  test('the loop ends (--count) while k\'s sweep waits at its confirm: the watch waits for it, does not return to the dashboard, then prints its summary', async () => {
    const m = `${mark}-kc`;
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(m));
    const t = new Tmux(200, 40);
    terms.push(t);
    const lock = join(tmpdir(), `psw-kc-${m}.lock`);
    t.start(shell(`--interval 100ms --count 12 --args ${m} --lock-file ${lock}`), { NO_COLOR: '1' });
    await t.waitFor(new RegExp(`OLDEST[\\s\\S]*${orphan}`));
    t.send('k');
    await t.waitFor(/1 candidate · 1 checked/);
    t.send('Enter');
    await t.waitFor(/Signal these 1 process\? \(y\/N\)/);
    // Input, not an assertion: stay at the confirm well past the 12 scans (1.2 s).
    await new Promise((r) => setTimeout(r, 2500));
    t.send('Enter');
    const end = await t.waitFor(/EXIT=\d+/, 10_000);
    assert.match(end, /Nothing was signalled\./);
    assert.doesNotMatch(end, /Press a key to return/, 'a finished watch does not offer the dashboard again');
    assert.match(end, /procsweep watch: \d+ scans, 1 matched now[\s\S]*EXIT=0/, 'its summary comes after the sweep, then exit 0');
    assert.equal(t.command(['display-message', '-p', '-t', t.session, '#{alternate_on}']).trim(), '0', 'the alternate screen is left');
    assert.ok(alive(orphan), 'declined: nothing signalled');
    rmSync(lock, { force: true });
  });

  test('SIGTERM also restores the terminal and exits 0; a narrow terminal still fits', async () => {
    const t = new Tmux(60, 20);
    terms.push(t);
    t.start(shell(`--interval 200ms --args ${mark}-narrow`), { NO_COLOR: '1' });
    const screen = await t.waitFor(/SIGNATURE/);
    for (const l of screen.split('\n')) assert.ok([...l].length <= 60, `wider than the terminal: ${l}`);
    const pid = watchPid(`${mark}-narrow`);
    assert.ok(pid, 'found our watch process');
    process.kill(pid, 'SIGTERM');
    const restored = await t.waitFor(/EXIT=\d+/, 5000);
    assert.match(restored, /EXIT=0/);
    assert.doesNotMatch(restored, /SIGNATURE/);
  });
});

describe('the dashboard folds a kill and its slow reaper into one line', { skip: needs('tmux', 'ffmpeg', 'perl', 'setsid') }, () => {
  const { dir, scope, terms } = terminalWorld('dashfold');
  const mark = scope.mark('fold');

  test('an ffmpeg killed under a reaper that waits 2s: zombie, then reaped, shown as one line', async () => {
    // A slow reaper (a configured reaper name, its title carrying the marker): it forks the
    // ffmpeg and reaps its children only every 2 seconds.
    const script = join(dir, 'reaper.pl');
    writeFileSync(script, [
      `$0 = "slowreaper-${mark}";`,
      'use POSIX ":sys_wait_h";',
      `my $pid = fork(); if ($pid == 0) { exec(${ffmpegArgs(mark).map((a) => JSON.stringify(a)).join(', ').replace(/^/, '"ffmpeg", ')}); exit 1; }`,
      'while (1) { sleep 2; while (waitpid(-1, WNOHANG) > 0) {} }',
    ].join('\n'));
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ reapers: ['slowreaper*'] }));
    spawnSync('setsid', ['-f', 'perl', script], { stdio: 'ignore' });
    let ff = 0;
    const found = (): boolean => (ff = pidsWith(mark).find((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'ffmpeg') ?? 0) > 0;
    const until = Date.now() + 5000;
    while (!found() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    assert.ok(ff, 'the ffmpeg runs under the slow reaper');
    const t = new Tmux(160, 30);
    terms.push(t);
    t.start(shell(`--interval 200ms --args ${mark} --config ${cfg}`), { NO_COLOR: '1' });
    await t.waitFor(new RegExp(`OLDEST[\\s\\S]*${ff}`));
    process.kill(ff, 'SIGTERM');
    const screen = await t.waitFor(new RegExp(`reaped +${ff} ffmpeg: exited, a zombie for \\S+ under parent \\d+, then reaped`), 10_000);
    const events = screen.slice(screen.indexOf('LAST EVENTS'));
    assert.doesNotMatch(events, new RegExp(`zombie +${ff} `), 'no separate zombie line');
    assert.equal(events.split('\n').filter((l) => new RegExp(`\\b${ff}\\b`).test(l)).length, 1, events);
    t.send('q');
    assert.match(await t.waitFor(/EXIT=\d+/, 5000), /EXIT=0/);
  });
});
