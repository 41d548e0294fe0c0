import { openBackend } from '../../core/read/backend/index.js';
import { UsageError } from '../../core/errors.js';
import { deathLink, resolveCommand } from '../../core/run/launch.js';
import { checkNamePart, preparePidDir } from '../../core/run/pidfile.js';
import { Supervisor, type PidfileSpec } from '../../core/run/supervisor.js';
import { basename } from '../../core/decide/signatures.js';
import { renderRunEvent } from '../../render/run.js';
import { escapeText } from '../../render/escape.js';
import type { RunOptions } from '../commands/run.js';
import { writeLine } from '../io.js';

/** The signals that stop run: each goes to CMD's process group and tree through the engine. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
/** Signals passed to CMD's process group as they are, run going on (SIGHUP: reload, reopen logs). */
export const FORWARD_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP'];

/** How often run checks that the process that started it is still its parent. */
const PARENT_POLL_MS = 250;

function pidfileSpec(o: RunOptions, command: string[]): PidfileSpec | null {
  if (o.pidDir === undefined) {
    if (o.id !== undefined || o.type !== undefined) throw new UsageError('--id and --type name a pidfile: give --pid-dir DIR too');
    return null;
  }
  if (o.id === undefined) throw new UsageError('--pid-dir needs --id ROUTE: the pidfile is named ROUTE_TYPE.pid');
  return { dir: o.pidDir, id: checkNamePart('--id', o.id), type: checkNamePart('--type', o.type ?? basename(command[0])) };
}

/**
 * `procsweep run -- CMD ARGS...`: options -> checks -> supervisor, with SIGTERM/SIGINT and the
 * death of run's parent wired to `stop()`, SIGHUP to `forward()`. Exits with CMD's status. Never touches
 * process.stdin: CMD shares it.
 */
export async function runRun(command: string[], o: RunOptions): Promise<number> {
  if (command.length === 0 || command[0] === '') throw new UsageError('run needs a command: procsweep run [options] -- CMD ARGS...');
  const pidfile = pidfileSpec(o, command);
  resolveCommand(command[0], process.env);
  const link = deathLink(process.env);
  if (pidfile) await preparePidDir(pidfile.dir);
  const backend = await openBackend();

  // A supervisor that closed our stderr must not take CMD down with a crash on EPIPE.
  process.stderr.on('error', () => {});
  const prefix = `procsweep run[${process.pid}]:`;
  const say = (line: string): void => writeLine(process.stderr, `${prefix} ${escapeText(line)}`);
  if (link.warning) say(`warning: ${link.warning}`);
  const ctx = { name: basename(command[0]), graceMs: o.grace };
  const sup = new Supervisor({
    command,
    restart: o.restart,
    restartDelayMs: o.restartDelay,
    maxRestarts: o.maxRestarts ?? null,
    graceMs: o.grace,
    pidfile,
    link,
    backend,
    onEvent: (e) => renderRunEvent(e, ctx).forEach(say),
  });

  const onSignal = (signal: NodeJS.Signals): void => sup.stop(signal, `received ${signal}`);
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const onForward = (signal: NodeJS.Signals): void => sup.forward(signal);
  for (const s of FORWARD_SIGNALS) process.on(s, onForward);
  const parent = process.ppid;
  const watch = o.surviveParent
    ? null
    : setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(watch!);
        sup.stop('SIGTERM', `the process that started run (pid ${parent}) exited`);
      }, PARENT_POLL_MS);
  try {
    return (await sup.run()).status;
  } finally {
    if (watch) clearInterval(watch);
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    for (const s of FORWARD_SIGNALS) process.off(s, onForward);
  }
}
