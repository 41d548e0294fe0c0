// The library used the way the SRT router's start-up would use it (seed 001): before starting
// new routes, find the srt-live-transmit workers a crashed predecessor left behind, from its pid
// directory, terminate them with verification, and remove their pidfiles.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanStale, scan, sweep, UsageError } from '../../src/index.js';
import { alive, privateWorld, Scope, waitFor } from '../helpers/procs.js';
import { markedSleep, sleeperOrphan } from '../helpers/workers.js';
import { needs } from '../helpers/needs.js';


test('start-up clean-up: stale workers from the pid dir are terminated and their pidfiles removed', { skip: needs('srt-live-transmit') }, async () => {
  const scope = new Scope();
  after(() => scope.cleanup());
  const dir = mkdtempSync(join(tmpdir(), 'psw-router-'));
  const mark = scope.mark();
  const base = 30000 + Math.floor(Math.random() * 20000);
  const route = (port: number): string[] => [`udp://127.0.0.1:${port}?${mark}=1`, `srt://127.0.0.1:${port + 1}?mode=listener`];

  // The previous router instance crashed: its two routes live on, reparented to PID 1.
  const srt = await scope.orphan('srt-live-transmit', route(base));
  const out = await scope.orphan('srt-live-transmit', route(base + 10));
  writeFileSync(join(dir, 'route_1761154355576_srt.pid'), `${srt}\n${Date.now()}\n`);
  writeFileSync(join(dir, 'route_1761154355576_srtOut:6000.pid'), `${out}\n${Date.now()}\n`);
  // A record whose process is long gone: a pid below pid_max that no process holds.
  let dead = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) - 1;
  while (existsSync(`/proc/${dead}`)) dead--;
  writeFileSync(join(dir, 'route_1761154355999_ffmpeg.pid'), `${dead}\n${Date.now() - 3_600_000}\n`);
  // Someone else's srt-live-transmit, not in our records: start-up must leave it alone.
  const other = scope.spawn('srt-live-transmit', route(base + 20), { detached: true }).pid!;
  assert.ok(await waitFor(() => alive(srt) && alive(out) && alive(other)));

  const before = await scan({ pidDirs: [dir], match: ['srt-live-transmit'], args: mark, config: false });
  const flags = new Map(before.findings.map((f) => [f.proc.pid, f.flags]));
  assert.deepEqual(flags.get(srt), ['orphan', 'tracked']);
  assert.deepEqual(flags.get(out), ['orphan', 'tracked']);
  assert.deepEqual(flags.get(other), ['untracked']);

  const items = await cleanStale({ pidDirs: [dir], match: ['srt-live-transmit'], kill: true, graceMs: 1000, config: false });
  const byFile = new Map(items.map((i) => [i.entry.path.split('/').pop(), i]));
  // The action names how the process ended (fe0b39b): terminated on TERM, or killed.
  assert.match(byFile.get('route_1761154355576_srt.pid')!.action, /^(terminated|killed)$/);
  assert.match(byFile.get('route_1761154355576_srtOut:6000.pid')!.action, /^(terminated|killed)$/);
  assert.equal(byFile.get('route_1761154355999_ffmpeg.pid')!.action, 'removed');
  assert.match(byFile.get('route_1761154355576_srt.pid')!.outcome ?? '', /^(terminated|killed)$/);

  assert.ok(!alive(srt) && !alive(out), 'the leaked routes are gone');
  assert.ok(alive(other), 'an unrecorded srt-live-transmit is not touched');
  assert.deepEqual(readdirSync(dir), [], 'every record is removed');
  assert.ok(existsSync(dir));
});

test('without records the library throws a typed UsageError', async () => {
  await assert.rejects(cleanStale({ config: false }), UsageError);
});

test('sweep(): the library sweeps as `sweep -y` does: plan, engine, the ended worker\'s record removed, the audit log', async () => {
  const { dir, scope, lockFile } = privateWorld('libsweep');
  const mark = scope.mark('libswp');
  const path = markedSleep(dir, mark);
  const pid = await sleeperOrphan(scope, path, { ignoreTerm: true });
  const pids = join(dir, 'pids');
  mkdirSync(pids);
  writeFileSync(join(pids, 'cam1_stub.pid'), `${pid}\n`);
  const scoped = { signatures: [`stub=${mark}`], args: mark, pidDirs: [pids], config: false as const };
  assert.ok(await waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark)));

  const dry = await sweep({ ...scoped, dryRun: true });
  assert.equal(dry.report.dryRun, true);
  assert.deepEqual(dry.report.targets.map((t) => [t.pid, t.outcome]), [[pid, 'planned']]);
  assert.ok(alive(pid), 'a dry run signals nothing');

  const log = join(dir, 'audit.jsonl');
  const phases: string[] = [];
  const { report, auditFailed } = await sweep({ ...scoped, graceMs: 300, lockFile: lockFile(), log, onPhase: (p) => phases.push(p) });
  assert.equal(auditFailed, null);
  assert.deepEqual(report.targets.map((t) => [t.pid, t.outcome]), [[pid, 'killed']]);
  assert.ok(!alive(pid));
  assert.deepEqual(report.pidfilesRemoved, [join(pids, 'cam1_stub.pid')]);
  assert.equal(existsSync(join(pids, 'cam1_stub.pid')), false);
  assert.ok(phases.includes('kill'), phases.join(','));
  const rec = JSON.parse(readFileSync(log, 'utf8').trim()) as { pid: number; command: string; outcome: string };
  assert.deepEqual([rec.pid, rec.command, rec.outcome], [pid, 'sweep', 'killed']);

  await assert.rejects(sweep({ ...scoped, targets: ['long-lived'] }), UsageError);
});
