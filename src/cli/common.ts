import type { CommonOptions } from '../core/context.js';
import type { BackendName } from '../core/types.js';
import { colorLevel, processIO, unicodeLocale, writeWarning, type CliIO } from './io.js';

/** The shared options as commander parses them. */
export interface SharedCliOptions {
  json?: boolean;
  color?: boolean;
  procRoot?: string;
  backend?: BackendName;
  signature?: string[];
  match?: string[];
  args?: string;
  user?: string;
  pidDir?: string[];
  registry?: string[];
  config?: string;
  port?: string[];
  holds?: string[];
  unit?: string;
  container?: string;
  owner?: string;
  keep?: string[];
}

/** Maps parsed shared CLI options onto the library's CommonOptions. */
export function commonOptions(o: SharedCliOptions): CommonOptions {
  return {
    procRoot: o.procRoot,
    backend: o.backend,
    signatures: o.signature,
    match: o.match,
    args: o.args,
    user: o.user,
    pidDirs: o.pidDir,
    registries: o.registry,
    config: o.config,
    onWarning: (m) => writeWarning(process.stderr, m),
    ports: o.port,
    holds: o.holds,
    unit: o.unit,
    container: o.container,
    owner: o.owner,
    keep: o.keep,
  };
}

/** IO plus the colour level chosen for stdout and stderr. */
export interface CommandEnv {
  io: CliIO;
  json: boolean;
  colorOut: 0 | 1 | 2 | 3;
  colorErr: 0 | 1 | 2 | 3;
  /** The locale shows UTF-8 (else trees and sparklines are drawn in ASCII). */
  unicode: boolean;
}

/** Gathers the terminal facts and colour levels for a command run. */
export function commandEnv(o: SharedCliOptions, io: CliIO = processIO()): CommandEnv {
  return {
    io,
    json: Boolean(o.json),
    colorOut: colorLevel(o.color, io.env, io.stdoutIsTTY),
    colorErr: colorLevel(o.color, io.env, io.stderrIsTTY),
    unicode: unicodeLocale(io.env),
  };
}
