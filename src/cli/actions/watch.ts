import { createContext } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { watch } from '../../core/watch.js';
import { parseExpect } from '../commands/watch.js';
import { commandEnv, commonOptions, type SharedCliOptions } from '../common.js';
import { runLoop } from '../watch-loop.js';

interface WatchCliOptions extends SharedCliOptions {
  interval: number;
  count?: number;
  expect?: string[];
  window: number;
  metricsFile?: string;
  metricsPort?: number;
  metricsHost: string;
}

/** `procsweep watch`: options -> context -> watch loop (dashboard or JSON lines, metrics) -> exit code. */
export async function runWatch(raw: Record<string, unknown>): Promise<number> {
  const o = raw as unknown as WatchCliOptions;
  const env = commandEnv(o);
  if (o.interval <= 0) throw new UsageError('--interval must be longer than 0');
  if (o.window <= 0) throw new UsageError('--window must be longer than 0');
  const expect = new Map((o.expect ?? []).map(parseExpect));
  const ctx = await createContext(commonOptions(o));
  const known = ctx.signatures.map((s) => s.name);
  for (const name of expect.keys()) {
    if (!known.includes(name)) throw new UsageError(`--expect: unknown signature '${name}'; known: ${known.join(', ')}`);
  }
  return runLoop({
    env,
    intervalMs: o.interval,
    metricsFile: o.metricsFile,
    metricsPort: o.metricsPort,
    metricsHost: o.metricsHost,
    notes: [],
    extras: () => ({ expect }),
    run: (signal) => watch(ctx, { intervalMs: o.interval, count: o.count, signal, expect, rules: { windowMs: o.window } }),
  });
}
