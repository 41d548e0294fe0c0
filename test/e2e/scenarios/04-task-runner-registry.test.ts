// Seed 003, the task runner: it persists running workers to a JSON registry
// `[{task_id, process_id, start_time}]` and, on restart, checks each PID with `kill -0`. That
// check cannot tell a dead task whose PID now belongs to somebody else from a live task. Here the
// registry names one task that finished, one that still runs, and one whose PID was reused by
// an unrelated ffmpeg started later. `pidfiles clean` prunes the dead and the reused entries,
// keeps the live one (and the fields procsweep does not know), and signals nobody.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { alive, entry, ffmpegTiny, needs, requireCommand, Stage, waitFor } from './stage.js';

interface RegistryEntry {
  task_id: string;
  process_id: number;
  start_time: string;
  [extra: string]: unknown;
}

describe('scenario 4: the task runner restarts with a stale process registry (seed 003)', { skip: needs('ffmpeg'), timeout: 60_000 }, () => {
  const stage = new Stage('registry');
  const registry = stage.path('ecosystem-manager-processes.json');
  let finished = 0;
  let running = 0;
  let stranger = 0;
  let original = '';
  const task = (name: string): string => `resource-generator-${name}-20250110`;

  before(async () => {
    // A task that ran to completion: its worker exited, its entry stayed.
    const done = stage.spawn('ffmpeg', ffmpegTiny(`${stage.mark}-done`, ['-t', '0.2', '-f', 'null', '-']));
    finished = done.pid!;
    await new Promise((r) => done.once('exit', r));
    // A task still running, recorded right after it started, as the runner does.
    const live = stage.spawn('ffmpeg', ffmpegTiny(`${stage.mark}-live`, ['-f', 'null', '-']));
    running = live.pid!;
    await new Promise((r) => live.once('spawn', r));
    const startedAt = new Date().toISOString();
    // An ffmpeg of somebody else, started now, at a PID the registry says a task got an hour ago.
    stranger = stage.spawn('ffmpeg', ffmpegTiny(`${stage.mark}-stranger`, ['-f', 'null', '-'])).pid!;
    const entries: RegistryEntry[] = [
      { task_id: task('finished'), process_id: finished, start_time: new Date(Date.now() - 60_000).toISOString() },
      { task_id: task('running'), process_id: running, start_time: startedAt, queue: 'high', attempt: 2 },
      { task_id: task('reused'), process_id: stranger, start_time: new Date(Date.now() - 3_600_000).toISOString() },
    ];
    original = `${JSON.stringify(entries, null, 2)}\n`;
    writeFileSync(registry, original, { mode: 0o644 });
    assert.ok(await waitFor(() => alive(running) && alive(stranger) && !alive(finished)));
  });
  after(() => stage.cleanup());

  test('pidfiles list: one dead, one live, one reused, each with its task and a reason', () => {
    requireCommand(['pidfiles', 'list'], 'the pidfiles helper');
    const r = stage.psw(['pidfiles', 'list', '--json', '--registry', registry]);
    assert.equal(r.code, 0, r.stderr);
    const byTask = new Map<string, Record<string, unknown>>(r.json().pidfiles.map((e: Record<string, unknown>) => [e.taskId, e]));
    assert.equal(byTask.size, 3);
    for (const [name, status, pid] of [['finished', 'dead', finished], ['running', 'live', running], ['reused', 'reused', stranger]] as const) {
      const e = byTask.get(task(name))!;
      assert.ok(e, `${name} entry listed`);
      assert.equal(e.format, 'registry');
      assert.equal(e.pid, pid);
      assert.equal(e.status, status, `${name}: ${e.reason}`);
      assert.equal(typeof e.reason, 'string');
    }
    assert.match(String(byTask.get(task('reused'))!.reason), /start|after|reused/i);
  });

  test('list --registry: the running task\'s ffmpeg is tracked, the stranger is not', () => {
    requireCommand(['pidfiles', 'list'], 'the pidfiles helper (tracked/untracked come from src/core/pidfiles)');
    const doc = stage.list(['--registry', registry]);
    assert.ok(entry(doc, running).flags.includes('tracked'));
    assert.ok(entry(doc, stranger).flags.includes('untracked'));
  });

  test('pidfiles watch (the 30-second health monitor) sees the same statuses each tick; --dry-run removes nothing', () => {
    requireCommand(['pidfiles', 'watch'], 'the watch helper');
    const r = stage.psw(['pidfiles', 'watch', '--json', '--dry-run', '--interval', '200ms', '--count', '2', '--registry', registry]);
    assert.equal(r.code, 0, r.stderr);
    const ticks = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'tick');
    assert.equal(ticks.length, 2);
    for (const t of ticks) assert.deepEqual({ live: t.pidfiles.live, dead: t.pidfiles.dead, reused: t.pidfiles.reused }, { live: 1, dead: 1, reused: 1 }, JSON.stringify(t));
    assert.equal(readFileSync(registry, 'utf8'), original);
  });

  test('pidfiles clean -n changes nothing', () => {
    requireCommand(['pidfiles', 'clean'], 'the pidfiles helper');
    const r = stage.psw(['pidfiles', 'clean', '-n', '--json', '--registry', registry]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(registry, 'utf8'), original);
  });

  test('pidfiles clean prunes the dead and the reused entries and keeps the live one', () => {
    requireCommand(['pidfiles', 'clean'], 'the pidfiles helper');
    const r = stage.psw(['pidfiles', 'clean', '-y', '--json', '--lock-file', stage.lockFile, '--registry', registry]);
    assert.equal(r.code, 0, r.stderr);
    const left = JSON.parse(readFileSync(registry, 'utf8')) as RegistryEntry[];
    assert.deepEqual(left.map((e) => e.task_id), [task('running')]);
    assert.equal(left[0].process_id, running);
    assert.equal(left[0].queue, 'high', 'fields procsweep does not know are kept');
    assert.equal(left[0].attempt, 2);
    const actions = new Map(r.json().pidfiles.map((e: Record<string, unknown>) => [e.taskId, e.action]));
    assert.notEqual(actions.get(task('running')), actions.get(task('finished')), 'the live entry is not acted on like the dead one');
  });

  test('cleaning a registry signals nobody: the running task and the stranger still run', () => {
    assert.ok(alive(running), 'running task');
    assert.ok(alive(stranger), 'the stranger at a reused PID');
  });
});
