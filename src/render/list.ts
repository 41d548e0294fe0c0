import { ageMs, cpuPercent, processName } from '../core/decide/classify.js';
import { formatDuration } from '../core/duration.js';
import { durationText } from '../core/options/values.js';
import { FLAG_TABLE, SUMMARY_FLAGS, type FlagRow } from '../core/decide/flags.js';
import { portsText } from '../core/read/held/held.js';
import type { Extras, ListSummary } from '../core/decide/list-report.js';
import type { Finding, Flag, Snapshot } from '../core/types.js';
import type { TreeMembership } from '../core/decide/sweep-trees.js';
import { userName } from '../core/read/users.js';
import { bareNext, nextLine, type NextCommand } from './next.js';
import { commandLine } from './escape.js';
import { withOwnerColumn } from './owner.js';
import { colorFlag, type Palette } from './tone.js';
import { COMMAND_COLUMN, commandShortener } from './shorten.js';
import { renderTable, type Column } from './table.js';
import { renderTree, type TreeNode } from './tree.js';

/** Human byte size: 12.3M. */
export function formatBytes(n: number | null): string {
  if (n === null) return '?';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}B` : `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

/** The command line as shown (escaped): argv joined, or [comm] for zombies and kernel threads. */
export function commandText(f: Finding): string {
  return commandLine(f.proc.argv, f.proc.comm);
}

/** What the list renderers show besides the snapshot: held resources, and whether a matchless row is a `--port`/`--holds` holder. */
export interface ListView {
  extras?: ReadonlyMap<number, Pick<Extras, 'sockets'>>;
  /** Mark rows that match no signature `unmatched` (they are there as holders of a selected port or path). */
  markUnmatched?: boolean;
  /** Members of a suspect tree, shown `in:ROOT`. */
  trees?: ReadonlyMap<number, TreeMembership>;
  /** `list --sample`: the CPU% column shows this recent use (over `ms`) instead of the lifetime average, and says so. */
  cpuSample?: { ms: number; byPid: ReadonlyMap<number, number | null> };
}

/** The flags shown for a finding: wrapper, its flags, or `unmatched` for a holder matching no signature. */
function shownFlags(f: Finding, view: ListView): string[] {
  if (!f.signature && view.markUnmatched) return ['unmatched'];
  return [...(f.role === 'wrapper' ? ['wrapper'] : []), ...f.flags];
}

/** The ports text of a finding ('' when nothing was read for it). */
function portsOf(f: Finding, view: ListView): string {
  const e = view.extras?.get(f.proc.pid);
  return e ? portsText(e.sockets) : '';
}

/** The room the command keeps on a terminal `width` wide before other columns are left out (`drop`, lowest first). */
export function commandRoom(width: number | null): number | undefined {
  return width === null ? undefined : Math.max(20, Math.floor(width * 0.4));
}

const COLUMNS: Column[] = [
  { header: 'PID', align: 'right' },
  { header: 'PPID', align: 'right', drop: 4 },
  { header: 'USER', drop: 3 },
  { header: 'STATE', drop: 1 },
  { header: 'AGE', align: 'right', drop: 6 },
  { header: 'CPU%', align: 'right', drop: 7 },
  { header: 'RSS', align: 'right', drop: 2 },
  { header: 'FLAGS' },
  { header: 'PORTS', yields: true },
  COMMAND_COLUMN,
];

/**
 * The `list` table: one row per finding, the command cut to `width` (null = keep whole). A
 * member of a suspect tree shows `in:ROOT` (sweep takes it with that orphan's tree).
 */
export function renderListTable(snap: Snapshot, findings: readonly Finding[], width: number | null, p: Palette, view: ListView = {}): string {
  const ports = findings.map((f) => portsOf(f, view));
  // The ports column only when some row holds a port: '?' alone (a fixture, another user's) does not bring it.
  const withPorts = ports.some((t) => t !== '' && t !== '?');
  const rows = findings.map((f, i) => {
    const cpu = view.cpuSample ? view.cpuSample.byPid.get(f.proc.pid) ?? null : cpuPercent(f.proc, snap);
    const tree = view.trees?.get(f.proc.pid);
    const flags = [...shownFlags(f, view), ...(tree ? [`in:${tree.root}`] : [])];
    const row = [
      String(f.proc.pid),
      String(f.proc.ppid),
      userName(f.proc.uid) ?? '?',
      f.proc.state,
      formatDuration(ageMs(f.proc, snap.scannedAt)),
      cpu === null ? '?' : cpu.toFixed(1),
      formatBytes(f.proc.rssBytes),
      flags.join(',') || '-',
      ports[i] || '-',
      commandText(f),
    ];
    if (!withPorts) row.splice(8, 1);
    return row;
  });
  const cpuHeader = view.cpuSample ? `CPU%(${durationText(view.cpuSample.ms)})` : 'CPU%';
  const columns = (withPorts ? COLUMNS : COLUMNS.filter((c) => c.header !== 'PORTS')).map((c) => (c.flex ? { ...c, min: commandRoom(width) } : c.header === 'CPU%' ? { ...c, header: cpuHeader } : c));
  const t = withOwnerColumn(columns, rows, findings.map((f) => f.owner));
  return renderTable(t.columns, t.rows, width, (_r, c, text) => {
    if (c !== 7 || text === '-') return text;
    return text.split(',').map((fl) => colorFlag(p, fl)).join(p.dim(','));
  }, { unicode: p.unicode });
}

/** The `list --tree` drawing: matched processes with their ancestors and descendants. */
export function renderListTree(snap: Snapshot, findings: readonly Finding[], width: number | null, p: Palette, view: ListView = {}): string {
  const byPid = new Map(findings.map((f) => [f.proc.pid, f]));
  const children = new Map<number, number[]>();
  for (const proc of snap.processes.values()) {
    const list = children.get(proc.ppid);
    if (list) list.push(proc.pid);
    else children.set(proc.ppid, [proc.pid]);
  }
  const include = new Set<number>();
  for (const f of findings) {
    // ancestors
    let cur = snap.processes.get(f.proc.pid);
    while (cur && !include.has(cur.pid)) {
      include.add(cur.pid);
      cur = cur.ppid > 0 ? snap.processes.get(cur.ppid) : undefined;
    }
    // descendants
    const stack = [...(children.get(f.proc.pid) ?? [])];
    while (stack.length) {
      const pid = stack.pop()!;
      if (include.has(pid)) continue;
      include.add(pid);
      stack.push(...(children.get(pid) ?? []));
    }
  }
  const drawn = [...include];
  const commands = drawn.map((pid) => commandLine(snap.processes.get(pid)!.argv, snap.processes.get(pid)!.comm));
  const rowOf = new Map(drawn.map((pid, i) => [pid, i]));
  const shorten = commandShortener(commands, p.unicode);
  const node = (pid: number): TreeNode => {
    const f = byPid.get(pid);
    const flags = f ? shownFlags(f, view) : [];
    const ports = f ? portsOf(f, view) : '';
    const cmd = commands[rowOf.get(pid)!];
    const kids = (children.get(pid) ?? []).filter((c) => include.has(c)).sort((a, b) => a - b);
    return {
      label: (room) => {
        const tag = flags.length ? ` [${flags.join(',')}]` : '';
        const held = ports ? ` ${ports}` : '';
        const head = `${pid} `;
        // Ports give way before the command: dropped when the command would be cut below 20 characters.
        const keepPorts = held !== '' && room - head.length - tag.length - held.length >= Math.min(20, cmd.length);
        const text = shorten(rowOf.get(pid)!, Math.max(0, room - head.length - tag.length - (keepPorts ? held.length : 0)));
        const coloredTag = flags.length ? ` ${p.dim('[')}${flags.map((fl) => colorFlag(p, fl)).join(p.dim(','))}${p.dim(']')}` : '';
        return `${p.bold(String(pid))} ${f?.signature ? text : p.dim(text)}${coloredTag}${keepPorts ? p.cyan(held) : ''}`;
      },
      children: kids.map(node),
    };
  };
  const roots = [...include].filter((pid) => !include.has(snap.processes.get(pid)!.ppid)).sort((a, b) => a - b);
  return renderTree(roots.map(node), width, p.unicode);
}

/**
 * The one-line summary under the list, and a hint of what to run next (carrying the run's scope).
 * `narrowed` (list --flag): the counts of the flags the view was narrowed to, over the shown
 * processes; the hint then names exactly those targets, so it never previews more than was shown.
 */
export function renderListFooter(summary: ListSummary, shown: number, p: Palette, next: NextCommand = bareNext, narrowed?: Partial<Record<Flag, number>>): string[] {
  const lines: string[] = [];
  const sigs = Object.entries(summary.signatures).map(([k, v]) => `${k} ${v}`).join(', ');
  const flagged = SUMMARY_FLAGS.filter((f) => summary.flags[f] > 0).map((f) => `${summary.flags[f]} ${f}`);
  if (summary.matched === 0) {
    lines.push(`No matching processes among ${summary.scanned} scanned.`);
    return lines;
  }
  lines.push(`${summary.matched} matched${sigs ? ` (${sigs})` : ''}${flagged.length ? `: ${flagged.join(', ')}` : ', none suspect'}; ${shown} shown of ${summary.scanned} processes scanned.`);
  const count = (f: Flag): number => (narrowed ? narrowed[f] ?? 0 : summary.flags[f]);
  const orphan = count('orphan');
  const abandoned = count('abandoned');
  const duplicate = count('duplicate');
  const detached = count('detached');
  // Narrowed to some flags, `sweep -n` with its default targets could preview what was left out.
  const targets = (...fs: Flag[]): string[] => (narrowed ? ['--target', fs.filter((f) => count(f) > 0).map((f) => (FLAG_TABLE as readonly FlagRow[]).find((r) => r.flag === f)!.target!).join(',')] : []);
  if (abandoned > 0) lines.push(...nextLine(p, next, ['sweep', '-n', ...targets('orphan', 'abandoned')], `preview removing ${[orphan > 0 ? plural(orphan, 'orphan') : '', `${abandoned} abandoned`].filter(Boolean).join(' and ')} with their trees`));
  else if (orphan > 0) lines.push(...nextLine(p, next, ['sweep', '-n', ...targets('orphan')], `preview removing ${plural(orphan, 'orphan')} and ${orphan === 1 ? 'its tree' : 'their trees'}`));
  else if (duplicate > 0) lines.push(...nextLine(p, next, ['sweep', '-n', '--target', 'duplicates'], `preview removing ${plural(duplicate, 'duplicate')}`));
  else if (detached > 0) lines.push(...nextLine(p, next, ['sweep', '-n', '--target', 'detached'], detachedWhy(detached, true)));
  if (count('zombie') > 0) lines.push(p.dim('zombies cannot be killed: their parent must reap them (restart or fix the parent named in the reason)'));
  return lines;
}

/** Why a `--target detached` hint is offered: detached workers, which sweep leaves alone by default; `only`: no other suspects. */
export function detachedWhy(n: number, only: boolean): string {
  const who = only ? `the only suspect${n === 1 ? ' is' : 's are'} ${n} detached` : `${n} matched process${n === 1 ? ' is' : 'es are'} detached`;
  return `${who} (own session: a daemon, or a worker started detached); sweep leaves ${n === 1 ? 'it' : 'them'} alone unless asked`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
