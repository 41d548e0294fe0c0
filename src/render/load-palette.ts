import { plainPalette, type Palette } from './tone.js';

/**
 * The palette for a colour level, loading chalk only when there is colour to draw: plain output
 * (a pipe, cron, --no-color, NO_COLOR) never pays its start-up.
 */
export async function loadPalette(level: 0 | 1 | 2 | 3, unicode = true): Promise<Palette> {
  if (level === 0) return plainPalette(unicode);
  return (await import('./palette.js')).palette(level, unicode);
}
