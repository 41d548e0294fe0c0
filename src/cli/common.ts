import type { CommonOptions } from '../core/read/context.js';
import { libraryOptions } from '../core/options/spec.js';
import { colorLevel, processIO, unicodeLocale, writeWarning, type CliIO } from './io.js';
import { SHARED_OPTIONS, type SharedCliOptions } from './options.js';

export type { SharedCliOptions } from './options.js';

/** Maps parsed shared CLI options onto the library's CommonOptions: each spec names its library field. */
export function commonOptions(o: SharedCliOptions): CommonOptions {
  return { ...libraryOptions(SHARED_OPTIONS, o), onWarning: (m) => writeWarning(process.stderr, m) };
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
