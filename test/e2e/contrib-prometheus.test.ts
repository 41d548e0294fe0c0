import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CONTRIB, readYaml, realExported, selectors, unknownSeries } from '../helpers/contrib.js';
import { needs } from '../helpers/needs.js';
import { promtoolPath } from '../helpers/promtool.js';

// contrib/prometheus: the alerting rules pass `promtool check rules`, their unit tests pass
// `promtool test rules`, each alert's test bites (an alert that never fires fails it), and every
// expression queries series a real `procsweep watch` exports.
const DIR = join(CONTRIB, 'prometheus');
const RULES = join(DIR, 'procsweep-rules.yml');
const TESTS = join(DIR, 'procsweep-rules.test.yml');
const PROMTOOL = promtoolPath() ?? 'promtool';
const work = mkdtempSync(join(tmpdir(), 'psw-rules-'));
after(() => rmSync(work, { recursive: true, force: true }));

const promtool = (args: string[], cwd = DIR) => {
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', maxBuffer: Infinity });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

describe('contrib/prometheus alerting rules', { skip: needs(PROMTOOL) }, () => {
  test('promtool check rules accepts them', () => {
    const r = promtool(['check', 'rules', RULES]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS: \d+ rules found/);
  });

  test('promtool test rules: every unit test passes', () => {
    const r = promtool(['test', 'rules', TESTS]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
    assert.doesNotMatch(r.out, /FAILED/);
  });

  test('every alert has a test that fails when the alert never fires', { skip: needs('python3') }, () => {
    const groups = readYaml(RULES)[0].groups as { rules: { alert: string; expr: string }[] }[];
    const alerts = groups.flatMap((g) => g.rules);
    assert.ok(alerts.length >= 8, 'leaks, expect, kills, zombies, fds, stale, down');
    const text = readFileSync(RULES, 'utf8');
    copyFileSync(TESTS, join(work, 'procsweep-rules.test.yml'));
    for (const a of alerts) {
      // The rule file is one expression per line: break this alert's, keep the rest.
      const at = text.indexOf(`- alert: ${a.alert}\n`);
      assert.ok(at >= 0, a.alert);
      const exprAt = text.indexOf('expr: ', at);
      const eol = text.indexOf('\n', exprAt);
      assert.equal(text.slice(exprAt + 6, eol), a.expr, `${a.alert}: one-line expr`);
      writeFileSync(join(work, 'procsweep-rules.yml'), `${text.slice(0, exprAt)}expr: vector(0) > 1${text.slice(eol)}`);
      const r = promtool(['test', 'rules', 'procsweep-rules.test.yml'], work);
      assert.notEqual(r.code, 0, `${a.alert} never fires, yet the unit tests pass: it has no test`);
      assert.match(r.out, new RegExp(`alertname: ${a.alert}`), r.out);
    }
  });

  test('every expression queries series procsweep exports (from a real watch scan)', { skip: needs('python3') }, () => {
    const exported = realExported();
    const groups = readYaml(RULES)[0].groups as { rules: { alert: string; expr: string }[] }[];
    const names = new Set<string>();
    for (const r of groups.flatMap((g) => g.rules)) {
      assert.deepEqual(unknownSeries(r.expr, exported, ['up']), [], `${r.alert}: ${r.expr}`);
      for (const s of selectors(r.expr)) names.add(s.name);
    }
    // The reader sees what it should: a sabotaged expression is caught.
    assert.deepEqual(unknownSeries('procsweep_orphan_count > 0', exported), ['procsweep_orphan_count: procsweep does not export it']);
    assert.equal(unknownSeries('procsweep_processes_flagged{flag="orphans"} > 0', exported).length, 1);
    assert.equal(unknownSeries('increase(procsweep_kills_total{outcome=~"survived|died"}[5m]) > 0', exported).length, 1);
    for (const n of ['procsweep_processes_flagged', 'procsweep_expected_processes', 'procsweep_kills_total', 'procsweep_fd_limit_usage_ratio', 'procsweep_last_scan_timestamp_seconds', 'up']) {
      assert.ok(names.has(n), `no rule queries ${n}`);
    }
  });
});
