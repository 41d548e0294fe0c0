// Zombies, the word every seed uses loosely: an ffmpeg that has exited but whose parent never
// called wait(). It holds no memory, no sockets, no CPU, only a PID slot, and no signal can
// remove it; only its parent can, by reaping it or by dying. Here a parent starts short ffmpeg
// jobs in the background and then only sleeps. procsweep lists each zombie with the parent to
// blame, and sweep explains that it cannot kill it and what to do about the parent instead.
//
// A zombie has no command line left, only the kernel's 15-character name, so a marker in argv
// cannot scope a sweep to it. The swept zombie's ffmpeg therefore runs under a private alias
// (a symlink to the real binary) whose name is the marker, described with `--signature`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { alive, childPids, comm, entry, exists, ffmpegAlias, ffmpegTiny, needs, procState, requireCommand, shq, Stage, waitFor } from './stage.js';

describe('scenario 6: a parent that never reaps its exited ffmpeg children', { skip: needs('ffmpeg'), timeout: 60_000 }, () => {
  const stage = new Stage('zombies');
  /** The alias's name: the zombie's comm, unique to this run. */
  const alias = `ffz${randomBytes(4).toString('hex')}`;
  const scope = (): string[] => ['--signature', `zcap=${alias}`, '--match', 'zcap', '--args', alias];
  let parent = 0;
  let plain = 0;
  let aliased = 0;

  before(async () => {
    const bin = ffmpegAlias(stage, alias);
    const job = (tag: string): string[] => ffmpegTiny(`${stage.mark}-${tag}`, ['-f', 'null', '-'], ['-t', '0.2']);
    // Two background jobs, then `exec sleep`: the sleeper inherits the children and never waits.
    const script = `${shq(['ffmpeg', ...job('plain')])} & ${shq([bin, ...job('aliased')])} & exec sleep 60`;
    parent = stage.spawn('sh', ['-c', script]).pid!;
    const zombies = (): number[] => childPids(parent).filter((pid) => procState(pid)?.state === 'Z');
    assert.ok(await waitFor(() => zombies().length === 2, 10_000), 'both jobs exited and were not reaped');
    for (const pid of zombies()) {
      if (comm(pid) === 'ffmpeg') plain = pid;
      else if (comm(pid) === alias) aliased = pid;
    }
    assert.ok(plain && aliased, 'one plain ffmpeg zombie, one under the alias');
  });
  after(() => stage.cleanup());

  test('list shows the zombie ffmpeg and names the parent that has not reaped it', () => {
    // Read-only and unscoped: a zombie carries no marker; the test picks its own by pid.
    const doc = stage.list([], false);
    const z = entry(doc, plain);
    assert.equal(z.state, 'Z');
    assert.equal(z.signature, 'ffmpeg', 'matched by its kernel name: a zombie has no argv');
    assert.deepEqual(z.argv, []);
    assert.deepEqual(z.flags, ['zombie']);
    assert.match(z.reasons.zombie, new RegExp(`parent ${parent} \\(sleep\\)`));
    assert.match(z.reasons.zombie, /cannot be killed/);
    const human = stage.psw(['list', ...scope()]);
    assert.match(human.stdout, new RegExp(`^\\s*${aliased}\\s+${parent}\\s.*\\bZ\\b.*zombie`, 'm'));
  });

  test('watch raises a zombie alarm once the zombies outlast a few scans, naming the parent', () => {
    requireCommand(['watch'], 'the watch helper');
    const r = stage.psw(['watch', '--json', '--interval', '100ms', '--count', '8', ...scope()]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const alarm = lines.find((l) => l.event === 'alarm' && l.state === 'raised' && l.alarm.kind === 'zombie');
    assert.ok(alarm, r.stdout);
    assert.equal(alarm.alarm.pid, parent);
    assert.match(alarm.alarm.reason, /zombie.* unreaped for .*parent PID \d+ does not wait\(\)/);
    assert.ok(lines.filter((l) => l.type === 'tick').every((t) => t.zombie === 1), 'the aliased zombie counts in every tick');
  });

  test('list --check exits 1 while a zombie is there', () => {
    assert.equal(stage.psw(['list', '--check', ...scope()]).code, 1);
  });

  test('sweep explains that a zombie cannot be killed and what to do about its parent', () => {
    requireCommand(['sweep'], 'the engine helper');
    const r = stage.psw(['sweep', '-y', '--grace', '1s', ...scope(), '--lock-file', stage.lockFile]);
    const said = r.stdout + r.stderr;
    assert.match(said, new RegExp(`${aliased}\\s+skipped`), 'the zombie is a target that is skipped');
    assert.match(said, new RegExp(`parent ${parent} \\(sleep\\) has not called wait\\(\\); it cannot be killed`), 'names the parent to blame');
    assert.match(said, /zombies cannot be killed: fix or restart the parent/, 'says what to do about it');
    // Nothing is left running: a zombie holds no CPU, memory or sockets, so the sweep succeeds.
    assert.equal(r.code, 0, said);
    assert.ok(alive(parent), 'the parent is not signalled behind the operator\'s back');

    const json = stage.psw(['sweep', '-y', '--json', '--grace', '1s', ...scope(), '--lock-file', stage.lockFile]);
    assert.equal(json.code, 0, json.stderr);
    const t = json.json().targets.find((x: { pid: number }) => x.pid === aliased);
    assert.ok(t, 'the zombie is reported as a target');
    assert.equal(t.outcome, 'skipped');
    assert.deepEqual(t.signals, [], 'no signal is sent to a zombie');
    assert.match(t.reason, new RegExp(`parent ${parent} \\(sleep\\)`));
  });

  test('doing what it says (kill-group on the parent) lets the zombies go', async () => {
    requireCommand(['kill-group'], 'the engine helper');
    // The parent is this scenario's own child: kill-group names it by PID and takes no lock.
    const r = stage.psw(['kill-group', String(parent), '-y', '--json', '--grace', '1s', '--lock-file', stage.lockFile]);
    assert.equal(r.code, 0, r.stderr);
    const t = r.json().targets.find((x: { pid: number }) => x.pid === parent);
    assert.ok(['terminated', 'killed'].includes(t?.outcome), JSON.stringify(r.json().targets));
    assert.ok(await waitFor(() => !exists(plain) && !exists(aliased), 15_000), 'reaped once the parent was gone');
    assert.equal(stage.psw(['list', '--check', ...scope()]).code, 0);
  });
});
