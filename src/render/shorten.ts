import { ellipsis, truncate, type Column } from './table.js';

/**
 * Shortening command lines so the rows stay told apart. Three leaked ffmpeg that differ only in
 * their input and output all begin `ffmpeg -nostdin -loglevel error -re -f lavfi …`: cutting the
 * end off leaves three identical cells. Instead the words are ranked and the low ones go first,
 * a run of dropped words becoming one ellipsis:
 *
 * - the program (argv[0], without its directory once the line is shortened at all);
 * - words that differ between the rows running the same program (a camera name, a port);
 * - inputs and outputs: the word after `-i`, URLs (`rtsp://`, `srt://…`, `pipe:1`), paths, and
 *   the last word (ffmpeg's output, srt-live-transmit's target);
 * - the option right before a kept word (`-i`, `-metadata`);
 * - everything else, the noise every row shares, dropped first and put back from the left
 *   while it fits.
 *
 * A kept word still too long is cut around the part that differs from its closest counterpart in
 * the other rows (`…cam4`, `…=red:…`); only when even that does not fit is the line cut at the end.
 */

/** A URL, an ffmpeg protocol (`pipe:1`, `udp:…`), or a path: where a worker reads or writes. */
const IO_WORD = /^(?:[a-z][a-z0-9+.-]*:\/\/|(?:pipe|udp|tcp|srt|rtp|rtsp|rtmps?|file|unix|fd):|\.{0,2}\/[^/])/i;

/** Words that end a shell script (`sh -c 'while …; done'`): not an output, though last. */
const SHELL_WORD = /^(?:done|fi|esac|true|false|wait|exit|\}|\))$/;

/** Rank of a word: higher is kept longer. */
const PROGRAM = 4;
const DISTINCT = 3;
const IO = 2;
const OPTION = 1;
const NOISE = 0;

/** The words of a command line (its escaped text split at spaces). */
function wordsOf(line: string): string[] {
  return line.split(' ');
}

function basename(word: string): string {
  const i = word.lastIndexOf('/');
  return i >= 0 && i < word.length - 1 ? word.slice(i + 1) : word;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i < max && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/** One word of a row, ranked, with the span [from, to) that tells it from the other rows (empty when nothing does). */
interface Word {
  text: string;
  rank: number;
  from: number;
  to: number;
}

/** Whether a word held by `held` of `rows` rows tells them apart: one row's own, or held by half of them at most (`-nostdin` missing from one row does not). */
function telling(held: number, rows: number): boolean {
  return rows > 1 && held < rows && (held === 1 || held * 2 <= rows);
}

/** The ranked words of each line; rows are compared with the others that run the same program. */
function rankLines(lines: readonly string[]): Word[][] {
  const split = lines.map(wordsOf);
  const groups = new Map<string, number[]>();
  split.forEach((w, i) => {
    const key = basename(w[0] ?? '');
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const ranked: Word[][] = [];
  for (const members of groups.values()) {
    // How many rows of the group hold each word: fewer than all means it tells rows apart.
    const holders = new Map<string, number>();
    for (const i of members) for (const w of new Set(split[i])) holders.set(w, (holders.get(w) ?? 0) + 1);
    // The group's words in order: a word's closest counterpart (longest common prefix) is a neighbour.
    const sorted = [...holders.keys()].sort();
    const at = new Map(sorted.map((w, k) => [w, k]));
    for (const i of members) {
      const ws = split[i];
      const words: Word[] = ws.map((text, k) => {
        let rank = NOISE;
        if (k === 0) rank = PROGRAM;
        else if (telling(holders.get(text) ?? 0, members.length)) rank = DISTINCT;
        else if (IO_WORD.test(text) || ws[k - 1] === '-i' || (k === ws.length - 1 && !text.startsWith('-') && !SHELL_WORD.test(text))) rank = IO;
        const near = rank === DISTINCT ? [sorted[at.get(text)! - 1], sorted[at.get(text)! + 1]].filter((w) => w !== undefined) : [];
        return { text, rank, ...distinctSpan(text, near) };
      });
      // The option naming a kept value (`-i URL`, `-metadata title=cam3`) is worth keeping next;
      // when only one row has it, its value is what tells that row apart, not the option itself.
      for (let k = 1; k < words.length - 1; k++) {
        const option = /^-{1,2}[A-Za-z]/.test(words[k].text);
        if (option && (words[k].rank === NOISE || words[k].rank === DISTINCT) && words[k + 1].rank >= (words[k].rank === DISTINCT ? DISTINCT : IO)) words[k].rank = OPTION;
      }
      ranked[i] = words;
    }
  }
  return ranked;
}

/** The part of `word` that differs from its closest counterpart among `near` (the one sharing the longest prefix). */
function distinctSpan(word: string, near: readonly string[]): { from: number; to: number } {
  if (near.length === 0) {
    // Nothing to compare with: a URL's query is its least telling part, otherwise the tail is kept.
    const q = word.indexOf('?');
    return q > 0 ? { from: 0, to: q } : { from: word.length, to: word.length };
  }
  let best = '';
  let cp = -1;
  for (const o of near) {
    const n = commonPrefix(word, o);
    if (n > cp) {
      cp = n;
      best = o;
    }
  }
  const cs = commonSuffix(word, best, Math.min(word.length, best.length) - cp);
  return { from: cp, to: Math.max(cp, word.length - cs) };
}

/** `word` cut to `n` characters around its distinct span, the cuts marked with `mark`; the tail when nothing differs. */
export function clipWord(word: string, from: number, to: number, n: number, mark: string): string {
  if (word.length <= n) return word;
  const room = n - mark.length;
  if (room <= 0) return mark.slice(0, n);
  if (word.length - from <= room) return mark + word.slice(word.length - room);
  if (to <= room) return word.slice(0, room) + mark;
  const inner = Math.max(1, n - 2 * mark.length);
  const start = Math.min(word.length - inner - 1, from - Math.max(0, Math.floor((inner - (to - from)) / 2)));
  if (start <= 0) return word.slice(0, room) + mark;
  return mark + word.slice(start, start + inner) + mark;
}

/** The kept words in order, each run of dropped words one `mark` (none beside a word whose own cut is marked on that side). */
function join(words: readonly string[], keep: readonly boolean[], mark: string): string {
  const out: string[] = [];
  words.forEach((w, k) => {
    if (keep[k]) {
      if (out[out.length - 1] === mark && w.startsWith(mark)) out.pop();
      out.push(w);
    } else if (out[out.length - 1] !== mark && !out[out.length - 1]?.endsWith(mark)) out.push(mark);
  });
  return out.join(' ');
}

/** The length `join` would give, without building the string (it is asked many times per line). */
function joinedLength(words: readonly string[], keep: readonly boolean[], mark: string): number {
  let len = 0;
  let parts = 0;
  let last: 'mark' | 'word' | 'cut' | null = null;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (keep[k]) {
      if (last === 'mark' && w.startsWith(mark)) {
        len -= mark.length;
        parts--;
      }
      len += w.length;
      parts++;
      last = w.endsWith(mark) ? 'cut' : 'word';
    } else if (last !== 'mark' && last !== 'cut') {
      len += mark.length;
      parts++;
      last = 'mark';
    }
  }
  return len + Math.max(0, parts - 1);
}

/** One line shortened to `width`, given its ranked words. */
function shortenLine(line: string, ranked: readonly Word[], width: number, unicode: boolean): string {
  if (line.length <= width) return line;
  const mark = ellipsis(unicode);
  // A line that is shortened at all loses the program's directory first: it is the same noise on every row.
  const texts = ranked.map((w, k) => (k === 0 ? basename(w.text) : w.text));
  const keep = ranked.map((w) => w.rank > NOISE);
  const fits = (): boolean => joinedLength(texts, keep, mark) <= width;
  if (fits()) {
    // Room left: give the shared noise back from the left, as much as fits in one piece.
    for (let k = 0; k < ranked.length; k++) {
      if (keep[k]) continue;
      keep[k] = true;
      if (!fits()) {
        keep[k] = false;
        break;
      }
    }
    return join(texts, keep, mark);
  }
  // Give way in order: options, then inputs and outputs every row shares (those are cut, not
  // dropped, when nothing else tells the rows apart).
  const distinct = ranked.some((w) => w.rank === DISTINCT);
  for (const rank of distinct ? [OPTION, IO] : [OPTION]) {
    for (let k = 1; k < ranked.length && !fits(); k++) if (ranked[k].rank === rank) keep[k] = false;
  }
  // Then cut the longest kept words around what tells them apart: gently (12 characters each)
  // before dropping any telling word but the first, then down to 6.
  const clip = (floor: number): boolean => {
    for (let k = 1; k < ranked.length; k++) texts[k] = ranked[k].text;
    const done = new Set<number>();
    while (!fits()) {
      let longest = -1;
      for (let k = 1; k < ranked.length; k++) if (keep[k] && !done.has(k) && texts[k].length > floor && (longest < 0 || texts[k].length > texts[longest].length)) longest = k;
      if (longest < 0) return false;
      const w = ranked[longest];
      const least = Math.max(floor, w.rank === DISTINCT ? w.to - w.from + 2 * mark.length : 0);
      const cut = clipWord(w.text, w.from, w.to, Math.max(least, texts[longest].length - (joinedLength(texts, keep, mark) - width)), mark);
      if (cut.length >= texts[longest].length) done.add(longest);
      else texts[longest] = cut;
    }
    return true;
  };
  if (!clip(12)) {
    const telling = ranked.map((_w, k) => k).filter((k) => keep[k] && ranked[k].rank === DISTINCT);
    for (const k of telling.slice(1).reverse()) {
      keep[k] = false;
      if (clip(12)) break;
    }
    if (!fits() && !clip(6)) {
      // Still too long: drop kept words, the lower ranks and then the rightmost first.
      const kept = ranked.map((_w, k) => k).filter((k) => k > 0 && keep[k]).sort((a, b) => ranked[a].rank - ranked[b].rank || b - a);
      for (const k of kept) {
        if (fits()) break;
        keep[k] = false;
      }
    }
  }
  // Dropping may have overshot: put back what fits, the higher ranks first.
  const order = ranked.map((w, k) => k).filter((k) => !keep[k] && ranked[k].rank > NOISE).sort((a, b) => ranked[b].rank - ranked[a].rank || a - b);
  for (const k of order) {
    keep[k] = true;
    if (!fits()) keep[k] = false;
  }
  return truncate(join(texts, keep, mark), width, unicode);
}

/**
 * A shortener for a set of command lines shown together (a table, a plan, a picker): call it
 * with a row's index and the room for it. Lines are the escaped text the terminal shows.
 */
export function commandShortener(lines: readonly string[], unicode = true): (row: number, width: number) => string {
  let ranked: Word[][] | null = null;
  return (row, width) => {
    const line = lines[row];
    if (line.length <= width) return line;
    ranked ??= rankLines(lines);
    return shortenLine(line, ranked[row], width, unicode);
  };
}

/** Every line shortened to `width`, keeping what tells the rows apart (see above). */
export function shortenCommands(lines: readonly string[], width: number, unicode = true): string[] {
  const s = commandShortener(lines, unicode);
  return lines.map((_l, i) => s(i, width));
}

/** A table's COMMAND column: the flex column, shortened keeping what tells the rows apart. */
export const COMMAND_COLUMN: Column = { header: 'COMMAND', flex: true, shorten: shortenCommands };
