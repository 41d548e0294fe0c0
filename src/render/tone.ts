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

const same = (s: string): string => s;

/** The palette of colour level 0: every style returns its text as is (as chalk does at level 0), no colour library needed. */
export function plainPalette(unicode = true): Palette {
  return { red: same, yellow: same, green: same, cyan: same, dim: same, bold: same, unicode };
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
