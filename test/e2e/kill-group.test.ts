import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, cli, LOCK_ARGS, Scope, waitFor } from '../helpers/procs.js';
import { descendants, markedSleep } from '../helpers/workers.js';

// kill-group against groups this file started, each in a session of its own.
const dir = mkdtempSync(join(tmpdir(), 'psw-kg-'));
const scope = new Scope();
after(() => {
  scope.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A group leader (sh) with a sleep, a sub-shell with a sleep, and a setsid'd sleep that left the group. */
async function group(): Promise<{ root: number; tree: number[] }> {
  const mark = scope.mark('kg');
  const s = markedSleep(dir, mark);
  const root = scope.spawn('sh', ['-c', '"$0" 300 & setsid "$0" 300 & sh -c "\\"$0\\" 300; true" "$0" & wait', s], { detached: true }).pid!;
  assert.ok(await waitFor(() => descendants(root).length >= 4));
  return { root, tree: [root, ...descendants(root)] };
}

describe('kill-group', () => {
  test('the group of a PID plus every descendant, including one that left the group', async () => {
    const g = await group();
    const member = descendants(g.root)[0];
    const r = cli(['kill-group', '-y', '--json', ...LOCK_ARGS, String(member)]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(doc.targets[0].pid, g.root);
    assert.deepEqual(doc.targets.map((t: any) => t.pid).sort(), [...g.tree].sort());
    for (const t of doc.targets) {
      assert.equal(t.outcome, 'terminated', `${t.pid}: ${t.reason}`);
      assert.equal(t.candidate, member);
    }
    for (const p of g.tree) assert.ok(!alive(p));
  });

  test('--pgid; --dry-run draws the tree and signals nothing', async () => {
    const g = await group();
    const dry = cli(['kill-group', '-n', '--pgid', String(g.root)]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^${g.root} sh -c`, 'm'));
    assert.match(dry.stdout, /^[├└]─ \d+ /m);
    assert.match(dry.stdout, new RegExp(`why  ${g.root}: in process group ${g.root}`));
    assert.match(dry.stdout, /Dry run: would signal 5 processes in 1 tree/);
    for (const p of g.tree) assert.ok(alive(p));
    const r = cli(['kill-group', '-y', ...LOCK_ARGS, '--pgid', String(g.root)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /5 terminated; nothing left running/);
    for (const p of g.tree) assert.ok(!alive(p));
  });

  test('--signal INT is the first signal; KILL follows only for survivors', async () => {
    const mark = scope.mark('kgi');
    const s = markedSleep(dir, mark);
    const pid = scope.spawn('sh', ['-c', 'trap "" TERM; exec "$0" 300', s], { detached: true }).pid!;
    await waitFor(() => alive(pid));
    const r = cli(['kill-group', '-y', '--json', ...LOCK_ARGS, '--signal', 'INT', '--grace', '2s', String(pid)]);
    assert.equal(r.code, 0, r.stderr);
    const [t] = r.json().targets;
    assert.equal(t.outcome, 'terminated');
    assert.deepEqual(t.signals.slice(0, 2), ['SIGSTOP', 'SIGINT']);
    assert.ok(!t.signals.includes('SIGKILL'));
    assert.match(t.reason, /after SIGINT/);
  });
});

describe('kill-group refuses, exit 2, nothing signalled', () => {
  const sameSession = scope.spawn('sleep', ['300']); // our child: in procsweep's own session
  const cases: Array<[string, string[], RegExp]> = [
    ['PID 1', ['-n', '1'], /refusing PID 1: PID 1 is the init/],
    ['an ancestor of procsweep', ['-y', String(process.pid)], /ancestor of procsweep/],
    ['a process in procsweep\'s own session', ['-y', String(sameSession.pid)], /own (process group|session)/],
    ['a PID that is not running', ['-y', '99999999'], /no process 99999999 is running/],
    ['a PID that is not running, without -y or a terminal', ['99999999'], /no process 99999999 is running/],
    ['a protected PID without -y or a terminal', [String(sameSession.pid)], /own (process group|session)/],
    ['a non-number', ['-y', '12abc'], /'12abc' is not a PID/],
    ['a signal that does not end a process', ['-y', '--signal', 'STOP', '99999999'], /does not end a process/],
  ];
  for (const [what, args, re] of cases) {
    test(what, () => {
      const r = cli(['kill-group', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    });
  }
  test('a live target without -y and without a terminal: refused for consent, nothing printed on stdout', async () => {
    const m = scope.mark('kgc');
    const target = scope.spawn('sh', ['-c', 'exec sleep 300', m], { detached: true });
    assert.ok(await waitFor(() => alive(target.pid!)));
    const r = cli(['kill-group', String(target.pid)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /stdin is not a terminal.*--yes/);
    assert.equal(r.stdout, '');
    assert.ok(alive(target.pid!));
  });
  test('the refused processes are still alive', () => {
    assert.ok(alive(sameSession.pid!));
  });
});
