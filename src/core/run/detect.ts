/** Finding live `procsweep run` supervisors in a process table (their workers are `supervised`, never orphans). */
import type { SupervisorIndex } from '../decide/classify.js';
import { flagNames, takesValue } from '../options/spec.js';
import { RUN_OPTIONS } from './options.js';
import { basename, hasBasename } from '../decide/signatures.js';
import type { ProcessInfo, Snapshot } from '../types.js';

/** Interpreters that run procsweep's JavaScript: argv[0] of a `procsweep run` process. */
const RUNTIMES = new Set(['node', 'nodejs', 'bun']);

/**
 * Whether an argv entry is procsweep's entry point: the installed bin (`procsweep`, also via
 * npx), the repository shim `bin/procsweep.js`, or the built/dev CLI module.
 */
function isEntryPoint(arg: string): boolean {
  return hasBasename(arg, 'procsweep') || hasBasename(arg, 'procsweep.js') || arg.endsWith('dist/cli/main.js') || arg.endsWith('src/cli/main.ts');
}

/**
 * When `argv` is a live `procsweep run` (e.g. `node /usr/bin/procsweep run --id cam1 -- ffmpeg ...`),
 * its label for reasons (`cam1_ffmpeg`, from its pidfile options, or `no pidfile`); otherwise null.
 * Only a JavaScript runtime running procsweep's entry point counts, so `vim procsweep.js run` does not.
 */
export function procsweepRunLabel(argv: readonly string[]): string | null {
  let i = argv.length > 0 && isEntryPoint(argv[0]) ? 0 : -1;
  if (i < 0) {
    if (argv.length < 3 || !RUNTIMES.has(basename(argv[0]))) return null;
    // Skip the runtime's own flags (`node --import tsx src/cli/main.ts run`): the entry point is
    // the first argument that looks like one.
    i = argv.findIndex((a, k) => k > 0 && isEntryPoint(a));
    if (i < 0) return null;
  }
  if (argv[i + 1] !== 'run') return null;
  let id: string | null = null;
  let type: string | null = null;
  let cmd: string | null = null;
  for (let k = i + 2; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--' || !a.startsWith('-')) {
      cmd = argv[a === '--' ? k + 1 : k] ?? null; // CMD starts here: its options are not ours
      break;
    }
    const eq = a.indexOf('=');
    const [name, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, null];
    if (name === '--id') id = inline ?? argv[++k] ?? null;
    else if (name === '--type') type = inline ?? argv[++k] ?? null;
    else if (inline === null && RUN_VALUE_OPTIONS.has(name)) k++;
  }
  if (id === null) return 'no pidfile';
  return `${id}_${type ?? (cmd === null ? '?' : basename(cmd))}`;
}

/** `procsweep run` options that take a separate value, so the value is not mistaken for CMD: read from run's own specs. */
const RUN_VALUE_OPTIONS = new Set(RUN_OPTIONS.filter(takesValue).flatMap((s) => flagNames(s.flags)));

/**
 * The live `procsweep run` processes of a snapshot, for classify: their workers are `supervised`,
 * never orphans, while they live. Zombies do not supervise anything.
 */
export function supervisorIndex(snap: Snapshot): SupervisorIndex {
  const out: SupervisorIndex = new Map();
  for (const p of snap.processes.values()) {
    if (p.kernelThread || p.state === 'Z' || p.argv.length === 0) continue;
    const label = procsweepRunLabel(p.argv);
    if (label !== null) out.set(p.pid, { startTicks: p.startTicks, label });
  }
  return out;
}

/** `procsweep run PID (label)` when the process's parent is a live procsweep run, else null. */
export function supervisingRun(p: ProcessInfo, snap: Snapshot): string | null {
  const parent = snap.processes.get(p.ppid);
  if (!parent || parent.state === 'Z' || parent.argv.length === 0) return null;
  const label = procsweepRunLabel(parent.argv);
  return label === null ? null : `procsweep run ${parent.pid} (${label})`;
}
