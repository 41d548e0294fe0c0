import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatSpan } from '../../src/core/duration.js';
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS, DEFAULT_GRACE_MS, DEFAULT_KILL_WAIT_MS, describeEscalation } from '../../src/core/act/escalation/timing.js';

// The escalation's timing lives in escalation/timing.ts; the help, the plan line, the README and
// the man page all state it, and must say what the constants say.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const DEFAULT_GRACE_TEXT = formatSpan(DEFAULT_GRACE_MS);
const man = readFileSync(new URL('../../man/procsweep.1', import.meta.url), 'utf8');

test('the default grace, the backoff and the kill wait are stated in the docs as the constants say', () => {
  assert.ok(readme.includes(`\`--grace DUR\` | how long SIGTERM gets before SIGKILL (default ${DEFAULT_GRACE_TEXT})`));
  assert.ok(man.includes(`How long SIGTERM gets before SIGKILL (default ${DEFAULT_GRACE_TEXT}).`));
  assert.ok(readme.includes(`poll with backoff (${BACKOFF_FIRST_MS} ms doubling to ${BACKOFF_MAX_MS} ms)`));
  assert.ok(man.includes(`with a backoff from ${BACKOFF_FIRST_MS}ms doubling to ${BACKOFF_MAX_MS}ms`));
  assert.ok(readme.includes(`alive\n  ${formatSpan(DEFAULT_KILL_WAIT_MS)} after SIGKILL`));
  assert.ok(man.includes(`still alive ${formatSpan(DEFAULT_KILL_WAIT_MS)} after SIGKILL`));
});

test('the plan line names the escalation and its grace', () => {
  assert.equal(describeEscalation('SIGTERM'), `SIGSTOP, SIGTERM, SIGCONT; SIGKILL after ${DEFAULT_GRACE_TEXT} if still alive`);
  assert.equal(describeEscalation('SIGINT', 500), 'SIGSTOP, SIGINT, SIGCONT; SIGKILL after 500ms if still alive');
  assert.equal(describeEscalation('SIGKILL', 500), 'SIGSTOP, SIGKILL');
});
