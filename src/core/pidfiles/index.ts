/** Pidfiles and process registries (design.md section 6): read, judge, track, clean, write. */
export * from './types.js';
export { trackingIndex } from './tracking.js';
export { readPidfiles, readPidMax, readOnePidfile, readRegistry, listPidDir, isPm2PidDir, type ReadPidfilesOptions } from './read.js';
export { parsePidfileContent, parsePidfileName, parsePm2PidfileName, parseRegistryContent, parseRegistryElement, parseIsoTime, parsePidText, type ParseLimits } from './parse.js';
export { judgeRecord, type RecordFacts, type Verdict, type JudgeOptions } from './judge.js';
export { readRecordFile, type SafeRead } from './safefile.js';
export { removeEntries, type RemovalResult, type RemovalOutcome, type RemoveOptions } from './remove.js';
export { writePidfile, removeOwnPidfile, writeAtomic } from './write.js';
export { planClean, executeClean, killRefusal, removeRecordsOfEnded, type CleanAction, type CleanItem, type CleanOptions, type ExecuteOptions, type KillFilter, type TerminateFn } from './clean.js';
export { openRecords, cleanStale, planRecordsClean, executeRecordsClean, type OpenRecords, type CleanStaleOptions, type RecordsCleanOptions } from './startup.js';
export { buildPidfileReport, toPidfileRecord, summarizePidfiles, type PidfileRecord, type PidfileReport, type PidfileSummary } from './report.js';
