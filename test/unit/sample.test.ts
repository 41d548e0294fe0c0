import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleCpu } from '../../src/core/read/sample.js';

test('sampleCpu: ticks read twice over the time between the reads; gone, reused or unknown is null', async () => {
  let clock = 0;
  let round = 0;
  const table: Record<number, Array<{ startTicks: number | null; cpuTicks: number | null } | null>> = {
    10: [{ startTicks: 5, cpuTicks: 100 }, { startTicks: 5, cpuTicks: 150 }], // 50 ticks (0.5 s) in 1 s: 50%
    11: [{ startTicks: 5, cpuTicks: 100 }, { startTicks: 5, cpuTicks: 100 }], // idle
    12: [{ startTicks: 5, cpuTicks: 100 }, null], // gone
    13: [{ startTicks: 5, cpuTicks: 100 }, { startTicks: 9, cpuTicks: 400 }], // pid reused
    14: [{ startTicks: 5, cpuTicks: null }, { startTicks: 5, cpuTicks: null }], // counters unknown
    15: [{ startTicks: 5, cpuTicks: 0 }, { startTicks: 5, cpuTicks: 300 }], // three CPUs' worth
  };
  const targets = Object.keys(table).map((pid) => ({ pid: Number(pid), startTicks: 5 }));
  const got = await sampleCpu(targets, 1000, 100, {
    read: async (pid) => table[pid][round],
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
      round = 1;
    },
  });
  assert.deepEqual(Object.fromEntries(got), { 10: 50, 11: 0, 12: null, 13: null, 14: null, 15: 300 });
  assert.equal((await sampleCpu([], 1000, 100, { read: async () => null, now: () => 0, sleep: () => assert.fail('nothing to sample: no wait') })).size, 0);
});
