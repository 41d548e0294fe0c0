import { buildPidfileReport, executeRecordsClean, openRecords, planClean, planRecordsClean, type CleanItem } from '../../core/pidfiles/index.js';
import type { Command } from 'commander';
import type { Context } from '../../core/read/context.js';
import { SIGNALLED_OUTCOMES, UNENDED_OUTCOMES } from '../../core/act/outcomes.js';
import type { Snapshot } from '../../core/types.js';
import type { PidfilesCleanOptions, PidfilesListOptions } from '../commands/pidfiles.js';
import { commandEnv, commonOptions, type CommandEnv } from '../common.js';
import { commandLine, escapeText } from '../../render/escape.js';
import { truncate } from '../../render/table.js';
import { Interruption } from '../interrupt.js';
import { writeLine, writeWarning } from '../io.js';
import { chooseCandidates, confirmAction, requireConsent } from '../prompt.js';

async function read(o: PidfilesListOptions, env: CommandEnv) {
  return openRecords(commonOptions(o), (m) => writeWarning(env.io.stderr, m));
}

async function print(env: CommandEnv, o: PidfilesListOptions, items: CleanItem[], now: number, mode: 'list' | 'clean', dryRun = false, cmd?: Command, missing: readonly string[] = []): Promise<void> {
  const report = buildPidfileReport(items, mode === 'clean' ? dryRun : undefined, missing);
  if (env.json) {
    writeLine(env.io.stdout, JSON.stringify(report, null, 2));
    return;
  }
  const { loadPalette } = await import('../../render/load-palette.js');
  const r = await import('../../render/pidfiles.js');
  const p = await loadPalette(env.colorOut, env.unicode);
  if (items.length > 0) writeLine(env.io.stdout, r.renderPidfileTable(items, env.io.columns, p, { executed: mode === 'clean' && !dryRun, wrap: o.wide, now }));
  const footer = mode === 'list' ? r.renderPidfileListFooter(report.summary, p, (await import('../hint.js')).nextCommandFor(cmd), missing) : r.renderPidfileCleanFooter(items, report.summary, dryRun, p);
  for (const line of footer) writeLine(env.io.stdout, line);
}

/** `procsweep pidfiles list`: every record with its status, its reason, and what clean would do. */
export async function runPidfilesList(o: PidfilesListOptions, cmd?: Command): Promise<number> {
  const env = commandEnv(o);
  const { entries, missing, snapshot } = await read(o, env);
  await print(env, o, planClean(entries), snapshot.scannedAt, 'list', false, cmd, missing);
  return 0;
}

/** `procsweep pidfiles clean`: remove stale records; with --kill, terminate live ones first. */
export async function runPidfilesClean(o: PidfilesCleanOptions, _cmd?: Command): Promise<number> {
  const env = commandEnv(o);
  if (o.kill) requireConsent(env.io, o);
  const { ctx, snapshot, entries } = await read(o, env);
  const plan = await planRecordsClean(ctx, snapshot, entries, { removeInvalid: o.removeInvalid, kill: o.kill });
  // Removing records (and --kill's signals) takes the one-sweep-at-a-time lock, as sweep does;
  // every record is judged again just before it is removed, so the plan need not be remade.
  const work = plan.some((i) => i.action === 'remove' || i.action === 'kill');
  if (o.dryRun || !work) return clean(env, o, ctx, snapshot, plan);
  const { withSweepLock } = await import('../execute.js');
  return withSweepLock(env, o, () => clean(env, o, ctx, snapshot, plan));
}

async function clean(env: CommandEnv, o: PidfilesCleanOptions, ctx: Context, snapshot: Snapshot, planned: CleanItem[]): Promise<number> {
  let plan = planned;
  const dryRun = Boolean(o.dryRun);
  if (!dryRun && !o.yes && plan.some((i) => i.action === 'kill')) {
    const asked = await ask(env, plan, snapshot);
    if (asked === null) {
      writeLine(env.io.stderr, 'Nothing was signalled or removed.');
      return 0;
    }
    plan = asked;
  }
  const graceMs = o.grace;
  const interrupt = new Interruption(env, graceMs);
  const kills = new Set(plan.filter((i) => i.action === 'kill').map((i) => i.entry.pid)).size;
  const done = dryRun || kills === 0
    ? await executeRecordsClean(ctx, snapshot, plan, { dryRun })
    : await (await import('../execute.js')).withEngineProgress(env, { graceMs, interrupt, total: kills }, (hooks) => executeRecordsClean(ctx, snapshot, plan, { ...hooks, graceMs }));
  await print(env, o, done, snapshot.scannedAt, 'clean', dryRun);
  const killed = done.filter((i) => SIGNALLED_OUTCOMES.has(i.outcome ?? '')).length;
  interrupt.summary(killed, done.filter((i) => UNENDED_OUTCOMES.has(i.outcome ?? '')).map((i) => i.entry.pid!));
  return interrupt.exitCode(done.some((i) => i.action === 'failed') ? 1 : 0);
}

/** The checkbox of live records to kill (all checked), then a confirm defaulting to No; null when declined. */
async function ask(env: CommandEnv, plan: CleanItem[], snapshot: Snapshot): Promise<CleanItem[] | null> {
  const { recordLabel } = await import('../../render/pidfiles.js');
  const kills = plan.filter((i) => i.action === 'kill');
  const choices = kills.map(({ entry: e }) => {
    const p = snapshot.processes.get(e.pid!);
    const cmd = p ? commandLine(p.argv, p.comm) : '?';
    const label = `${e.pid} ${escapeText(recordLabel(e) === '-' ? e.path : recordLabel(e))}  ${cmd}`;
    return { value: e.pid!, name: truncate(label, 120, env.unicode), short: String(e.pid), description: escapeText(e.reason) };
  });
  const picked = new Set(await chooseCandidates(env.io, choices, { unicode: env.unicode }));
  if (picked.size === 0) return null;
  const stale = plan.filter((i) => i.action === 'remove').length;
  const question = `Terminate ${picked.size} process tree${picked.size === 1 ? '' : 's'} and remove ${picked.size === 1 ? 'its record' : 'their records'}${stale ? ` (and ${stale} stale record${stale === 1 ? '' : 's'})` : ''}?`;
  if (!(await confirmAction(env.io, question, env.unicode))) return null;
  return plan.map((i) => (i.action === 'kill' && !picked.has(i.entry.pid!) ? { ...i, action: 'keep', note: 'live: not killed, left unchecked' } : i));
}
