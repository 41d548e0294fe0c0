import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeLabelValue, exposition, fdMetrics, formatValue, watchMetrics } from '../../src/core/watch/metrics.js';
import type { WatchedProcess } from '../../src/core/watch/watcher.js';
import { checkMetrics, promtoolPath } from '../helpers/promtool.js';
import { sampleTick } from '../helpers/watch-tick.js';

const PROMTOOL = promtoolPath();
if (!PROMTOOL && process.env.CI) throw new Error('CI validates the metrics with promtool, but promtool was not found (.ci/run extracts it)');
const NO_PROMTOOL = PROMTOOL ? false : 'promtool not found (.ci/run extracts it from Debian\'s prometheus package)';

test('values and label values are written as the text format wants them', () => {
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const text = exposition([{ name: 'x_total', type: 'counter', help: 'back\\slash\nnewline', samples: [{ labels: { v: 'q"\\\n' }, value: 1 }] }]);
  assert.equal(text, '# HELP x_total back\\\\slash\\nnewline\n# TYPE x_total counter\nx_total{v="q\\"\\\\\\n"} 1\n');
  assert.throws(() => exposition([{ name: 'bad-name', type: 'gauge', help: 'h', samples: [] }]), /invalid metric name/);
  assert.throws(() => exposition([{ name: 'ok', type: 'gauge', help: 'h', samples: [{ labels: { __x: 'y' }, value: 1 }] }]), /invalid label name/);
});

test('watch metrics carry processes by signature and flag, zombies, orphans, kills, scans, alarms', () => {
  const text = exposition(watchMetrics(sampleTick(), { expect: new Map([['ffmpeg', 1]]), pidfiles: { live: 2, dead: 1 }, pidfilesRemoved: 3 }));
  const has = (line: string): void => assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
  has('procsweep_processes{signature="ffmpeg"} 3');
  has('procsweep_processes{signature="srt-live-transmit"} 0');
  has('procsweep_processes_flagged{signature="ffmpeg",flag="orphan"} 1');
  has('procsweep_processes_flagged{signature="ffmpeg",flag="zombie"} 1');
  has('procsweep_processes_flagged{signature="srt-live-transmit",flag="duplicate"} 0');
  has('procsweep_orphans 1');
  has('procsweep_zombies 1');
  has('procsweep_expected_processes{signature="ffmpeg"} 1');
  has('procsweep_pidfiles{status="dead"} 1');
  has('procsweep_pidfiles_removed_total 3');
  has('procsweep_kills_total{outcome="killed"} 1');
  has('procsweep_kills_total{outcome="terminated"} 0');
  has('procsweep_alarms{kind="expect"} 1');
  has('procsweep_alarms_raised_total{kind="expect"} 1');
  has('procsweep_scan_duration_seconds 0.003');
  has('procsweep_system_open_files 500');
  // Every family once, HELP before TYPE before samples.
  const types = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
  assert.equal(new Set(types).size, types.length);
});

test('descriptor pressure: open fds summed, the worst fds/RLIMIT_NOFILE share per signature, NaN when unknown', () => {
  const wp = (pid: number, signature: string, fds: number | null, fdLimit: number | null, state = 'S'): WatchedProcess => ({
    pid, startTicks: pid, signature, role: 'process', argv: [signature], ppid: 1, state, flags: [], startedAt: null, cpuPercent: null, rssBytes: null, threads: null, fds, fdLimit,
  });
  const fams = fdMetrics(['ffmpeg', 'gst', 'srt-live-transmit', 'x'], [
    wp(10, 'ffmpeg', 900, 1024), wp(11, 'ffmpeg', 100, 4096), wp(12, 'ffmpeg', null, 1024), wp(13, 'ffmpeg', 0, null, 'Z'),
    wp(20, 'gst', null, null),
    wp(30, 'x', 5, Infinity),
  ]);
  const text = exposition(fams);
  const has = (line: string): void => assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
  has('procsweep_open_fds{signature="ffmpeg"} 1000');
  has('procsweep_fd_limit_usage_ratio{signature="ffmpeg"} 0.8789');
  has('procsweep_open_fds{signature="gst"} NaN');
  has('procsweep_fd_limit_usage_ratio{signature="gst"} NaN');
  has('procsweep_open_fds{signature="srt-live-transmit"} 0');
  has('procsweep_fd_limit_usage_ratio{signature="srt-live-transmit"} 0');
  has('procsweep_open_fds{signature="x"} 5');
  has('procsweep_fd_limit_usage_ratio{signature="x"} 0');
  // A tick carries them for every signature.
  const tick = exposition(watchMetrics(sampleTick()));
  assert.match(tick, /^procsweep_fd_limit_usage_ratio\{signature="srt-live-transmit"\} 0$/m);
  assert.match(tick, /^procsweep_open_fds\{signature="ffmpeg"\} /m);
});

test('promtool check metrics accepts the exposition', { skip: NO_PROMTOOL }, () => {
  const text = exposition(watchMetrics(sampleTick(), { expect: new Map([['ffmpeg', 1]]), pidfiles: { live: 2, dead: 1 }, pidfilesRemoved: 0 }));
  const r = checkMetrics(PROMTOOL!, text);
  assert.ok(r.ok, r.output);
  assert.equal(r.output, '', 'no lint warnings');
});
