import { Chalk } from 'chalk';

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

/** Colours a flag by severity: zombie/orphan/duplicate red or yellow, benign ones dim. */
export function colorFlag(p: Palette, flag: string): string {
  switch (flag) {
    case 'orphan':
    case 'zombie':
    case 'abandoned':
      return p.red(flag);
    case 'duplicate':
    case 'untracked':
    case 'long-lived':
      return p.yellow(flag);
    case 'supervised':
    case 'tracked':
    case 'kept':
      return p.green(flag);
    default:
      return p.dim(flag);
  }
}
