import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalArgs, parsePs, psColumns, psFailure } from '../../src/core/read/backend/ps.js';

// `ps -A -ww -o psColumns()` output as procps (Linux) and macOS print it with LC_ALL=C TZ=UTC.
const linux = [
  '    1     0     1     1     0 Ss   Thu Dec  3 08:17:31 2026 /sbin/init',
  '    2     0     0     0     0 S    Thu Dec  3 08:17:31 2026 [kthreadd]',
  ' 4224     1  4200  4200  1000 S    Wed Jan 14 23:05:09 2026 ffmpeg  -i rtsp://cam3/main -f null -',
  ' 4225  4224  4200  4200  1000 Z    Wed Jan 14 23:05:10 2026 [ffmpeg] <defunct>',
  ' 4226     1  4226  4226  1000 Ts   Wed Jan 14 23:05:11 2026 srt-live-transmit udp://:4000 srt://:4001',
  ' 4227     1  4227  4227  1000 D    Xyz Foo 99 99:99:99 2026 sleep 1',
].join('\n');

test('parsePs reads every column; the start time is the second since the epoch; argv is split on blanks', () => {
  const t = parsePs(linux, 'linux');
  const ff = t.get(4224)!;
  assert.deepEqual([ff.ppid, ff.pgid, ff.sid, ff.uid, ff.state, ff.comm], [1, 4200, 4200, 1000, 'S', 'ffmpeg']);
  assert.equal(ff.startTicks, Date.UTC(2026, 0, 14, 23, 5, 9) / 1000);
  assert.equal(ff.startedAt, Date.UTC(2026, 0, 14, 23, 5, 9));
  assert.deepEqual(ff.argv, ['ffmpeg', '-i', 'rtsp://cam3/main', '-f', 'null', '-']);
  assert.equal(normalArgs(' ffmpeg  -i x '), 'ffmpeg -i x');
  assert.equal(t.get(2)!.kernelThread, true);
  assert.equal(t.get(1)!.kernelThread, false);
  const z = t.get(4225)!;
  assert.deepEqual([z.state, z.comm, z.argv], ['Z', 'ffmpeg', []]);
  assert.equal(t.get(4226)!.state, 'T');
  // An unreadable start time stays unknown: never an identity.
  assert.equal(t.get(4227)!.startTicks, null);
  assert.equal(t.get(4227)!.startedAt, null);
  assert.equal(psColumns('linux'), 'pid=,ppid=,pgid=,sess=,uid=,stat=,lstart=,args=');
  assert.match(psColumns('freebsd'), /,sid=,/);
});

test('on macOS the session address becomes the pid of its live leader; U is uninterruptible', () => {
  const mac = [
    '  501     1   501 ffffff8012a3c000   501 Ss   Thu Dec  3 08:17:31 2026 -zsh',
    '  600   501   600 ffffff8012a3c000   501 S+   Thu Dec  3 08:18:00 2026 ffmpeg -i x',
    '  700     1   700 ffffff8099990000   501 U    Thu Dec  3 08:18:00 2026 ffmpeg -i y',
  ].join('\n');
  const t = parsePs(mac, 'darwin');
  assert.equal(t.get(501)!.sid, 501);
  assert.equal(t.get(600)!.sid, 501);
  assert.equal(t.get(700)!.sid, null, 'its leader is gone: unknown, not 0');
  assert.equal(t.get(700)!.state, 'D');
});

test('a shell -c keeps its script as one word, so the wrapper is still recognised; the joined line is unchanged', () => {
  const t = parsePs(' 900     1   900   900  1000 S    Thu Dec  3 08:17:31 2026 sh -c while true; do ffmpeg -i x; sleep 2; done', 'linux');
  assert.deepEqual(t.get(900)!.argv, ['sh', '-c', 'while true; do ffmpeg -i x; sleep 2; done']);
});

test('a failed ps run says why in one line: which ps is needed only where the columns may be the cause', () => {
  assert.match(psFailure({ code: 'ENOENT' }), /^cannot read the process table with ps \(ENOENT\): no ps on PATH; the portable backend needs a ps that knows -A -ww -o pid=/);
  assert.equal(psFailure({ code: 1 }, 'ps: unknown option -- w\nusage: ps ...\n'), `cannot read the process table with ps (1): ps said: ps: unknown option -- w; the portable backend needs a ps that knows -A -ww -o ${psColumns()}`);
  assert.equal(psFailure({ code: 1 }, ''), `cannot read the process table with ps (1); the portable backend needs a ps that knows -A -ww -o ${psColumns()}`);
  // A ps that could not be started for want of resources is a passing failure, not a wrong ps.
  assert.equal(psFailure({ code: 'EAGAIN' }), 'cannot read the process table with ps (EAGAIN): ps could not be started; retry once the system has processes or memory to spare');
  assert.equal(psFailure({ code: 'EACCES' }), 'cannot read the process table with ps (EACCES): ps could not be started');
  assert.ok(!psFailure({ code: 1 }, 'x'.repeat(5000)).includes('x'.repeat(201)), 'ps\'s complaint is cut');
  for (const m of [psFailure({ code: 'EAGAIN' }), psFailure({ code: 2 }, 'a\nb')]) assert.ok(!m.includes('\n'), 'one line');
});
