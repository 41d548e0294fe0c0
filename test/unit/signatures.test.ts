import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basename, BUILTIN_SIGNATURES, hasBasename, matchProcess, parseSignatureSpec, resolveSignatures, scriptCommands, shellScript } from '../../src/core/decide/signatures.js';

const live = (...argv: string[]) => ({ argv, comm: argv[0]?.split('/').pop()!.slice(0, 15) ?? '', state: 'S' });
const sigs = [...BUILTIN_SIGNATURES];

test('built-ins match on argv[0] basename', () => {
  assert.deepEqual(matchProcess(sigs, live('ffmpeg', '-i', 'x')), { signature: 'ffmpeg', role: 'process' });
  assert.deepEqual(matchProcess(sigs, live('/usr/bin/ffmpeg', '-i', 'x')), { signature: 'ffmpeg', role: 'process' });
  assert.deepEqual(matchProcess(sigs, live('/usr/bin/srt-live-transmit', 'udp://:1', 'srt://:2')), { signature: 'srt-live-transmit', role: 'process' });
});

test('lookalikes never match', () => {
  for (const argv of [
    ['ffprobe', '-i', 'x'],
    ['/usr/bin/python3', '/usr/local/bin/ffmpeg-normalize', 'a.wav'],
    ['ffmpegthumbnailer', '-i', 'a.mp4'],
    ['vim', 'ffmpeg.conf'],
    ['grep', 'ffmpeg'],
    ['sh', '-c', 'vim ffmpeg.conf'],
    ['sh', '-c', 'echo ffmpeg; cat /etc/ffmpeg.conf'],
    ['bash', 'ffmpeg.sh'],
    ['ffmpeg.sh'],
  ]) {
    assert.equal(matchProcess(sigs, live(...argv)), null, argv.join(' '));
  }
});

test('comm-truncated names do not match a live process; zombies match by comm', () => {
  assert.equal(matchProcess(sigs, { argv: ['python3', 'x.py'], comm: 'srt-live-transm', state: 'S' }), null);
  assert.equal(matchProcess(sigs, { argv: [], comm: 'srt-live-transm', state: 'S' }), null);
  assert.deepEqual(matchProcess(sigs, { argv: [], comm: 'srt-live-transm', state: 'Z' }), { signature: 'srt-live-transmit', role: 'process' });
  assert.deepEqual(matchProcess(sigs, { argv: [], comm: 'ffmpeg', state: 'Z' }), { signature: 'ffmpeg', role: 'process' });
  assert.equal(matchProcess(sigs, { argv: [], comm: 'ffmpeg-normaliz', state: 'Z' }), null);
});

test('sh -c restart loops are wrappers of the binary they run', () => {
  const cases = [
    ['sh', '-c', 'while true; do ffmpeg -i rtsp://a -f rtsp rtsp://b; sleep 2; done'],
    ['/bin/bash', '-c', 'exec /usr/bin/ffmpeg -i x'],
    ['dash', '-ec', 'until false; do nohup ffmpeg -i x; done'],
    ['sh', '-c', 'FOO=1 ffmpeg -i x && echo done'],
    ['bash', '-lc', 'cd /tmp && srt-live-transmit udp://:1 srt://:2'],
  ];
  for (const argv of cases) {
    const m = matchProcess(sigs, live(...argv));
    assert.equal(m?.role, 'wrapper', argv.join(' '));
  }
  assert.equal(matchProcess(sigs, live(...cases[4]))?.signature, 'srt-live-transmit');
  assert.equal(shellScript(['sh', 'script.sh']), null);
  assert.equal(shellScript(['sh', '-c']), null);
  assert.deepEqual(scriptCommands('while true; do ffmpeg -i a; sleep 2; done').map((c) => c.word), ['true', 'ffmpeg', 'sleep']);
});

test('custom signatures: regex over the joined command line, wrappers too', () => {
  const gst = parseSignatureSpec('gst=^gst-launch-1\\.0 ');
  const all = resolveSignatures([gst]);
  assert.deepEqual(matchProcess(all, live('gst-launch-1.0', 'rtspsrc', '!', 'fakesink')), { signature: 'gst', role: 'process' });
  assert.deepEqual(matchProcess(all, live('sh', '-c', 'while :; do gst-launch-1.0 rtspsrc ! fakesink; done')), { signature: 'gst', role: 'wrapper' });
  assert.throws(() => parseSignatureSpec('nope'), /NAME=REGEX/);
  assert.throws(() => parseSignatureSpec('x=(['), /invalid regular expression/);
  assert.throws(() => parseSignatureSpec('bad name=x'), /letters, digits/);
  assert.throws(() => resolveSignatures([{ name: 'ffmpeg', pattern: /x/ }]), /defined twice/);
});

test('--match restricts and rejects unknown names', () => {
  assert.deepEqual(resolveSignatures([], ['srt-live-transmit']).map((s) => s.name), ['srt-live-transmit']);
  assert.throws(() => resolveSignatures([], ['gstreamer']), /unknown signature 'gstreamer'/);
});

test('hasBasename agrees with basename() === name', () => {
  const paths = ['', '/', 'ffmpeg', '/usr/bin/ffmpeg', './ffmpeg', 'ffmpeg/', '/opt/ffmpeg/x', 'xffmpeg', '/a/xffmpeg', 'a/b/ffmpeg', '//ffmpeg', 'procsweep.js', 'bin/procsweep.js', 'bin/procsweep', 'ffmpeg ', ' ffmpeg'];
  const names = ['', 'ffmpeg', 'procsweep', 'procsweep.js', 'a/ffmpeg', 'b/ffmpeg', '/'];
  for (const p of paths) for (const n of names) assert.equal(hasBasename(p, n), basename(p) === n, `${JSON.stringify(p)} ${JSON.stringify(n)}`);
});
