import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { BIN, ffmpegArgs, pidsWith, Scope } from '../helpers/procs.js';
import { Tmux } from '../helpers/tmux.js';
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
