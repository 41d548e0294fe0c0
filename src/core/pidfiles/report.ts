/** The `pidfiles --json` document (design.md section 7). */
import { REMOVED_ACTIONS, type CleanAction, type CleanItem } from './clean.js';
import { countStatuses, type PidfileEntry, type PidfileStatus } from './types.js';

/** One entry in `pidfiles list|clean --json`: the entry's public fields, its time as ISO-8601, and the action. */
export type PidfileRecord = Pick<PidfileEntry, 'path' | 'format' | 'pid' | 'recordedFrom' | 'routeId' | 'processType' | 'taskId' | 'status' | 'reason'> & {
  recordedAt: string | null;
  /** The name the file's name gives its process: the PM2 app of `$PM2_HOME/pids/NAME-ID.pid`; else null. */
  name: string | null;
  /** That PM2 app's pm_id; else null. */
  pm2Id: number | null;
  action: CleanAction;
  /** What the action did or would do. */
  note: string;
  /** The termination outcome for `--kill` targets, else null. */
  outcome: string | null;
};

/**
 * Counts by status and by what was done: `removed` counts every record removed (those of
 * processes --kill ended included); `terminated` and `killed` count the processes --kill ended
 * on the first signal and with SIGKILL.
 */
export type PidfileSummary = Record<PidfileStatus, number> & { total: number; removed: number; terminated: number; killed: number; failed: number };

/** The whole document. `dryRun` is present for `clean` only. */
export interface PidfileReport {
  dryRun?: boolean;
  pidfiles: PidfileRecord[];
  summary: PidfileSummary;
  /** Named pid dirs and registries that do not exist: nothing was read from them. */
  missing: string[];
}

/** Turns a planned or executed item into its JSON record. */
export function toPidfileRecord(i: CleanItem): PidfileRecord {
  const e = i.entry;
  return {
    path: e.path,
    format: e.format,
    pid: e.pid,
    recordedAt: e.recordedAt === null ? null : new Date(e.recordedAt).toISOString(),
    recordedFrom: e.recordedFrom,
    routeId: e.routeId,
    processType: e.processType,
    taskId: e.taskId,
    name: e.pm2?.name ?? null,
    pm2Id: e.pm2?.id ?? null,
    status: e.status,
    reason: e.reason,
    action: i.action,
    note: i.note,
    outcome: i.outcome,
  };
}

/** Counts items by status and action. */
export function summarizePidfiles(items: readonly CleanItem[]): PidfileSummary {
  const s: PidfileSummary = { total: items.length, ...countStatuses(items.map((i) => i.entry)), removed: 0, terminated: 0, killed: 0, failed: 0 };
  for (const i of items) {
    if (REMOVED_ACTIONS.includes(i.action)) s.removed++;
    if (i.action === 'terminated') s.terminated++;
    else if (i.action === 'killed') s.killed++;
    else if (i.action === 'failed') s.failed++;
  }
  return s;
}

/** Builds the document. */
export function buildPidfileReport(items: readonly CleanItem[], dryRun?: boolean, missing: readonly string[] = []): PidfileReport {
  return { ...(dryRun === undefined ? {} : { dryRun }), pidfiles: items.map(toPidfileRecord), summary: summarizePidfiles(items), missing: [...missing] };
}
