import { Chalk } from 'chalk';
import { plainPalette, type Palette } from './tone.js';

// Renderers take the Palette type and the tone helpers from tone.ts, which loads no colour
// library; they are re-exported here for callers that build a palette.
export { colorFlag, plainPalette, toned, type Palette } from './tone.js';

/** A palette for a colour level (0 = plain text); `unicode` false (LANG=C) draws ASCII guides. */
export function palette(level: 0 | 1 | 2 | 3, unicode = true): Palette {
  if (level === 0) return plainPalette(unicode);
  const c = new Chalk({ level });
  return {
    red: (s) => c.red(s),
    yellow: (s) => c.yellow(s),
    green: (s) => c.green(s),
    cyan: (s) => c.cyan(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    unicode,
  };
}
