import type { Command } from 'commander';
import { buildExecutionReport } from '../../core/act/execution-report.js';
import { ageMs, cpuPercent } from '../../core/decide/classify.js';
import { createContext, type Context } from '../../core/read/context.js';
import { formatDuration } from '../../core/duration.js';
import { checkPlanSize, planOverMax, toSignal, type Plan } from '../../core/decide/plan.js';
import { scanWith, type ScanResult } from '../../core/read/scan.js';
import { planSweepOf, sweepTargets } from '../../core/decide/sweep-plan.js';
import { planPorts, printResources, resourcesAfter, resourcesBefore, stillHeld } from '../held.js';
import type { PidfileEntry } from '../../core/pidfiles/types.js';
import type { Flag, Snapshot } from '../../core/types.js';
import { openAuditLog } from '../../core/act/audit-log.js';
import { printPlan, printReport, runPlan, stderrWidth, withSweepLock } from '../execute.js';
import type { SweepOptions } from '../commands/sweep.js';
import { commandEnv, commonOptions, type CommandEnv } from '../common.js';
import { commandLine, escapeText } from '../../render/escape.js';
import { Interruption } from '../interrupt.js';
import { writeLine, writeWarning } from '../io.js';
import { chooseCandidates, confirmAction, requireConsent } from '../prompt.js';

/** `procsweep sweep`: refuse without consent, lock, scan, plan, ask, act, report. */
export async function runSweep(o: SweepOptions, cmd?: Command): Promise<number> {
  const env = commandEnv(o);
  const targets = sweepTargets(o.target, o.olderThan);
  requireConsent(env.io, o);
  const ctx = await createContext(commonOptions(o));
  const view = { signal: 'SIGTERM', graceMs: o.grace, backend: ctx.backend.name };

  if (o.dryRun) {
    const made = await makePlan(env, ctx, targets, o);
    const { plan } = made;
    const resources = await resourcesBefore(ctx, made.scan, plan);
    // --max guards acting, not looking: the preview is shown whatever its size.
    await printPlan(env, plan, { ...view, dryRun: true, ports: env.json ? undefined : await planPorts(ctx, plan) }, resources);
    const over = planOverMax(plan, o.max);
    if (over) {
      const line = `-y would refuse this plan: it signals ${over.count} processes, more than --max ${over.max}. To act on all of it, add --max ${over.count}; or narrow it with --args, --match, --older-than or --target.`;
      writeLine(env.json ? env.io.stderr : env.io.stdout, env.json ? `procsweep: warning: ${line}` : line);
    }
    if (!env.json && plan.entries.length === 0) await printNothing(env, made, targets, o, cmd);
    await printResources(env, resources);
    return 0;
  }

  const log = o.log ? openAuditLog(o.log) : null;
  return withSweepLock(env, o, async () => {
    const made = await makePlan(env, ctx, targets, o);
    let plan = made.plan;
    const { snapshot, records, scan } = made;
    checkPlanSize(plan, o.max);
    if (toSignal(plan).length > 0 && !o.yes) {
      const chosen = await ask(env, plan, snapshot, { ...view, ports: await planPorts(ctx, plan) });
      if (chosen === null) {
        writeLine(env.io.stderr, 'Nothing was signalled.');
        if (env.json) await printPlan(env, plan, { ...view, dryRun: true });
        return 0;
      }
      plan = chosen;
    }
    const resources = await resourcesBefore(ctx, scan, plan);
    if (toSignal(plan).length === 0) {
      // Nothing to signal: still say whether each selected port is free (exit 1 when held).
      const now = resources && (await resourcesAfter(ctx, resources));
      if (env.json || plan.entries.length > 0) {
        const report = buildExecutionReport(plan, { results: [], durationMs: 0 });
        if (now) report.resources = now;
        const code = await printReport(env, report);
        await printResources(env, now);
        return code;
      }
      await printNothing(env, made, targets, o, cmd);
      await printResources(env, now);
      return stillHeld(now) ? 1 : 0;
    }
    const interrupt = new Interruption(env, o.grace);
    const report = await runPlan(env, ctx, plan, snapshot, { command: 'sweep', graceMs: o.grace, signal: 'SIGTERM', log, records, interrupt });
    if (resources) report.resources = await resourcesAfter(ctx, resources);
    const code = await printReport(env, report, { interrupt, log });
    await printResources(env, report.resources);
    return code;
  });
}

/** A sweep's plan with what the messages around it need. */
interface MadePlan {
  plan: Plan;
  snapshot: Snapshot;
  /** Matched processes (signature), and those that are detached and old enough: what --target detached would take. */
  matched: number;
  detached: number;
  records?: PidfileEntry[];
  scan: ScanResult;
}

async function makePlan(env: CommandEnv, ctx: Context, targets: Flag[], o: SweepOptions): Promise<MadePlan> {
  const warn = (m: string): void => writeWarning(env.io.stderr, m);
  const scan = await scanWith(ctx, { maxAgeMs: o.olderThan, onWarning: warn });
  const { findings, pidfiles } = scan;
  const { plan, snapshot } = planSweepOf(ctx, scan, { targets, olderThanMs: o.olderThan, untrackedNamed: o.target?.includes('untracked') });
  const oldEnough = (f: (typeof findings)[number]): boolean => {
    if (o.olderThan === undefined) return true;
    const age = ageMs(f.proc, scan.snapshot.scannedAt);
    return age !== null && age > o.olderThan;
  };
  const detached = findings.filter((f) => f.signature && f.proc.state !== 'Z' && f.flags.includes('detached') && oldEnough(f)).length;
  return { plan, snapshot, matched: findings.filter((f) => f.signature).length, detached, records: pidfiles, scan };
}

/** The checkbox then the confirm; the narrowed plan, or null when declined. */
async function ask(env: CommandEnv, plan: Plan, snapshot: Snapshot, view: { signal: string; graceMs: number; ports?: ReadonlyMap<number, string> }): Promise<Plan | null> {
  const { candidateHeader, candidateLabels } = await import('../../render/plan.js');
  const width = stderrWidth(env);
  const labels = candidateLabels(plan, (pid) => {
    const proc = snapshot.processes.get(pid);
    return proc ? cpuPercent(proc, snapshot) : null;
  }, width, env.unicode);
  const choices = plan.candidates.map((pid, i) => {
    const e = plan.entries.find((x) => x.pid === pid)!;
    // Under the list, the highlighted row in full: its whole command and why it is a candidate.
    return { value: pid, name: labels[i], short: String(pid), description: `${commandLine(e.argv, e.comm)}\n${escapeText(e.reason)}` };
  });
  const picked = await chooseCandidates(env.io, choices, { header: candidateHeader, unicode: env.unicode });
  if (picked.length === 0) return null;
  const narrowed = narrow(plan, new Set(picked));
  await printPlan(env, narrowed, { ...view, dryRun: false, toStderr: true });
  const n = toSignal(narrowed).length;
  const ok = await confirmAction(env.io, `Signal these ${n} process${n === 1 ? '' : 'es'}?`, env.unicode);
  return ok ? narrowed : null;
}

/** The plan restricted to the chosen candidates' trees (other entries, such as zombie notes, kept). */
function narrow(plan: Plan, keep: ReadonlySet<number>): Plan {
  const entries = plan.entries.filter((e) => keep.has(e.candidate) || e.action === 'skip' && !plan.candidates.includes(e.candidate));
  return { ...plan, entries, candidates: plan.candidates.filter((c) => keep.has(c)) };
}

/** `Nothing to sweep: ...`, and when detached workers are all there is, the scoped command that would take them. */
async function printNothing(env: CommandEnv, made: MadePlan, targets: Flag[], o: SweepOptions, cmd: Command | undefined): Promise<void> {
  writeLine(env.io.stdout, nothingLine(made.matched, targets, o));
  if (made.detached === 0 || targets.includes('detached')) return;
  const { loadPalette } = await import('../../render/load-palette.js');
  const { nextLine } = await import('../../render/next.js');
  const { detachedWhy } = await import('../../render/list.js');
  const { nextCommandFor } = await import('../hint.js');
  for (const line of nextLine(await loadPalette(env.colorOut, env.unicode), nextCommandFor(cmd), ['sweep', '-n', '--target', 'detached'], detachedWhy(made.detached, false))) writeLine(env.io.stdout, line);
}

function nothingLine(matched: number, targets: Flag[], o: SweepOptions): string {
  const age = o.olderThan !== undefined ? ` older than ${formatDuration(o.olderThan)}` : '';
  if (matched === 0) return 'Nothing to sweep: no process matched.';
  return `Nothing to sweep: ${matched === 1 ? 'the 1 matched process is not' : `none of the ${matched} matched processes is`} ${targets.join(' or ')}${age}.`;
}
