import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cli, ffmpegArgs, Scope } from '../helpers/procs.js';
import { checkMetrics, promtoolPath } from '../helpers/promtool.js';
import { WatchRun } from '../helpers/watch.js';
import { needs } from '../helpers/needs.js';

const PROMTOOL = promtoolPath();
const randomPort = (): number => 30000 + Math.floor(Math.random() * 25000);

/** Starts watch with a metrics port, retrying on another port if a stranger holds the first. */
async function startWithPort(args: string[]): Promise<{ run: WatchRun; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const port = randomPort();
    const run = new WatchRun([...args, '--metrics-port', String(port)]);
    const first = await Promise.race([run.waitFor((l) => l.type === 'tick', 'first tick').then(() => 'tick'), run.exit().then(() => 'exit')]);
    if (first === 'tick') return { run, port };
    if (attempt >= 4 || !/already in use/.test(run.stderr)) throw new Error(`watch did not start: ${run.stderr}`);
  }
}

describe('watch metrics: a textfile for node_exporter and GET /metrics', { skip: needs('ffmpeg') }, () => {
  const scope = new Scope();
  const mark = scope.mark();
  const dir = mkdtempSync(join(tmpdir(), 'psw-metrics-'));
  const file = join(dir, 'procsweep.prom');
  let run: WatchRun | undefined;
  after(() => {
    run?.child.kill('SIGKILL');
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('both carry our orphan, pass promtool, and a second watch on the port exits 3', async (ctx) => {
    const orphan = await scope.orphan('ffmpeg', ffmpegArgs(mark));
    const started = await startWithPort(['watch', '--json', '--interval', '200ms', '--args', mark, '--metrics-file', file]);
    run = started.run;
    await run.waitFor((l) => l.type === 'tick' && l.orphan === 1, 'a tick that sees the orphan');
    await run.waitFor((l) => l.type === 'tick' && l.tick >= 3, 'a later tick');

    // Over HTTP on 127.0.0.1.
    const res = await fetch(`http://127.0.0.1:${started.port}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    assert.match(body, /^procsweep_processes\{signature="ffmpeg"\} 1$/m);
    assert.match(body, /^procsweep_processes_flagged\{signature="ffmpeg",flag="orphan"\} 1$/m);
    assert.match(body, /^procsweep_orphans 1$/m);
    assert.match(body, /^procsweep_scan_duration_seconds [\d.]+$/m);
    assert.equal((await fetch(`http://127.0.0.1:${started.port}/nope`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${started.port}/metrics`, { method: 'POST' })).status, 405);

    // The textfile: complete, no temp files left beside it.
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^procsweep_orphans 1$/m);
    assert.deepEqual(readdirSync(dir), ['procsweep.prom']);

    // promtool validates both; CI always has it (.ci/run extracts it), a workstation may not.
    if (PROMTOOL) {
      for (const t of [body, text]) {
        const r = checkMetrics(PROMTOOL, t);
        assert.ok(r.ok, r.output);
        assert.equal(r.output, '');
      }
    } else {
      assert.ok(!process.env.CI, 'CI runs promtool on the metrics, but promtool was not found');
      ctx.diagnostic('promtool not found: the metrics were not validated with it (.ci/run extracts it from Debian\'s prometheus package)');
    }

    // The port is taken: exit 3 and a message that says so.
    const second = cli(['watch', '--json', '--count', '1', '--metrics-port', String(started.port)], { timeout: 20_000 });
    assert.equal(second.code, 3, second.stderr);
    assert.match(second.stderr, new RegExp(`--metrics-port: 127\\.0\\.0\\.1:${started.port} is already in use`));
    assert.equal(second.stdout, '');

    process.kill(orphan, 'SIGKILL');
    assert.equal(await run.stop('SIGTERM'), 0);
  });
});
