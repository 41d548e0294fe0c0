import { Chalk } from 'chalk';
import { flagRow, type Tone } from '../core/decide/flags.js';

/** The few styles procsweep uses; identity functions at level 0, so renderers never branch on colour. */
export interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  /** Whether the locale can show UTF-8 (box-drawing tree guides, sparkline bars); false draws ASCII. */
  unicode: boolean;
}

/** A palette for a colour level (0 = plain text); `unicode` false (LANG=C) draws ASCII guides. */
export function palette(level: 0 | 1 | 2 | 3, unicode = true): Palette {
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

/** Text in a tone's colour: a leak red, worth a look yellow, accounted for green, neutral dim. */
export function toned(p: Palette, tone: Tone | undefined, text: string): string {
  switch (tone) {
    case 'leak':
      return p.red(text);
    case 'look':
      return p.yellow(text);
    case 'fine':
      return p.green(text);
    default:
      return p.dim(text);
  }
}

/** Colours a flag by its tone in the flag table (another word, such as `wrapper`, dim). */
export function colorFlag(p: Palette, flag: string): string {
  return toned(p, flagRow(flag)?.tone, flag);
}
