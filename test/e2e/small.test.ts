import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { badInputTests, cli, ffmpegArgs, marker, Scope, waitFor } from '../helpers/procs.js';
import { needs } from '../helpers/needs.js';

// The small ones of #15 (item 13): ASCII trees under LANG=C, bounded durations, a split
// duration named for what it is, no "none of the 0", and tree members of a suspect tree.
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'proc-basic');

describe('LANG=C draws the tree in ASCII', () => {
  test('list --tree and sweep -n: ASCII guides under C, box drawing under UTF-8', () => {
    for (const args of [['list', '--tree'], ['sweep', '-n']]) {
      const ascii = cli([...args, '--proc-root', FIXTURE], { env: { LANG: 'C', LC_ALL: undefined, LC_CTYPE: undefined } });
      assert.equal(ascii.code, 0, ascii.stderr);
      assert.match(ascii.stdout, /^(\|  )*(\||`)- \d+ /m, ascii.stdout);
      assert.doesNotMatch(ascii.stdout, /[│├└─]/);
      const utf = cli([...args, '--proc-root', FIXTURE], { env: { LANG: 'C', LC_ALL: 'en_US.UTF-8' } });
      assert.match(utf.stdout, /^(│  )*[├└]─ \d+ /m);
    }
  });
});

describe('durations: bounded, and a split one is named', () => {
  badInputTests([
    [['sweep', '-n', '--grace', '10000d'], 2, /^procsweep: --grace '10000d' is too long: at most 1h \(how long the first signal gets before SIGKILL\)$/m],
    [['kill-group', '-n', '--grace', '2h', '1'], 2, /--grace '2h' is too long: at most 1h/],
    [['pidfiles', 'clean', '--grace', '90m', '--pid-dir', '/tmp'], 2, /--grace '90m' is too long/],
    [['watch', '--interval', '30d'], 2, /--interval '30d' is too long: at most 24d/],
    [['sweep', '-n', '--older-than', '2', 'm'], 2, /^procsweep: --older-than 2 m: a duration is one word, the unit right after the number: write --older-than 2m \(units ms, s, m, h, d\)$/m],
    [['list', 'extra'], 2, /^procsweep: unexpected argument 'extra': list takes no arguments/],
    [['pidfiles', 'list', 'junk', '--pid-dir', '/tmp'], 2, /unexpected argument 'junk': pidfiles list takes no arguments/],
  ]);
  test('an hour of grace is still accepted', () => {
    assert.equal(cli(['sweep', '-n', '--grace', '1h', '--args', marker('none')]).code, 0);
  });
});

test('nothing matched: "no process matched", never "none of the 0"', () => {
  const r = cli(['sweep', '-n', '--args', marker('none')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Nothing to sweep: no process matched\.$/m);
});

describe('the ffmpeg inside an orphaned wrapper is marked as part of its unit', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  after(() => scope.cleanup());
  test('list --flag orphan shows what sweep signals; the table marks the member in:WRAPPER', async () => {
    const mark = scope.mark('unit');
    const q = ffmpegArgs(mark).map((a) => `'${a}'`).join(' ');
    const wrapper = await scope.orphan('sh', ['-c', `ffmpeg ${q}; true`]);
    let child = 0;
    assert.ok(await waitFor(() => {
      const p = cli(['list', '--json', '--args', mark]).json().processes.find((x: any) => x.ppid === wrapper);
      child = p?.pid ?? 0;
      return child > 0;
    }, 10_000));
    const listed = cli(['list', '--json', '--flag', 'orphan', '--args', mark]).json().processes;
    const planned = cli(['sweep', '-n', '--json', '--args', mark]).json().targets.map((t: any) => t.pid).sort();
    assert.deepEqual(listed.map((p: any) => p.pid).sort(), planned);
    assert.deepEqual(planned, [wrapper, child].sort());
    const member = listed.find((p: any) => p.pid === child);
    assert.deepEqual(member.flags, [], 'the member has no orphan flag of its own');
    assert.equal(member.partOf, wrapper);
    assert.equal(listed.find((p: any) => p.pid === wrapper).partOf, null);
    const human = cli(['list', '--flag', 'orphan', '--args', mark]);
    assert.match(human.stdout, new RegExp(`^\\s*${child}\\s+${wrapper}\\s.*\\sin:${wrapper}\\s`, 'm'));
  });
});
