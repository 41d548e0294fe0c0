import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { executeClean, planClean, readPidfiles, type PidfileEntry } from '../../src/core/pidfiles/index.js';
import { fakeContext, proc, snapshotOf, tempDir } from '../helpers/pidfiles.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'pidfiles');
type Expect = { status: string; reason: string };
const corpus = JSON.parse(readFileSync(join(FIX, 'corpus.expected.json'), 'utf8')) as Record<string, Expect>;
const registries = JSON.parse(readFileSync(join(FIX, 'registries.expected.json'), 'utf8')) as Record<string, Expect & { entries?: Expect[] }>;

/** Files whose malformation git cannot hold (links, types, modes): made in the temp copy. */
const SPECIAL: Record<string, Expect> = {
  'symlink-to-valid.pid': { status: 'unsafe', reason: '^a symlink to .*valid\\.pid: symlinks are never followed' },
  'symlink-passwd.pid': { status: 'unsafe', reason: '^a symlink to /etc/passwd' },
  'symlink-devzero.pid': { status: 'unsafe', reason: '^a symlink to /dev/zero' },
  'dangling.pid': { status: 'unsafe', reason: '^a symlink to /nonexistent/x\\.pid' },
  'directory.pid': { status: 'unsafe', reason: '^a directory, not a regular file' },
  'fifo.pid': { status: 'unsafe', reason: '^a FIFO, not a regular file' },
  'socket.pid': { status: 'unsafe', reason: '^a socket, not a regular file' },
  'world-writable.pid': { status: 'unsafe', reason: '^world-writable \\(mode 0666\\)' },
  'hardlink.pid': { status: 'unsafe', reason: '^has 2 hard links' },
};

describe('malformed pidfile corpus', () => {
  const tmp = tempDir();
  const dir = join(tmp.dir, 'pids');
  const outside = join(tmp.dir, 'outside');
  let server: Server | undefined;
  let entries: PidfileEntry[] = [];
  // A live ffmpeg that several malformed files name by accident (1234): it must never be signalled.
  const snap = snapshotOf([proc(1234, { startedAt: 1_700_000_000_000 })], Date.parse('2026-01-01T00:00:00Z'));

  before(async () => {
    cpSync(join(FIX, 'corpus'), dir, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'valid.pid'), '1234\n');
    symlinkSync(join(outside, 'valid.pid'), join(dir, 'symlink-to-valid.pid'));
    symlinkSync('/etc/passwd', join(dir, 'symlink-passwd.pid'));
    symlinkSync('/dev/zero', join(dir, 'symlink-devzero.pid'));
    symlinkSync('/nonexistent/x.pid', join(dir, 'dangling.pid'));
    mkdirSync(join(dir, 'directory.pid'));
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo.pid')]).status, 0, 'mkfifo');
    server = createServer();
    await new Promise<void>((r) => server!.listen(join(dir, 'socket.pid'), r));
    writeFileSync(join(dir, 'world-writable.pid'), '1234\n');
    chmodSync(join(dir, 'world-writable.pid'), 0o666);
    writeFileSync(join(outside, 'linked'), '1234\n');
    linkSync(join(outside, 'linked'), join(dir, 'hardlink.pid'));
    entries = await readPidfiles(fakeContext([dir]), snap, { pidMax: 32768 });
  });
  after(() => {
    server?.close();
    tmp.done();
  });

  test('holds at least 30 malformed files, each read exactly once', () => {
    const names = readdirSync(dir);
    assert.ok(names.length >= 30, `only ${names.length}`);
    assert.equal(entries.length, names.length);
    assert.deepEqual(names.sort(), [...Object.keys(corpus), ...Object.keys(SPECIAL)].sort());
  });

  for (const [name, want] of Object.entries({ ...corpus, ...SPECIAL })) {
    test(`${name}: ${want.status}, ${want.reason}`, () => {
      const e = entries.find((x) => x.path === join(dir, name));
      assert.ok(e, `${name} not read`);
      assert.equal(e.status, want.status, e.reason);
      assert.match(e.reason, new RegExp(want.reason));
      assert.equal(e.startTicks, null);
    });
  }

  test('clean --remove-invalid --kill signals nothing, removes only the invalid files, leaves unsafe ones', async () => {
    const plan = planClean(entries, { removeInvalid: true, kill: true });
    assert.ok(plan.every((i) => i.action !== 'kill'));
    const done = await executeClean(plan, {
      backend: fakeContext([]).backend,
      terminate: async () => {
        throw new Error('a malformed pidfile made clean signal something');
      },
    });
    for (const i of done) {
      const name = i.entry.path.slice(dir.length + 1);
      if (name in SPECIAL) {
        assert.equal(i.action, 'never', name);
        assert.ok(existsSync(i.entry.path) || lstatSync(i.entry.path).isSymbolicLink(), `${name} was touched`);
      } else {
        assert.equal(i.action, 'removed', `${name}: ${i.note}`);
        assert.equal(existsSync(i.entry.path), false, name);
      }
    }
    assert.equal(readFileSync(join(outside, 'valid.pid'), 'utf8'), '1234\n');
    assert.equal(lstatSync(join(dir, 'symlink-passwd.pid')).isSymbolicLink(), true);
  });
});

describe('malformed registry corpus', () => {
  const snap = snapshotOf([proc(4321)], Date.parse('2026-01-01T00:00:00Z'));
  for (const [name, want] of Object.entries(registries)) {
    test(`${name}: ${want.entries ? `${want.entries.length} invalid entries` : want.reason}`, async () => {
      const path = join(FIX, 'registries', name);
      const entries = await readPidfiles(fakeContext([], [path]), snap, { pidMax: 32768 });
      const expected = want.entries ?? [want];
      assert.equal(entries.length, expected.length);
      entries.forEach((e, i) => {
        assert.equal(e.status, expected[i].status, e.reason);
        assert.match(e.reason, new RegExp(expected[i].reason));
        assert.equal(e.format, 'registry');
      });
      if (!want.entries) assert.equal(entries[0].registryIndex, undefined);
    });
  }
});
