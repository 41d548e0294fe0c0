import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ProcsweepError } from '../errors.js';

/** CMD could not be started: exit 127 (not found) or 126 (not executable), as shells report it. */
export class CommandError extends ProcsweepError {}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executables named `name` on a PATH string, in search order. */
export function whichAll(name: string, path: string | undefined): string[] {
  return (path ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name)).filter(executable);
}

/**
 * Checks that CMD can be executed before anything is started, so a typo fails once with a clear
 * message instead of being restarted forever. Returns the path that will run.
 */
export function resolveCommand(cmd: string, env: NodeJS.ProcessEnv): string {
  if (cmd.includes('/')) {
    let isFile = false;
    try {
      isFile = statSync(cmd).isFile();
    } catch {
      throw new CommandError(`cannot run ${cmd}: no such file`, 127);
    }
    if (!isFile || !executable(cmd)) throw new CommandError(`cannot run ${cmd}: not an executable file (check its mode)`, 126);
    return cmd;
  }
  const found = whichAll(cmd, env.PATH)[0];
  if (!found) throw new CommandError(`command not found: ${cmd} (searched PATH=${env.PATH ?? ''})`, 127);
  return found;
}

/**
 * How the child is tied to run's life. `prefix` goes before CMD (`setpriv --pdeathsig KILL --`):
 * the kernel then SIGKILLs CMD when the thread that forked it, run's main thread, dies, even by
 * SIGKILL. Without it `warning` says what is lost.
 */
export interface DeathLink {
  prefix: string[];
  /** The setpriv used, or null. */
  tool: string | null;
  warning: string | null;
}

/**
 * Finds util-linux setpriv with `--pdeathsig` (util-linux 2.33+). `PROCSWEEP_SETPRIV` names
 * another setpriv; set to an empty string it turns the parent-death signal off.
 */
export function deathLink(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): DeathLink {
  const consequence = 'CMD will outlive run if run is SIGKILLed or crashes (a graceful stop still stops it)';
  if (platform !== 'linux') {
    return { prefix: [], tool: null, warning: `the parent-death signal is Linux-only: on ${platform} ${consequence}` };
  }
  const override = env.PROCSWEEP_SETPRIV;
  if (override === '') return { prefix: [], tool: null, warning: `PROCSWEEP_SETPRIV is empty, so no parent-death signal: ${consequence}` };
  const tool = override ?? whichAll('setpriv', env.PATH)[0] ?? null;
  if (tool === null || !executable(tool)) {
    const where = override ? `PROCSWEEP_SETPRIV=${override} is not an executable` : 'setpriv was not found on PATH';
    return { prefix: [], tool: null, warning: `${where} (install util-linux): ${consequence}` };
  }
  const help = spawnSync(tool, ['--help'], { encoding: 'utf8', timeout: 5000 });
  if (!`${help.stdout ?? ''}`.includes('--pdeathsig')) {
    return { prefix: [], tool: null, warning: `${tool} has no --pdeathsig (util-linux 2.33 or later has it): ${consequence}` };
  }
  return { prefix: [tool, '--pdeathsig', 'KILL', '--'], tool, warning: null };
}
