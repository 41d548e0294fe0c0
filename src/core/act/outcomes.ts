/**
 * What became of one process the escalation engine was given (design.md section 5), one row
 * each, and every list derived from them: report summaries and their JSON keys, colours,
 * metric labels, which records may go, and the exit-code policy.
 */
import type { Tone } from '../decide/flags.js';

/** What one outcome means to the rest of procsweep. */
export interface OutcomeRow {
  readonly outcome: string;
  /** Its count's key in a report summary (`sweep --json`'s `summary`). */
  readonly key: string;
  /** fine: ended as planned; look: not signalled, on purpose; leak: left running against the plan. */
  readonly tone: Tone;
  /** The process is gone (ended, or its pid holds another process now): its record may go, watch stops following it. */
  readonly gone: boolean;
  /** The engine's signals ended it. */
  readonly signalled?: boolean;
  /** The engine tried and could not end it: the run exits 1. */
  readonly unended?: boolean;
  /** The words after its count in the summary line after acting. */
  readonly summary: string;
}

/** Every outcome, in report order. */
export const OUTCOME_TABLE = [
  { outcome: 'terminated', key: 'terminated', tone: 'fine', gone: true, signalled: true, summary: 'terminated' },
  { outcome: 'killed', key: 'killed', tone: 'fine', gone: true, signalled: true, summary: 'killed (needed SIGKILL)' },
  { outcome: 'already-gone', key: 'alreadyGone', tone: 'fine', gone: true, summary: 'already gone' },
  { outcome: 'reused', key: 'reused', tone: 'look', gone: true, summary: 'not signalled (PID reused)' },
  { outcome: 'skipped', key: 'skipped', tone: 'look', gone: false, summary: 'skipped' },
  { outcome: 'survived', key: 'survived', tone: 'leak', gone: false, unended: true, summary: 'survived' },
  { outcome: 'failed', key: 'failed', tone: 'leak', gone: false, unended: true, summary: 'failed' },
] as const satisfies readonly OutcomeRow[];

type Row = (typeof OUTCOME_TABLE)[number];

/** What became of one process (design.md section 5). */
export type Outcome = Row['outcome'];

/** A report summary's key for an outcome. */
export type OutcomeKey = Row['key'];

const rows: readonly OutcomeRow[] = OUTCOME_TABLE;
const outcomesWhere = (keep: (r: OutcomeRow) => boolean): Outcome[] => rows.filter(keep).map((r) => r.outcome as Outcome);

/** Every outcome, in report order. */
export const OUTCOMES: readonly Outcome[] = outcomesWhere(() => true);

/** Outcomes after which the process is gone: its record may go. */
export const GONE_OUTCOMES: ReadonlySet<string> = new Set(outcomesWhere((r) => r.gone));

/** Outcomes the engine's signals brought about (a run's "ended" count). */
export const SIGNALLED_OUTCOMES: ReadonlySet<string> = new Set(outcomesWhere((r) => r.signalled === true));

/** Outcomes where the engine could not end the process: the run exits 1, and watch does not try it again. */
export const UNENDED_OUTCOMES: ReadonlySet<string> = new Set(outcomesWhere((r) => r.unended === true));

/** Outcomes that ended as planned (not worth a line of their own in a long report). */
export const ROUTINE_OUTCOMES: ReadonlySet<string> = new Set(outcomesWhere((r) => r.tone === 'fine'));

/** The row of an outcome, or undefined for another word (`planned`). */
export function outcomeRow(outcome: string): OutcomeRow | undefined {
  return rows.find((r) => r.outcome === outcome);
}

/** A count per outcome, all 0, in report order. */
export function zeroOutcomes(): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
}

/** Whether counts by outcome hold a process the engine could not end (watch's exit 1). */
export function anyUnended(counts: Readonly<Record<Outcome, number>>): boolean {
  return OUTCOMES.some((o) => UNENDED_OUTCOMES.has(o) && counts[o] > 0);
}
