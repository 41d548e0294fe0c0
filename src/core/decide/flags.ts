/**
 * The classification flags (design.md section 4), one row each, and every list derived from
 * them: help text, sweep targets, `list --check`, colours, the list summary, watch counts and
 * dashboard columns, metric labels. classify.ts decides who gets a flag; a new flag is that
 * decision plus one row here.
 */

/** How a flag or an outcome is shown: a leak (red), worth a look (yellow), accounted for (green), neutral (dim). */
export type Tone = 'leak' | 'look' | 'fine' | 'neutral';

/** What one flag means to the rest of procsweep. Absent optional fields are `false`. */
export interface FlagRow {
  readonly flag: string;
  readonly tone: Tone;
  /** Its `sweep --target` name; absent: sweep cannot target it. */
  readonly target?: string;
  /** Swept when no `--target` is given, and by `watch --sweep`. */
  readonly sweptByDefault?: boolean;
  /** `list --check` exits 1 when a process that is not kept has it. */
  readonly check?: boolean;
  /** Counted in the summary line under `list`. */
  readonly summary?: boolean;
  /** Counted per signature by `watch` (tick JSON, totals); with `column`, also a dashboard column with its history. */
  readonly watch?: { readonly column?: string };
  /** A process with it takes its whole tree along when swept (its descendants show `in:PID` in list). */
  readonly takesTree?: boolean;
}

/** Every flag, in the order of the JSON summaries and metric series. */
export const FLAG_TABLE = [
  { flag: 'orphan', tone: 'leak', target: 'orphans', sweptByDefault: true, check: true, summary: true, watch: { column: 'ORPHAN' }, takesTree: true },
  { flag: 'detached', tone: 'neutral', target: 'detached', summary: true, watch: {}, takesTree: true },
  { flag: 'zombie', tone: 'leak', check: true, summary: true, watch: { column: 'ZOMBIE' } },
  { flag: 'tracked', tone: 'fine' },
  { flag: 'untracked', tone: 'look', target: 'untracked', summary: true },
  { flag: 'duplicate', tone: 'look', target: 'duplicates', check: true, summary: true, watch: { column: 'DUP' } },
  { flag: 'long-lived', tone: 'look', target: 'long-lived', summary: true },
  { flag: 'supervised', tone: 'fine' },
  { flag: 'abandoned', tone: 'leak', target: 'abandoned', sweptByDefault: true, check: true, summary: true },
  { flag: 'kept', tone: 'fine', summary: true },
] as const satisfies readonly FlagRow[];

type Row = (typeof FLAG_TABLE)[number];

/** Classification flags, design.md section 4. */
export type Flag = Row['flag'];

/** A `sweep --target` name. */
export type SweepTargetName = Extract<Row, { target: string }>['target'];

/** The flags `watch` counts per signature. */
export type WatchedFlag = Extract<Row, { watch: object }>['flag'];

/** The flags with a dashboard column (and a history for sparklines). */
export type ColumnFlag = Extract<Row, { watch: { column: string } }>['flag'];

const rows: readonly FlagRow[] = FLAG_TABLE;

/** Summaries name the most urgent first: what sweep removes by default, then the other `--check` suspects, then the rest (table order within each). */
const urgency = (r: FlagRow): number => (r.sweptByDefault ? 0 : r.check ? 1 : 2);
const byUrgency = [...rows].sort((a, b) => urgency(a) - urgency(b));

const flagsOf = (list: readonly FlagRow[], keep: (r: FlagRow) => boolean): Flag[] => list.filter(keep).map((r) => r.flag as Flag);

export const ALL_FLAGS: readonly Flag[] = flagsOf(rows, () => true);

/** The row of a flag, or undefined for another word (`wrapper` in a flags column). */
export function flagRow(flag: string): FlagRow | undefined {
  return rows.find((r) => r.flag === flag);
}

/** `sweep --target` names and the flag each selects: the default targets first, then the others (table order). */
export const SWEEP_TARGETS: Readonly<Record<SweepTargetName, Flag>> = Object.fromEntries(
  [...rows.filter((r) => r.target && r.sweptByDefault), ...rows.filter((r) => r.target && !r.sweptByDefault)].map((r) => [r.target, r.flag]),
) as Record<SweepTargetName, Flag>;

/** What `sweep` removes when `--target` is not given (and `watch --sweep` always): orphans, and workers whose owner is gone. */
export const DEFAULT_TARGETS: readonly SweepTargetName[] = rows.filter((r) => r.sweptByDefault).map((r) => r.target as SweepTargetName);

/** The flags of DEFAULT_TARGETS. */
export const DEFAULT_TARGET_FLAGS: readonly Flag[] = flagsOf(rows, (r) => r.sweptByDefault === true);

/** Flags that make `list --check` exit 1 (on a process not kept), most urgent first. */
export const CHECK_FLAGS: readonly Flag[] = flagsOf(byUrgency, (r) => r.check === true);

/** Flags counted in the list summary line, most urgent first. */
export const SUMMARY_FLAGS: readonly Flag[] = flagsOf(byUrgency, (r) => r.summary === true);

/** Flags `watch` counts per signature, most urgent first (the order of its JSON counts). */
export const WATCHED_FLAGS = flagsOf(byUrgency, (r) => r.watch !== undefined) as readonly WatchedFlag[];

/** The dashboard's per-signature columns: flag and header, most urgent first. */
export const COLUMN_FLAGS = byUrgency.filter((r) => r.watch?.column).map((r) => ({ flag: r.flag as ColumnFlag, header: r.watch!.column!, tone: r.tone }));

/** The flags whose process takes its whole tree along when swept. */
export const TREE_FLAGS: readonly Flag[] = flagsOf(rows, (r) => r.takesTree === true);
