import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { classify } from '../../src/core/decide/classify.js';
import { ProcReader } from '../../src/core/read/procfs/reader.js';
import { BUILTIN_SIGNATURES } from '../../src/core/decide/signatures.js';
import { commandLine, trimTitle } from '../../src/render/escape.js';
import { renderListTable } from '../../src/render/list.js';
import { palette } from '../../src/render/palette.js';
import { writeTree, type FixtureProc } from '../fixtures/make-proc.js';

// Command lines as bytes: invalid UTF-8 decodes to U+FFFD, which must not make distinct command
// lines look equal; and a space-padded setproctitle title drags environment text into argv[0].

const dir = mkdtempSync(join(tmpdir(), 'psw-cmdline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ff = (pid: number, bytes: Buffer, start: number): FixtureProc => ({ pid, comm: 'ffmpeg', argv: ['ffmpeg'], ppid: 50, pgid: 50, sid: 50, start, cmdline: bytes });
const cmd = (tail: number[]): Buffer => Buffer.concat([Buffer.from('ffmpeg\0-i\0rtsp://cam'), Buffer.from(tail), Buffer.from('/main\0')]);

test('command lines that differ only in invalid UTF-8 bytes are not duplicates; equal bytes are', () => {
  const root = join(dir, 'dup');
  writeTree(root, [
    { pid: 1, comm: 'init', argv: ['/sbin/init'], ppid: 0, sid: 1, start: 1 },
    { pid: 50, comm: 'node', argv: ['node', 'router.js'], ppid: 1, sid: 50, start: 2 },
    ff(10, cmd([0xff]), 10), ff(11, cmd([0xfe]), 11),
    ff(12, cmd([0xc3, 0x28]), 12), ff(13, cmd([0xc3, 0x28]), 13),
  ]);
  const snap = new ProcReader(root).snapshot(0);
  assert.deepEqual(snap.processes.get(10)!.argv, snap.processes.get(11)!.argv, 'both decode to the same U+FFFD text');
  const f = new Map(classify(snap, { signatures: BUILTIN_SIGNATURES }).map((x) => [x.proc.pid, x]));
  assert.ok(!f.get(10)!.flags.includes('duplicate'), f.get(10)!.reasons.duplicate);
  assert.ok(!f.get(11)!.flags.includes('duplicate'));
  assert.ok(f.get(12)!.flags.includes('duplicate'), 'the same invalid bytes are the same command line');
  assert.ok(!f.get(13)!.flags.includes('duplicate'), 'the newest copy is not flagged');
  assert.equal(snap.processes.get(50)!.cmdlineBytes, undefined, 'valid UTF-8 keeps no byte copy');
});

test('a space-padded setproctitle title is shown without its padding and spilled environment; argv stays exact', () => {
  const root = join(dir, 'title');
  const title = 'ffmpeg: encoding cam3 -> srt://edge:9000';
  writeTree(root, [
    { pid: 1, comm: 'init', argv: ['/sbin/init'], ppid: 0, sid: 1, start: 1 },
    { pid: 20, comm: 'ffmpeg', argv: ['ffmpeg'], ppid: 1, sid: 20, start: 5, cmdline: Buffer.from(`${title}${' '.repeat(60)}HOME=/root`) },
    { pid: 21, comm: 'ffmpeg', argv: ['ffmpeg'], ppid: 1, sid: 21, start: 6, cmdline: Buffer.from(`${title}${' '.repeat(60)}`) },
  ]);
  const snap = new ProcReader(root).snapshot(0);
  const p = snap.processes.get(20)!;
  assert.equal(p.argv.length, 1);
  assert.ok(p.argv[0].endsWith('HOME=/root'), 'argv (and --json) keep what the kernel gave');
  assert.equal(commandLine(p.argv, p.comm), title);
  assert.equal(commandLine(snap.processes.get(21)!.argv, 'ffmpeg'), title);
  const sig = [{ name: 'enc', pattern: /^ffmpeg: encoding/ }];
  const table = renderListTable(snap, classify(snap, { signatures: sig }), null, palette(0));
  assert.ok(table.split('\n').some((l) => l.endsWith(title)), table);
  assert.doesNotMatch(table, /HOME=/);
  // Not a title: ordinary arguments and single spaces are left alone.
  assert.equal(trimTitle('nginx: worker process'), 'nginx: worker process');
  assert.equal(commandLine(['sh', '-c', 'a  B=1'], 'sh'), 'sh -c a  B=1');
});
