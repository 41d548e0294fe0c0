import { UsageError } from '../../core/errors.js';
import { exposition, MetricsFileError, serveMetrics, watchMetrics, writeMetricsFile, type MetricsExtras, type MetricsServer } from '../../core/watch/metrics.js';
import { Ring } from '../../core/watch/ring.js';
import type { WatchTick } from '../../core/watch/loop.js';
import { anyUnended } from '../../core/act/outcomes.js';
import { eventLine, tickLine } from '../../core/watch/json-lines.js';
import type { WatchEvent } from '../../core/watch/events.js';
import type { DashboardView } from '../../render/dashboard.js';
import type { Palette } from '../../render/tone.js';
import type { CommandEnv } from '../common.js';
import type { CliIO } from '../io.js';
import { escapeText } from '../../render/escape.js';
import { writeLine, writeWarning } from '../io.js';
import { AltScreen } from '../screen.js';

/** How a watch-style command runs: its tick source plus where output and metrics go. */
export interface LoopSetup {
  env: CommandEnv;
  intervalMs: number;
  metricsFile?: string;
  metricsPort?: number;
  metricsHost: string;
  /** Header notes for the dashboard (`sweep on`). */
  notes: string[];
  /** Metric values beyond the tick (pidfile statuses, --expect), read at render time. */
  extras: () => MetricsExtras;
  /** The ticks; must stop when `signal` aborts. */
  run: (signal: AbortSignal) => AsyncIterable<WatchTick>;
  /** The JSON line of a tick (default tickLine). */
  tickLine?: (t: WatchTick) => Record<string, unknown>;
  /** While true, a sweep holds processes stopped: a signal's hard stop waits for it to end. */
  frozen?: () => boolean;
  /** Draws the dashboard (default: the process dashboard). */
  dashboard?: (v: DashboardView, p: Palette) => string[];
  /** The options that narrow what is watched, as shell words: the dashboard's header shows them. */
  scope?: string[];
  /** The command that acts on what the dashboard shows (`procsweep sweep -n --args X`), for its legend. */
  act?: string | null;
  /** What `k` runs in the foreground (the scoped `sweep`, its plan, picker and confirm), and how the legend shows it; none when the loop sweeps itself. */
  actKey?: { argv: string[]; shown: string } | null;
}

/**
 * Reads keys from the terminal while the dashboard is up: `q` quits as Ctrl-C does (raw mode
 * delivers Ctrl-C as a byte, not SIGINT). Ctrl-Z does not suspend it: a watch stopped between a
 * sweep's SIGSTOP and its SIGCONT would leave trees stopped. Returns what restores the terminal,
 * or null when stdin is not a terminal (then only signals stop it).
 */
function listenKeys(io: CliIO, onQuit: () => void, onKey: (key: string) => void = () => {}): (() => void) | null {
  const input = io.stdin as NodeJS.ReadStream;
  if (!io.stdinIsTTY || typeof input.setRawMode !== 'function') return null;
  input.setRawMode(true);
  const onData = (b: Buffer): void => {
    for (const c of b.toString('latin1')) {
      if (c === 'q' || c === 'Q' || c === '\x03') onQuit();
      else onKey(c);
    }
  };
  input.on('data', onData);
  input.resume();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    input.off('data', onData);
    input.setRawMode(false);
    input.pause();
  };
}

/** After SIGINT/SIGTERM the loop must be gone within a second, even mid-sweep. */
const HARD_STOP_MS = 900;

/**
 * Runs a watch loop to completion: JSON lines when --json or stdout is not a terminal, else the
 * full-screen dashboard; metrics file and endpoint; SIGINT/SIGTERM/SIGHUP stop it with exit 0.
 * Returns the exit code: 1 when a sweep left a target alive, else 0.
 */
export async function runLoop(s: LoopSetup): Promise<number> {
  const { env } = s;
  const jsonLines = env.json || !env.io.stdoutIsTTY;
  const controller = new AbortController();
  let latest: WatchTick | null = null;
  const render = (): string => {
    if (!latest) return '# procsweep watch: the first scan has not finished yet\n';
    return exposition(watchMetrics(latest, { pidfiles: latest.pidfiles, pidfilesRemoved: latest.pidfiles ? latest.totals.events['pidfile-removed'] : undefined, ...s.extras() }));
  };
  const lineOf = s.tickLine ?? tickLine;

  let server: MetricsServer | null = null;
  if (s.metricsPort !== undefined) {
    if (s.metricsPort > 65535) throw new UsageError(`--metrics-port ${s.metricsPort} is not a TCP port (1-65535)`);
    server = await serveMetrics(s.metricsHost, s.metricsPort, render);
  }
  const notes = [...s.notes];
  if (server) notes.push(`metrics http://${server.address}/metrics`);
  if (s.metricsFile) notes.push(`metrics -> ${s.metricsFile}`);

  const screen = jsonLines ? null : new AltScreen(1);
  let stopKeys: (() => void) | null = null;
  let stopping = false;
  // While `k` runs the sweep in the foreground, Ctrl-C is the sweep's (it reaches the whole
  // foreground process group): watching goes on.
  let acting = false;
  const onSignal = (sig?: NodeJS.Signals): void => {
    if (acting && sig === 'SIGINT') return;
    if (stopping) {
      hardStop();
      return;
    }
    stopping = true;
    controller.abort();
    // A sweep in progress may still be waiting out its grace period: do not wait for it.
    setTimeout(hardStop, HARD_STOP_MS).unref();
  };
  const hardStop = (): void => {
    // Never exit between a SIGSTOP and its SIGCONT/SIGKILL: that would leave a tree stopped.
    if (s.frozen?.()) {
      setTimeout(hardStop, 20).unref();
      return;
    }
    stopKeys?.();
    screen?.leave();
    // The one deliberate process.exit: a signal asked us to stop and the loop did not return in time.
    process.exit(0);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);

  const keys = !jsonLines && env.io.stdinIsTTY;
  const actKey = keys ? s.actKey ?? null : null;
  const legend = [
    ...(keys ? ['q quit'] : []),
    'Ctrl-C quit',
    ...(actKey ? [`k run ${actKey.shown} (its plan, then pick and confirm)`] : s.act ? [`nothing is killed from here; to act: ${s.act}`] : []),
  ];
  const events = new Ring<WatchEvent>(200);
  const warnings = new Ring<{ at: number; text: string }>(3);
  const draw = async (): Promise<void> => {
    if (!screen || !latest || acting) return;
    const dashboard = s.dashboard ?? (await import('../../render/dashboard.js')).renderDashboard;
    const { loadPalette } = await import('../../render/load-palette.js');
    const p = await loadPalette(env.colorOut, env.unicode);
    const out = process.stdout;
    const view = { tick: latest, events: events.values(), warnings: warnings.values(), intervalMs: s.intervalMs, width: out.columns || 80, height: out.rows || 24, notes, scope: s.scope, legend };
    screen.draw(dashboard(view, p));
  };
  const onResize = (): void => void draw();
  /** `k`: leave the dashboard, run the scoped sweep in the foreground, come back on a key. */
  // The loop may end (--count, a stop) while `k`'s sweep runs: it then waits for the sweep, does
  // not go back to the dashboard, and prints its summary after the sweep's report.
  const finished = new AbortController();
  let acted: Promise<void> | null = null;
  const act = async (): Promise<void> => {
    if (!screen || !actKey || acting || stopping || finished.signal.aborted) return;
    const { oneKey, runForeground } = await import('./act-key.js');
    acting = true;
    stopKeys?.();
    stopKeys = null;
    screen.leave();
    writeLine(env.io.stderr, `procsweep watch: running ${actKey.shown}; watching goes on meanwhile`);
    const code = await runForeground(actKey.argv);
    if (finished.signal.aborted) {
      acting = false;
      return;
    }
    writeLine(env.io.stderr, `procsweep watch: sweep exited ${code}. Press a key to return to the dashboard (q quits).`);
    const key = await oneKey(env.io, finished.signal);
    acting = false;
    if (stopping || finished.signal.aborted) return;
    if (key === 'q' || key === 'Q' || key === '\x03') return onSignal();
    screen.enter();
    stopKeys = listenKeys(env.io, onSignal, onKey);
    await draw();
  };
  const onKey = (key: string): void => {
    if (key === 'k' || key === 'K') acted ??= act().finally(() => (acted = null));
  };
  let metricsFailed = false;
  try {
    if (screen) {
      stopKeys = listenKeys(env.io, onSignal, onKey);
      screen.enter();
      screen.draw(['procsweep watch: first scan...']);
      process.stdout.on('resize', onResize);
    }
    for await (const tick of s.run(controller.signal)) {
      latest = tick;
      if (jsonLines) {
        for (const e of tick.events) writeLine(env.io.stdout, JSON.stringify(eventLine(e)));
        writeLine(env.io.stdout, JSON.stringify(lineOf(tick)));
        if (tick.error) writeLine(env.io.stderr, `procsweep: scan ${tick.tick} failed: ${escapeText(tick.error)}; retrying`);
        for (const w of tick.warnings) writeWarning(env.io.stderr, w);
      } else {
        for (const e of tick.events) events.push(e);
        for (const w of tick.warnings) warnings.push({ at: tick.at, text: w });
        await draw();
      }
      if (s.metricsFile) {
        // A path that never worked stops the loop (exit 3); a full disk or a failing write later
        // (or at once) is a warning, retried every scan: watching goes on.
        const say = (text: string): void => {
          if (screen) warnings.push({ at: tick.at, text });
          else writeWarning(env.io.stderr, text);
        };
        try {
          writeMetricsFile(s.metricsFile, render());
          if (metricsFailed) say(`--metrics-file: ${s.metricsFile} written again`);
          metricsFailed = false;
        } catch (err) {
          if (tick.tick === 1 && !(err instanceof MetricsFileError && err.transient)) throw err;
          if (!metricsFailed) say(`${(err as Error).message}; watching goes on and the file is written again on the next scan that can`);
          metricsFailed = true;
        }
      }
    }
  } finally {
    finished.abort();
    await acted;
    for (const sig of signals) process.off(sig, onSignal);
    process.stdout.off('resize', onResize);
    stopKeys?.();
    screen?.leave();
    await server?.close();
  }
  if (screen && latest) {
    const t = latest;
    writeLine(env.io.stdout, `procsweep watch: ${t.totals.ticks} scans, ${t.counts.matched} matched now (${t.counts.orphan} orphan, ${t.counts.zombie} zombie), ${t.alarms.length} alarm${t.alarms.length === 1 ? '' : 's'} active`);
    for (const a of t.alarms) writeLine(env.io.stdout, `  ! ${escapeText(a.reason)}`);
  }
  const k = latest?.totals.kills;
  return k && anyUnended(k) ? 1 : 0;
}
