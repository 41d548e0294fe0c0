import type { Command } from 'commander';
import { createContext } from '../../core/read/context.js';
import { EnvironmentError, UsageError } from '../../core/errors.js';
import { buildListReport, readExtras, summarize } from '../../core/decide/list-report.js';
import { countStatuses, STALE_STATUSES } from '../../core/pidfiles/types.js';
import { scanWith, unmatchedHolders } from '../../core/read/scan.js';
import { flagNamed } from '../../core/decide/sweep-targets.js';
import { suspectTrees } from '../../core/decide/sweep-trees.js';
import { ALL_FLAGS, CHECK_FLAGS } from '../../core/decide/flags.js';
import type { Backend } from '../../core/read/backend/index.js';
import type { Finding, Flag } from '../../core/types.js';
import type { ListOptions } from '../commands/list.js';
import { commandEnv, commonOptions } from '../common.js';
import { writeLine, writeWarning } from '../io.js';

/** Recent CPU of the listed processes: their counters read twice, `ms` apart (core/read/sample.ts). */
async function sampleShown(backend: Backend, shown: readonly Finding[], ms: number, clockTicks: number): Promise<Map<number, number | null>> {
  const { sampleCpu } = await import('../../core/read/sample.js');
  const { sleep } = await import('../../core/read/backend/ops.js');
  const targets = shown.filter((f) => f.proc.state !== 'Z').map((f) => ({ pid: f.proc.pid, startTicks: f.proc.startTicks }));
  return sampleCpu(targets, ms, clockTicks, { read: (pid) => backend.probe(pid), now: () => performance.now(), sleep: (n) => sleep(n) });
}

/** `procsweep list`: options -> scan -> filter -> render -> exit code. */
export async function runList(o: ListOptions, cmd?: Command): Promise<number> {
  const env = commandEnv(o);
  // Singular or plural alike (`--flag orphans`), as sweep --target takes them.
  o.flag = o.flag?.map((fl) => {
    const f = flagNamed(fl);
    if (!f) throw new UsageError(`--flag: unknown flag '${fl}'; known: ${ALL_FLAGS.join(', ')}`);
    return f;
  });
  if (o.sample !== undefined && o.tree) throw new UsageError('--sample fills the table\'s CPU% column (and --json): --tree has no CPU column, drop one of them');
  const ctx = await createContext(commonOptions(o));
  const warn = (m: string): void => writeWarning(env.io.stderr, m);
  const scanned = await scanWith(ctx, { maxAgeMs: o.maxAge, all: o.all, onWarning: warn });
  const { snapshot, pidfiles } = scanned;
  // `--port`/`--holds` answer "who holds it" even when the holder matches no signature.
  const strangers = await unmatchedHolders(ctx, scanned);
  const findings = [...scanned.findings, ...strangers];
  const matched = findings.filter((f) => f.signature);
  // A process inside a suspect tree (the ffmpeg under an orphaned wrapper) counts for --flag as
  // its tree's root does: sweep takes the whole tree, so the list shows what sweep would signal.
  const trees = suspectTrees(snapshot, findings);
  const inTree = (f: Finding, fl: string): boolean => trees.get(f.proc.pid)?.flags.includes(fl as Flag) ?? false;
  let shown: Finding[] = o.flag ? findings.filter((f) => f.flags.some((x) => o.flag!.includes(x)) || o.flag!.some((fl) => inTree(f, fl))) : findings;
  shown = shown.sort((a, b) => a.proc.pid - b.proc.pid);
  // A kept process was started on purpose: not a suspect, whatever else it is.
  const suspects = matched.filter((f) => !f.flags.includes('kept') && f.flags.some((x) => CHECK_FLAGS.includes(x)));
  const stale = (pidfiles ?? []).filter((e) => STALE_STATUSES.includes(e.status));

  const extras = readExtras(ctx.backend, shown, scanned.holders?.selected);
  const sampled = o.sample === undefined ? undefined : await sampleShown(ctx.backend, shown, o.sample, snapshot.clockTicks);
  if (env.json) {
    const built = buildListReport(snapshot, shown, matched, extras);
    const sample = (pid: number): object => (sampled ? { cpuSamplePercent: sampled.get(pid) ?? null } : {});
    const report = { ...built, ...(sampled ? { cpuSampleMs: o.sample } : {}), processes: built.processes.map((r) => ({ ...r, ...sample(r.pid), partOf: trees.get(r.pid)?.root ?? null })) };
    if (pidfiles) report.summary.pidfiles = countStatuses(pidfiles);
    writeLine(env.io.stdout, JSON.stringify(report, null, 2));
  } else {
    const { loadPalette } = await import('../../render/load-palette.js');
    const { renderListFooter, renderListTable, renderListTree } = await import('../../render/list.js');
    const p = await loadPalette(env.colorOut, env.unicode);
    const width = o.wide ? null : env.io.columns;
    const view = { extras, markUnmatched: Boolean(ctx.held), trees, cpuSample: sampled && { ms: o.sample!, byPid: sampled } };
    if (shown.length > 0) {
      writeLine(env.io.stdout, o.tree ? renderListTree(snapshot, shown, width, p, view) : renderListTable(snapshot, shown, width, p, view));
      const { renderListReasons } = await import('../../render/why.js');
      for (const line of renderListReasons(shown, p, undefined, width)) writeLine(env.io.stdout, line);
    }
    const { renderHolderLines } = await import('../../render/held.js');
    for (const line of renderHolderLines(scanned.holders, findings, extras, p)) writeLine(env.io.stdout, line);
    const { nextCommandFor } = await import('../hint.js');
    const { nextLine } = await import('../../render/next.js');
    const next = nextCommandFor(cmd);
    // Narrowed by --flag: the hint counts (and names) only the flags shown, over the shown processes.
    const narrowed = o.flag && (Object.fromEntries(o.flag.map((fl) => [fl, shown.filter((f) => f.signature && f.flags.includes(fl as Flag)).length])) as Partial<Record<Flag, number>>);
    for (const line of renderListFooter(summarize(snapshot, matched), shown.length, p, next, narrowed || undefined)) writeLine(env.io.stdout, line);
    if (stale.length > 0) {
      const { staleRecordsLine } = await import('../../render/pidfiles.js');
      writeLine(env.io.stdout, staleRecordsLine(stale, width, p.unicode));
      for (const line of nextLine(p, next, ['pidfiles', 'list'], 'see why each is stale; then pidfiles clean -n with the same options')) writeLine(env.io.stdout, line);
    }
  }
  // A pid dir or registry that was named and is not there (a typo, an unmounted volume) must not
  // leave monitoring green: --check cannot vouch for records it could not read.
  const missing = scanned.missingRecords ?? [];
  if (o.check && missing.length > 0) {
    const what = missing.map((m) => `${ctx.pidDirs.includes(m) ? 'pid dir' : 'registry'} ${m}`).join(', ');
    throw new EnvironmentError(`--check: ${what} ${missing.length === 1 ? 'does' : 'do'} not exist, so ${missing.length === 1 ? 'its' : 'their'} records could not be checked: fix --pid-dir/--registry (or the config)`);
  }
  return o.check && (suspects.length > 0 || stale.length > 0) ? 1 : 0;
}
