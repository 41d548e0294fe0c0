import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, cli, LOCK_ARGS, Scope, waitFor } from '../helpers/procs.js';
import { descendants, markedSleep } from '../helpers/workers.js';

// kill-tree: one process and its descendants only (#15 item 12), against groups this file
// started in sessions of their own. The rest of the group must survive.
const dir = mkdtempSync(join(tmpdir(), 'psw-kt-'));
const scope = new Scope();
after(() => {
  scope.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A group leader (sh) running a sibling sleep and a sub-shell `worker` with a child sleep: the
 * sub-shell is the "PID" an operator names; its child must go with it, the leader and sibling stay.
 */
async function stage(): Promise<{ leader: number; worker: number; child: number; sibling: number }> {
  const mark = scope.mark('kt');
  const s = markedSleep(dir, mark);
  const leader = scope.spawn('sh', ['-c', '"$0" 300 & sh -c "\\"$0\\" 300; true" "$0" & wait', s], { detached: true }).pid!;
  assert.ok(await waitFor(() => descendants(leader).length >= 3));
  const kids = descendants(leader);
  // The sub-shell is the leader's child that has a child of its own.
  const worker = kids.find((k) => descendants(k).length > 0)!;
  const child = descendants(worker)[0];
  const sibling = kids.find((k) => k !== worker && k !== child)!;
  return { leader, worker, child, sibling };
}

describe('kill-tree', () => {
  test('-n plans the PID and its descendants only; -y ends them and nothing else of the group', async () => {
    const g = await stage();
    const dry = cli(['kill-tree', '-n', '--json', String(g.worker)]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(dry.json().targets.map((t: any) => t.pid).sort(), [g.worker, g.child].sort());
    const human = cli(['kill-tree', '-n', String(g.worker)]);
    assert.match(human.stdout, new RegExp(`why  ${g.worker}: PID ${g.worker} \\(kill-tree: it and its descendants\\)`));
    assert.match(human.stdout, /Dry run: would signal 2 processes in 1 tree/);
    // kill-group on the same PID would take the whole group: the leader and the sibling too.
    const group = cli(['kill-group', '-n', '--json', String(g.worker)]).json().targets.map((t: any) => t.pid);
    for (const p of [g.leader, g.sibling]) assert.ok(group.includes(p));

    const r = cli(['kill-tree', '-y', '--json', ...LOCK_ARGS, String(g.worker)]);
    assert.equal(r.code, 0, r.stderr);
    for (const t of r.json().targets) assert.equal(t.outcome, 'terminated', `${t.pid}: ${t.reason}`);
    assert.ok(await waitFor(() => !alive(g.worker) && !alive(g.child)));
    assert.ok(alive(g.leader), 'the group leader was signalled');
    assert.ok(alive(g.sibling), 'a sibling in the same group was signalled');
  });

  test('the same guard as kill-group: PID 1 and procsweep\'s ancestors are refused, exit 2, one line', () => {
    for (const [args, re] of [[['-y', '1'], /refusing PID 1/], [['-y', String(process.pid)], /ancestor of procsweep/], [['-y', 'x1'], /'x1' is not a PID: give numbers, e.g. procsweep kill-tree 4224/]] as const) {
      const r = cli(['kill-tree', ...args, ...LOCK_ARGS]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
