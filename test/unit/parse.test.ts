import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBootTime, parseCmdline, parsePasswd, parseStat, parseStatus, parseStatusBytes, isKernelThreadFlags } from '../../src/core/read/procfs/parse.js';
import { parseDuration, formatDuration } from '../../src/core/duration.js';

const STAT = '4711 (ffmpeg) S 1 4700 4700 0 -1 4194560 500 0 0 0 120 30 0 0 20 0 3 0 123456 9999 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

test('parseStat reads the fields procsweep uses', () => {
  const s = parseStat(STAT)!;
  assert.equal(s.pid, 4711);
  assert.equal(s.comm, 'ffmpeg');
  assert.equal(s.state, 'S');
  assert.equal(s.ppid, 1);
  assert.equal(s.pgid, 4700);
  assert.equal(s.sid, 4700);
  assert.equal(s.utime + s.stime, 150);
  assert.equal(s.threads, 3);
  assert.equal(s.startTicks, 123456);
  assert.equal(s.rssPages, 2048);
});

test('parseStat takes comm from the first ( to the last ), spaces and parentheses included', () => {
  const s = parseStat(STAT.replace('(ffmpeg)', '(ff) S 1 (x y))'))!;
  assert.equal(s.comm, 'ff) S 1 (x y)');
  assert.equal(s.ppid, 1);
  assert.equal(s.startTicks, 123456);
});

const BAD = ['', 'garbage', '1 (x) S  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23', '12 (x) S 1 2', '(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22', 'x1 (a) S ' + '1 '.repeat(30), '5 (a) 7 ' + '1 '.repeat(30)];

test('parseStat rejects what is not a stat line', () => {
  for (const bad of BAD) {
    assert.equal(parseStat(bad), null, JSON.stringify(bad));
  }
});

test('kernel threads are recognised by PF_KTHREAD', () => {
  assert.equal(isKernelThreadFlags(0x00208040), true);
  assert.equal(isKernelThreadFlags(0x00400100), false);
});

test('parseStatus reads the effective uid and VmRSS; unknown stays null', () => {
  assert.deepEqual(parseStatus('Name:\tffmpeg\nUid:\t1000\t1001\t1000\t1000\nVmRSS:\t   5120 kB\n'), { uid: 1001, rssBytes: 5120 * 1024 });
  assert.deepEqual(parseStatus('Name:\tkworker\n'), { uid: null, rssBytes: null });
});

test('parseCmdline keeps argv boundaries, spaces inside arguments included', () => {
  assert.deepEqual(parseCmdline('sh\0-c\0while true; do ffmpeg -i a; done\0'), ['sh', '-c', 'while true; do ffmpeg -i a; done']);
  assert.deepEqual(parseCmdline('a\0\0b\0'), ['a', '', 'b']);
  assert.deepEqual(parseCmdline(''), []);
  assert.deepEqual(parseCmdline('no-trailing-nul'), ['no-trailing-nul']);
});

test('parseBootTime and parsePasswd', () => {
  assert.equal(parseBootTime('cpu 1 2\nbtime 1700000000\n'), 1_700_000_000_000);
  assert.equal(parseBootTime('cpu 1 2\n'), null);
  const pw = parsePasswd('root:x:0:0::/root:/bin/sh\nmedia:x:1001:1001::/home/media:/bin/sh\nbroken\n');
  assert.equal(pw.get(0), 'root');
  assert.equal(pw.get(1001), 'media');
});

test('durations: units, bare seconds, and errors', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('3s'), 3000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('1.5'), 1500);
  for (const bad of ['', 'soon', '-3s', '3 weeks', '1e3']) assert.throws(() => parseDuration(bad, '--grace'), /--grace '.*' is not a duration/);
  assert.equal(formatDuration(45_000), '45s');
  assert.equal(formatDuration(7_500_000), '2h05m');
  assert.equal(formatDuration(null), '?');
});

test('parseStatBytes reads the same fields as parseStat, over odd comms, the bad lines and the live host', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { parseStatBytes, statScratch } = await import('../../src/core/read/procfs/stat-bytes.js');
  const lines = [STAT, STAT.replace('(ffmpeg)', '(ff) S 1 (x y))'), STAT.replace('(ffmpeg)', '(a b)')];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      lines.push(readFileSync(`/proc/${d}/stat`, 'latin1'));
    } catch {
      /* gone */
    }
  }
  const out = statScratch();
  for (const line of lines) {
    const want = parseStat(line);
    const buf = Buffer.from(line, 'latin1');
    const ok = parseStatBytes(buf, buf.length, out);
    assert.equal(ok, want !== null, line);
    if (!want) continue;
    const got = { pid: out.pid, comm: buf.toString('latin1', out.commStart, out.commEnd), state: out.state, ppid: out.ppid, pgid: out.pgid, sid: out.sid, flags: out.flags, cpu: out.cpuTicks, threads: out.threads, startTicks: out.startTicks, rssPages: out.rssPages };
    assert.deepEqual(got, { pid: want.pid, comm: want.comm, state: want.state, ppid: want.ppid, pgid: want.pgid, sid: want.sid, flags: want.flags, cpu: want.utime + want.stime, threads: want.threads, startTicks: want.startTicks, rssPages: want.rssPages }, line);
  }
  for (const bad of BAD) {
    const buf = Buffer.from(bad, 'latin1');
    assert.equal(parseStatBytes(buf, buf.length, out), false, JSON.stringify(bad));
  }
});

test('parseStatusBytes reads a status file as the line-splitting text parser did (an empty Uid field is unknown)', () => {
  const reference = (text: string): { uid: number | null; rssBytes: number | null } => {
    let uid: number | null = null;
    let rssBytes: number | null = null;
    for (const line of text.split('\n')) {
      if (line.startsWith('Uid:')) {
        const parts = line.slice(4).trim().split(/\s+/);
        // An empty field is unknown, not 0 (the old text parser read an empty `Uid:` as root).
        const v = /^\d+$/.test(parts[1] ?? parts[0]) ? Number(parts[1] ?? parts[0]) : NaN;
        uid = Number.isInteger(v) && v >= 0 ? v : null;
      } else if (line.startsWith('VmRSS:')) {
        const m = /(\d+)\s*kB/.exec(line);
        if (m) rssBytes = Number(m[1]) * 1024;
      }
    }
    return { uid, rssBytes };
  };
  const lines = ['Name:\tffmpeg', 'Uid:\t1000\t1001\t1000\t1000', 'Uid:\t7', 'Uid:', 'Uid: x y', 'VmRSS:\t  2048 kB', 'VmRSS:', 'VmRSSx: 5 kB', ' Uid:\t1 2', 'Gid:\t0\t0\t0\t0', 'State:\tS (sleeping)', 'Name:\tcaf\u00e9\ufffd', 'Uid:\t5 x', 'Uid:\t3\t', 'VmRSS: 7kB', 'VmRSS:\t12', 'VmRSS:\t12 MB', 'Uid:\t4294967295\t4294967294'];
  let seed = 11;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 300; round++) {
    const picked: string[] = [];
    for (let k = rnd(7); k >= 0; k--) picked.push(lines[rnd(lines.length)]);
    const text = picked.join('\n') + (rnd(2) ? '\n' : '');
    const buf = Buffer.from(`${text}\nUid:\t99 99 99 99\n`);
    const n = Buffer.byteLength(text); // a longer buffer, as the reader's shared one is: only n bytes count
    assert.deepEqual(parseStatusBytes(buf, n), reference(text), JSON.stringify(text));
    assert.deepEqual(parseStatus(text), reference(text));
  }
});
