import { createContext } from '../../core/read/context.js';
import { UsageError } from '../../core/errors.js';
import { planGroupsOf } from '../../core/decide/groups.js';
import { toSignal } from '../../core/decide/plan.js';
import { runPlan, printPlan, printReport, withSweepLock } from '../execute.js';
import type { KillGroupOptions } from '../commands/kill-group.js';
import { commandEnv, commonOptions } from '../common.js';
import { Interruption } from '../interrupt.js';
import { planPorts, printResources, resourcesAfter, resourcesBefore, stillHeld } from '../held.js';
import { writeLine } from '../io.js';
import { confirmAction, requireConsent } from '../prompt.js';

/**
 * `procsweep kill-group PID...`: the process group of each PID plus every member's tree; with
 * `mode` 'tree' (`kill-tree`), each PID and its descendants only. Same plan, guard and engine.
 */
export async function runKillGroup(args: string[], o: KillGroupOptions, mode: 'group' | 'tree' = 'group'): Promise<number> {
  const env = commandEnv(o);
  const command = mode === 'tree' ? 'kill-tree' : 'kill-group';
  const ids = args.map((a) => {
    if (!/^\d+$/.test(a)) throw new UsageError(`'${a}' is not a ${o.pgid ? 'process group id' : 'PID'}: give numbers, e.g. procsweep ${command} 4224`);
    return Number(a);
  });
  const ctx = await createContext(commonOptions(o));
  const { plan, scan } = await planGroupsOf(ctx, { ids, byPgid: o.pgid, treeOnly: mode === 'tree' });
  const { snapshot, pidfiles } = scan;
  const resources = await resourcesBefore(ctx, scan, plan);
  // A wrong or protected PID is the error worth reporting first, even without a terminal to ask on:
  // planning only reads /proc. Then, with something to signal, consent before any output.
  if (toSignal(plan).length > 0) requireConsent(env.io, o);
  const view = { signal: o.signal, graceMs: o.grace, backend: ctx.backend.name };
  if (o.dryRun) {
    await printPlan(env, plan, { ...view, dryRun: true, ports: env.json ? undefined : await planPorts(ctx, plan) }, resources);
    await printResources(env, resources);
    return 0;
  }
  if (toSignal(plan).length === 0) {
    const now = resources && (await resourcesAfter(ctx, resources));
    await printPlan(env, plan, { ...view, dryRun: false, toStderr: !env.json }, now);
    await printResources(env, now);
    return stillHeld(now) ? 1 : 0;
  }
  // Like sweep, acting takes the one-sweep-at-a-time lock: once the arguments are checked and
  // there is something to signal, for the confirm and the run (the engine re-checks every
  // identity before each signal, so the plan need not be remade under the lock).
  return withSweepLock(env, o, async () => {
    if (!o.yes) {
      await printPlan(env, plan, { ...view, dryRun: false, toStderr: true, ports: await planPorts(ctx, plan) });
      const n = toSignal(plan).length;
      if (!(await confirmAction(env.io, `Signal these ${n} process${n === 1 ? '' : 'es'}?`, env.unicode))) {
        writeLine(env.io.stderr, 'Nothing was signalled.');
        if (env.json) await printPlan(env, plan, { ...view, dryRun: true });
        return 0;
      }
    }
    const interrupt = new Interruption(env, o.grace);
    const report = await runPlan(env, ctx, plan, snapshot, { command, graceMs: o.grace, signal: o.signal, log: null, records: pidfiles, interrupt });
    if (resources) report.resources = await resourcesAfter(ctx, resources);
    const code = await printReport(env, report, { interrupt });
    await printResources(env, report.resources);
    return code;
  });
}
