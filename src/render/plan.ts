import { basename } from 'node:path';
import type { ExecutionReport, ExecutionTarget } from '../core/act/execution-report.js';
import { formatDuration, formatElapsed } from '../core/duration.js';
import { OUTCOME_TABLE, outcomeRow, ROUTINE_OUTCOMES } from '../core/act/outcomes.js';
import { PORTABLE_NOTE, type Plan, type PlanEntry } from '../core/decide/plan.js';
import { describeEscalation } from '../core/act/escalation/timing.js';
import { commandLine, escapeText } from './escape.js';
import { colorFlag, toned, type Palette } from './tone.js';
import { COMMAND_COLUMN, commandShortener } from './shorten.js';
import { renderTable, type Column } from './table.js';
import { renderTree, type TreeNode } from './tree.js';
import { groupReasons, reasonLines, wrapText } from './why.js';

/** A command line for humans (escaped): argv joined, or [comm] for a zombie. */
function commandOf(e: { argv: string[]; comm: string }): string {
  return commandLine(e.argv, e.comm);
}

function tags(e: PlanEntry): string[] {
  return [...(e.signature && e.role === 'wrapper' ? ['wrapper'] : []), ...e.flags];
}

/** Plan entries as trees (one per candidate), using the entries' depth (they are in parents-first DFS order). */
function planForest(entries: readonly PlanEntry[], width: number | null, p: Palette, ports?: ReadonlyMap<number, string>): string {
  const roots: TreeNode[] = [];
  const stack: Array<{ depth: number; node: TreeNode }> = [];
  const commands = entries.map(commandOf);
  const shorten = commandShortener(commands, p.unicode);
  for (const [row, e] of entries.entries()) {
    const t = tags(e);
    const node: TreeNode = {
      label: (room) => {
        const tag = t.length ? ` [${t.join(',')}]` : '';
        const skip = e.action === 'skip' ? ' (skipped)' : '';
        const head = `${e.pid} `;
        const cmd = commands[row];
        const held = ports?.get(e.pid) ? ` ${ports.get(e.pid)}` : '';
        // The ports give way before the command: dropped when the command would be cut below 20 characters.
        const keep = held !== '' && room - head.length - tag.length - skip.length - held.length >= Math.min(20, cmd.length);
        const text = shorten(row, Math.max(0, room - head.length - tag.length - skip.length - (keep ? held.length : 0)));
        const coloured = t.length ? ` ${p.dim('[')}${t.map((f) => colorFlag(p, f)).join(p.dim(','))}${p.dim(']')}` : '';
        return `${p.bold(String(e.pid))} ${e.action === 'skip' ? p.dim(text) : text}${coloured}${keep ? p.cyan(held) : ''}${e.action === 'skip' ? p.yellow(skip) : ''}`;
      },
      children: [],
    };
    while (stack.length && stack[stack.length - 1].depth >= e.depth) stack.pop();
    if (stack.length && e.depth > 0) stack[stack.length - 1].node.children.push(node);
    else roots.push(node);
    stack.push({ depth: e.depth, node });
  }
  return renderTree(roots, width, p.unicode);
}

/**
 * The plan as trees, with the reason each candidate is there and why anything is skipped, then
 * one line saying what will (or, in a dry run, would) be done.
 */
export function renderPlan(plan: Plan, width: number | null, p: Palette, o: { dryRun: boolean; signal: string; graceMs: number; backend?: string; ports?: ReadonlyMap<number, string> }): string {
  const lines: string[] = [];
  if (plan.entries.length === 0) return '';
  lines.push(planForest(plan.entries, width, p, o.ports));
  // Why each tree is there and why anything is skipped, identical reasons on one line.
  const noted = plan.entries.filter((e) => e.action === 'skip' || e.depth === 0).map((e) => ({ pid: e.pid, reason: `${e.action === 'skip' ? 'skip' : 'why'}\0${e.reason}` }));
  for (const g of groupReasons(noted)) {
    const [kind, reason] = g.reason.split('\0');
    lines.push(...reasonLines(kind === 'skip' ? p.yellow('skip') : `${p.dim('why')} `, [{ reason, pids: g.pids }], escapeText, width));
  }
  const n = plan.entries.filter((e) => e.action === 'signal').length;
  const trees = plan.candidates.length;
  if (n === 0) {
    lines.push('Nothing to signal.');
  } else {
    const what = `${n} process${n === 1 ? '' : 'es'} in ${trees} tree${trees === 1 ? '' : 's'} (${describeEscalation(o.signal, o.graceMs)})`;
    if (o.backend === 'portable') lines.push(`  ${p.dim('note')} ${PORTABLE_NOTE}`);
    const last = o.dryRun ? `Dry run: would signal ${what}. Nothing was signalled; run again with -y to act.` : `Will signal ${what}.`;
    // On a terminal, wrapped at words rather than by the terminal mid-word.
    lines.push(...(width === null ? [last] : wrapText(last, width, width)));
  }
  return lines.join('\n');
}

const SHORT: Record<string, string> = { SIGSTOP: 'STOP', SIGTERM: 'TERM', SIGCONT: 'CONT', SIGKILL: 'KILL' };

const RESULT_COLUMNS: Column[] = [
  { header: 'PID', align: 'right' },
  { header: 'OUTCOME' },
  { header: 'SIGNALS' },
  COMMAND_COLUMN,
];

function outcomeColour(p: Palette, outcome: string): string {
  const row = outcomeRow(outcome);
  return row ? toned(p, row.tone, outcome) : outcome;
}

/** The summary line after acting: counts, time, and what is left (`Stopped by an error after`, when the run was: its error line follows). */
export function renderSummary(report: ExecutionReport): string {
  const s = report.summary;
  const parts = OUTCOME_TABLE.filter((r) => s[r.key] > 0).map((r) => `${s[r.key]} ${r.summary}`);
  const left = s.leftRunning;
  const tail = left === 0 ? 'nothing left running.' : `${left} left running: see the reasons above.`;
  const head = report.error !== undefined ? 'Stopped by an error after' : 'Done in';
  return `${head} ${formatElapsed(report.durationMs)}: ${parts.join(', ') || 'nothing to do'}; ${tail}`;
}

/** Above this many targets, the table lists only the ones that did not simply end (the summary counts the rest). */
export const LIST_ALL_MAX = 50;


/** The results after acting: a table, the reasons worth reading, and the summary line. */
export function renderReport(report: ExecutionReport, width: number | null, p: Palette): string {
  const many = report.targets.length > LIST_ALL_MAX;
  const shown = many ? report.targets.filter((t) => !ROUTINE_OUTCOMES.has(t.outcome)) : report.targets;
  const rows = shown.map((t) => [String(t.pid), t.outcome, t.signals.map((s) => SHORT[s] ?? s.replace(/^SIG/, '')).join(',') || '-', commandOf(t)]);
  const lines = rows.length ? [renderTable(RESULT_COLUMNS, rows, width, (_r, c, text) => (c === 1 ? outcomeColour(p, text) : text), { unicode: p.unicode })] : [];
  if (many) lines.push(p.dim(`(${report.targets.length - shown.length} processes that ended as planned are not listed; --json and --log list every one)`));
  for (const t of shown) {
    if (t.outcome === 'terminated' || t.outcome === 'planned') continue;
    if (t.outcome === 'killed' && !/started by|zombie/.test(t.reason)) continue;
    lines.push(`  ${outcomeColour(p, t.outcome)} ${t.pid}: ${escapeText(t.reason)}`);
  }
  lines.push(renderSummary(report));
  const killed = killedLine(report);
  if (killed) lines.push(p.yellow(killed));
  if (report.targets.some((t: ExecutionTarget) => t.outcome === 'skipped' && /zombie|not reaped/.test(t.reason))) {
    lines.push(p.dim('zombies cannot be killed: fix or restart the parent named above (or remove it with procsweep kill-group PARENT)'));
  }
  return lines.join('\n');
}

/**
 * The processes that needed SIGKILL, by PID and name: for a recorder that means a file left
 * unfinalized, so they are named even when the table leaves routine outcomes out.
 */
export function killedLine(report: ExecutionReport, max = 20): string | null {
  const killed = report.targets.filter((t) => t.outcome === 'killed');
  if (killed.length === 0) return null;
  const name = (t: ExecutionTarget): string => escapeText(t.argv.length ? basename(t.argv[0]) : t.comm ? t.comm : '?');
  const names = killed.slice(0, max).map((t) => `${t.pid} ${name(t)}`).join(', ');
  const more = killed.length > max ? `, and ${killed.length - max} more (--json lists every one)` : '';
  return `Needed SIGKILL (${killed.length}; a recorder's output may be unfinalized): ${names}${more}`;
}

/** Column layout shared by the checkbox labels and their header. */
function candidateColumns(pid: string, age: string, cpu: string, flags: string): string {
  return `${pid.padStart(7)}  ${age.padStart(6)}  ${cpu.padStart(5)}  ${flags.padEnd(16)}  `;
}

/** The header over the checkbox labels; `indent` is the width of the prompt's cursor and box. */
export function candidateHeader(indent: number): string {
  return `${' '.repeat(indent)}${candidateColumns('PID', 'AGE', 'CPU%', 'FLAGS')}COMMAND`;
}

/**
 * The checkbox labels of the plan's candidates, in order: PID, age, CPU (`cpu` by PID), flags,
 * the command (shortened to the width keeping what tells the candidates apart), and the tree size.
 */
export function candidateLabels(plan: Plan, cpu: (pid: number) => number | null, width: number | null, unicode = true): string[] {
  const entries = plan.candidates.map((pid) => plan.entries.find((x) => x.pid === pid)!);
  const shorten = commandShortener(entries.map(commandOf), unicode);
  return entries.map((e, row) => {
    const age = e.startedAt === null ? '?' : formatDuration(Math.max(0, plan.scannedAt - e.startedAt));
    const more = plan.entries.filter((x) => x.candidate === e.candidate && x.pid !== e.pid && x.action === 'signal').length;
    const c = cpu(e.pid);
    const head = candidateColumns(String(e.pid), age, c === null ? '?' : c.toFixed(1), tags(e).join(',') || '-');
    const tail = more ? ` (+${more})` : '';
    const room = width === null ? Infinity : Math.max(10, width - head.length - tail.length - 6);
    return `${head}${shorten(row, room)}${tail}`;
  });
}
