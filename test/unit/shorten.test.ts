import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipWord, commandShortener, shortenCommands } from '../../src/render/shorten.js';
import { renderTable, type Column } from '../../src/render/table.js';
import { COMMAND_COLUMN } from '../../src/render/shorten.js';

// Three leaked ffmpeg that differ only in their input and output (#15 item 2).
const lines = ['red', 'green', 'blue'].map((c) => `/usr/bin/ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i color=c=${c}:size=32x32:rate=5 -metadata comment=psw-abc -f nut /tmp/psw-x/out-${c}.nut`);

test('a line that fits is kept whole', () => {
  assert.deepEqual(shortenCommands(lines, 200), lines);
});

test('shortened, the rows keep their input and output and drop the shared noise', () => {
  for (const width of [120, 80, 60, 40, 30]) {
    const out = shortenCommands(lines, width);
    out.forEach((l, i) => {
      assert.ok(l.length <= width, `${width}: ${l}`);
      assert.match(l, /^ffmpeg /, 'the program, without its directory');
      assert.ok(l.includes(['red', 'green', 'blue'][i].slice(0, 4)), `${width}: the colour that tells row ${i} apart is kept: ${l}`);
    });
    assert.equal(new Set(out).size, 3, `${width}: three different cells: ${out.join(' | ')}`);
  }
  const at80 = shortenCommands(lines, 80);
  assert.equal(at80[0], 'ffmpeg -nostdin … -i color=c=red:size=32x32:rate=5 … /tmp/psw-x/out-red.nut');
  assert.doesNotMatch(at80[0], /-loglevel|-hide_banner/);
});

test('with room to spare the shared noise is given back from the left', () => {
  const [red] = shortenCommands(lines, 120);
  assert.match(red, /^ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i color=c=red/);
  assert.match(red, /out-red\.nut$/);
});

test('one row alone keeps its inputs and outputs (URLs, the word after -i, the last word)', () => {
  const [srt] = shortenCommands(['/usr/bin/srt-live-transmit -v -loglevel info -chunk 1316 udp://127.0.0.1:5000 srt://:6000?mode=listener'], 66);
  assert.equal(srt, 'srt-live-transmit … udp://127.0.0.1:5000 srt://:6000?mode=listener');
  const [wrapper] = shortenCommands(['sh -c while true; do ffmpeg -nostdin -loglevel error -i rtsp://cam5/main -c copy -f rtsp rtsp://127.0.0.1:8554/cam5; sleep 2; done'], 60);
  assert.match(wrapper, /rtsp:\/\/cam5\/main/);
  assert.doesNotMatch(wrapper, /done$/, 'a shell keyword is not an output');
});

test('a word that must be cut keeps the part that differs', () => {
  assert.equal(clipWord('rtsp://127.0.0.1:8554/cam4', 25, 26, 10, '…'), '…8554/cam4');
  const mid = clipWord('color=c=green:size=32x32:rate=5', 8, 13, 9, '…');
  assert.ok(mid.includes('green') && mid.length <= 9, mid);
  assert.equal(clipWord('abc', 0, 1, 10, '…'), 'abc');
});

test('under LANG=C the shortened lines use ... and never …', () => {
  for (const l of shortenCommands(lines, 50, false)) {
    assert.doesNotMatch(l, /…/);
    assert.match(l, /\.\.\./);
    assert.ok(l.length <= 50, l);
  }
});

test('every width, however small, gives a line no longer than it', () => {
  const s = commandShortener([...lines, '[ffmpeg]', 'sh -c x'], true);
  for (let w = 0; w < 140; w++) for (let i = 0; i < 5; i++) assert.ok(s(i, w).length <= w, `${w}/${i}: ${s(i, w)}`);
});

test('a narrow table leaves columns out instead of wrapping: the header stays whole', () => {
  const cols: Column[] = [
    { header: 'PID', align: 'right' }, { header: 'PPID', align: 'right', drop: 2 }, { header: 'STATE', drop: 1 },
    { header: 'FLAGS' }, { ...COMMAND_COLUMN, min: 24 },
  ];
  const rows = lines.map((l, i) => [String(100 + i), '1', 'S', 'orphan', l]);
  const wide = renderTable(cols, rows, 140);
  assert.match(wide.split('\n')[0], /^PID\s+PPID\s+STATE\s+FLAGS\s+COMMAND$/);
  const narrow = renderTable(cols, rows, 40);
  assert.match(narrow.split('\n')[0], /^PID\s+FLAGS\s+COMMAND$/, narrow);
  for (const l of narrow.split('\n')) assert.ok(l.length <= 40, l);
  assert.equal(new Set(narrow.split('\n').slice(1).map((l) => l.slice(13))).size, 3, narrow);
  // The style callback still gets the caller's column numbers.
  const seen = new Set<number>();
  renderTable(cols, rows, 40, (_r, c, t) => (seen.add(c), t));
  assert.deepEqual([...seen].sort(), [0, 3, 4]);
});

test('a value only one row has (-metadata title=cam) is what stays, not its option', () => {
  const a = 'ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=32x32:rate=2 -f null -';
  const b = 'ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=32x32:rate=2 -metadata title=newbie-MARK -f null -';
  for (const width of [30, 35, 40]) {
    const [, sb] = shortenCommands([a, b], width);
    assert.ok(sb.length <= width);
    assert.match(sb, /title=newbie-MARK/, `width ${width}: ${sb}`);
  }
});
