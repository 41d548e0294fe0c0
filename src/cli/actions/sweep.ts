import { buildActionReport } from '../../core/action-report.js';
import { cpuPercent } from '../../core/classify.js';
import { createContext, type Context } from '../../core/context.js';
import { formatDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { guardContext } from '../../core/guard.js';
import { defaultLockPath, withLock } from '../../core/lock.js';
import { planWithOwners } from '../../core/owners.js';
import { checkPlanSize, parseSweepTargets, planSweep, toSignal, type Plan } from '../../core/plan.js';
import { checkUntrackedTarget } from '../../core/targets.js';
import { scanWith } from '../../core/scan.js';
import { matchProcess } from '../../core/signatures.js';
import type { PidfileEntry } from '../../core/pidfiles/types.js';
import type { Flag, Snapshot } from '../../core/types.js';
import { executePlan, openAuditLog, printPlan, printReport, stderrWidth } from '../act.js';
import { commandEnv, commonOptions, type CommandEnv, type SharedCliOptions } from '../common.js';
import { writeLine } from '../io.js';
import { CHOICE_INDENT, chooseCandidates, confirmAction, requireConsent } from '../prompt.js';

interface SweepOptions extends SharedCliOptions {
  target?: string[];
  olderThan?: number;
  grace: number;
  yes?: boolean;
  dryRun?: boolean;
  max: number;
  lockFile?: string;
  waitLock?: boolean;
  log?: string;
}

/** `procsweep sweep`: refuse without consent, lock, scan, plan, ask, act, report. */
export async function runSweep(raw: Record<string, unknown>): Promise<number> {
  const o = raw as unknown as SweepOptions;
  const env = commandEnv(o);
  const targets = parseSweepTargets(o.target ?? ['orphans']);
  if (o.target?.includes('long-lived') && o.olderThan === undefined) {
    throw new UsageError('--target long-lived needs --older-than DUR: the age above which a worker counts as long-lived');
  }
  requireConsent(env.io, o);
  const ctx = await createContext(commonOptions(o));
  const view = { signal: 'SIGTERM', graceMs: o.grace };

  if (o.dryRun) {
    const { plan, matched } = await makePlan(env, ctx, targets, o);
    checkPlanSize(plan, o.max);
    await printPlan(env, plan, { ...view, dryRun: true });
    if (!env.json && plan.entries.length === 0) writeLine(env.io.stdout, nothingLine(matched, targets, o));
    return 0;
  }

  const log = o.log ? openAuditLog(o.log) : null;
  const lockPath = o.lockFile ?? defaultLockPath();
  return withLock(lockPath, {
    wait: o.waitLock,
    onWait: (_h, who) => writeLine(env.io.stderr, `procsweep: waiting for the sweep lock ${lockPath}, held by ${who}`),
  }, async () => {
    const made = await makePlan(env, ctx, targets, o);
    let plan = made.plan;
    const { snapshot, matched, records } = made;
    checkPlanSize(plan, o.max);
    if (toSignal(plan).length > 0 && !o.yes) {
      const chosen = await ask(env, plan, snapshot, view);
      if (chosen === null) {
        writeLine(env.io.stderr, 'Nothing was signalled.');
        if (env.json) await printPlan(env, plan, { ...view, dryRun: true });
        return 0;
      }
      plan = chosen;
    }
    if (toSignal(plan).length === 0) {
      if (env.json || plan.entries.length > 0) return printReport(env, buildActionReport(plan, { results: [], durationMs: 0 }));
      writeLine(env.io.stdout, nothingLine(matched, targets, o));
      return 0;
    }
    const report = await executePlan(env, ctx, plan, snapshot, { command: 'sweep', graceMs: o.grace, signal: 'SIGTERM', log, records });
    return printReport(env, report);
  });
}

async function makePlan(env: CommandEnv, ctx: Context, targets: Flag[], o: SweepOptions): Promise<{ plan: Plan; snapshot: Snapshot; matched: number; records?: PidfileEntry[] }> {
  const warn = (m: string): void => writeLine(env.io.stderr, `procsweep: warning: ${m}`);
  const scan = await scanWith(ctx, { maxAgeMs: o.olderThan, onWarning: warn });
  checkUntrackedTarget(targets, o.target?.includes('untracked') ?? false, scan.tracking);
  const { findings, pidfiles } = scan;
  const { plan, snapshot } = planWithOwners(ctx.backend, scan.snapshot, (s) => planSweep(s, findings, { targets, olderThanMs: o.olderThan, guard: guardContext(s), unfiltered: (p) => matchProcess(ctx.signatures, p) }));
  return { plan, snapshot, matched: findings.filter((f) => f.signature).length, records: pidfiles };
}

/** The checkbox then the confirm; the narrowed plan, or null when declined. */
async function ask(env: CommandEnv, plan: Plan, snapshot: Snapshot, view: { signal: string; graceMs: number }): Promise<Plan | null> {
  const { candidateHeader, candidateLabel } = await import('../../render/plan.js');
  const width = stderrWidth(env);
  const choices = plan.candidates.map((pid) => {
    const e = plan.entries.find((x) => x.pid === pid)!;
    const proc = snapshot.processes.get(pid);
    return { value: pid, name: candidateLabel(e, plan, proc ? cpuPercent(proc, snapshot) : null, width), short: String(pid), description: e.reason };
  });
  writeLine(env.io.stderr, candidateHeader(CHOICE_INDENT));
  const picked = await chooseCandidates(env.io, choices);
  if (picked.length === 0) return null;
  const narrowed = narrow(plan, new Set(picked));
  await printPlan(env, narrowed, { ...view, dryRun: false, toStderr: true });
  const n = toSignal(narrowed).length;
  const ok = await confirmAction(env.io, `Signal these ${n} process${n === 1 ? '' : 'es'}?`);
  return ok ? narrowed : null;
}

/** The plan restricted to the chosen candidates' trees (other entries, such as zombie notes, kept). */
function narrow(plan: Plan, keep: ReadonlySet<number>): Plan {
  const entries = plan.entries.filter((e) => keep.has(e.candidate) || e.action === 'skip' && !plan.candidates.includes(e.candidate));
  return { ...plan, entries, candidates: plan.candidates.filter((c) => keep.has(c)) };
}

function nothingLine(matched: number, targets: Flag[], o: SweepOptions): string {
  const age = o.olderThan !== undefined ? ` older than ${formatDuration(o.olderThan)}` : '';
  return `Nothing to sweep: none of the ${matched} matched process${matched === 1 ? '' : 'es'} is ${targets.join(' or ')}${age}.`;
}
