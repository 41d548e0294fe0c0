import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { alive, cli, ffmpegArgs, Scope, waitFor } from '../helpers/procs.js';
import { needs } from '../helpers/needs.js';

// What a person started on purpose survives a default sweep: --keep, the config's keep list and
// PROCSWEEP_KEEP=1 in the worker's environment. Every worker is a real orphaned ffmpeg carrying
// this test's marker; every sweep is scoped by it.
const dir = mkdtempSync(join(tmpdir(), 'psw-keep-'));
const scope = new Scope();
after(() => {
  scope.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('--keep, config keep and PROCSWEEP_KEEP=1 nohup ffmpeg survive a default sweep -y; list and sweep -n say why; the summary counts them as left running', { skip: needs('ffmpeg', 'nohup') }, async () => {
  const mark = scope.mark('keep');
  const byCli = await scope.orphan('ffmpeg', ffmpegArgs(`${mark}-cli`));
  const byConfig = await scope.orphan('ffmpeg', ffmpegArgs(`${mark}-cfg`));
  const byEnv = await scope.orphan('env', ['PROCSWEEP_KEEP=1', 'nohup', 'ffmpeg', ...ffmpegArgs(`${mark}-env`)]);
  const plain = await scope.orphan('ffmpeg', ffmpegArgs(`${mark}-plain`));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ keep: [{ args: `${mark}-cfg`, user: 'root' }] }));
  const scoped = ['--args', mark, '--keep', `${mark}-cli`, '--config', config];
  assert.ok(await waitFor(() => [byCli, byConfig, byEnv, plain].every(alive)));

  const doc = new Map<number, any>(cli(['list', '--json', ...scoped]).json().processes.map((p: any) => [p.pid, p]));
  assert.match(doc.get(byCli).reasons.kept, new RegExp(`keep rule --keep ${mark}-cli matches it`));
  assert.match(doc.get(byConfig).reasons.kept, new RegExp(`keep rule keep\\[0\\] of ${config.replace(/[.]/g, '\\.')} matches it`));
  assert.match(doc.get(byEnv).reasons.kept, /PROCSWEEP_KEEP=1/);
  for (const p of [byCli, byConfig, byEnv]) assert.deepEqual(doc.get(p).flags, ['orphan', 'kept']);
  assert.deepEqual(doc.get(plain).flags, ['orphan']);
  const table = cli(['list', ...scoped]);
  assert.match(table.stdout, /orphan,kept/);

  const dry = cli(['sweep', '-n', ...scoped]);
  assert.equal(dry.code, 0, dry.stderr);
  for (const p of [byCli, byConfig, byEnv]) assert.match(dry.stdout, new RegExp(`skip ${p}: kept: `));

  const r = cli(['sweep', '-y', '--json', ...scoped, '--lock-file', join(dir, 'l')]);
  const rep = r.json();
  const outcome = new Map<number, string>(rep.targets.map((t: any) => [t.pid, t.outcome]));
  assert.match(outcome.get(plain)!, /^(terminated|killed)$/);
  for (const p of [byCli, byConfig, byEnv]) assert.equal(outcome.get(p), 'skipped');
  assert.equal(rep.summary.leftRunning, 3);
  assert.equal(r.code, 1, 'kept targets still run: the exit status says something was left');
  const human = cli(['sweep', '-y', ...scoped, '--lock-file', join(dir, 'l')]);
  assert.match(human.stdout, /3 skipped; 3 left running/);
  assert.doesNotMatch(human.stdout, /nothing left running/);
  assert.ok(await waitFor(() => !alive(plain)));
  assert.ok([byCli, byConfig, byEnv].every(alive), 'every kept worker survives');
  assert.equal(cli(['list', '--check', ...scoped]).code, 0, 'kept orphans are not suspects for --check');
  // Even --target all plans none of them.
  const all = cli(['sweep', '-n', '--json', '--target', 'all', ...scoped]).json();
  assert.ok(all.targets.every((t: any) => t.outcome === 'skipped'));
});
