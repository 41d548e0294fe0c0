import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONTRIB, realExported, selectors, unknownSeries } from '../helpers/contrib.js';

// contrib/grafana: every query of the dashboard (panels and the host variable) asks for series a
// real `procsweep watch` scan exports, with label names and values it writes.
const dash = JSON.parse(readFileSync(join(CONTRIB, 'grafana', 'procsweep-dashboard.json'), 'utf8'));

interface Panel {
  id: number;
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}
const panels: Panel[] = (dash.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);

test('every panel query asks for series procsweep exports', () => {
  const exported = realExported();
  const queried = new Set<string>();
  for (const p of panels) {
    if (p.type === 'row') continue;
    assert.ok(p.targets?.length, `${p.title}: no query`);
    for (const t of p.targets!) {
      assert.deepEqual(unknownSeries(t.expr, exported), [], `${p.title} (${t.refId}): ${t.expr}`);
      for (const s of selectors(t.expr)) queried.add(s.name);
    }
  }
  // Leaks, expect, kills, zombies, fds, staleness all have a panel.
  for (const n of ['procsweep_orphans', 'procsweep_zombies', 'procsweep_expected_processes', 'procsweep_kills_total', 'procsweep_fd_limit_usage_ratio', 'procsweep_last_scan_timestamp_seconds']) {
    assert.ok(queried.has(n), `no panel shows ${n}`);
  }
  // The check itself catches a wrong name or label value.
  assert.equal(unknownSeries('sum(procsweep_leaked{instance=~"$instance"})', exported).length, 1);
  assert.equal(unknownSeries('procsweep_processes_flagged{flag=~"orphan|leaked"}', exported).length, 1);
});

test('the host variable reads a procsweep series; panels use the datasource variable and do not overlap', () => {
  const exported = realExported();
  const vars = dash.templating.list as { name: string; type: string; query: any }[];
  const host = vars.find((v) => v.name === 'instance')!;
  const m = /^label_values\((\w+), *instance\)$/.exec(host.query.query);
  assert.ok(m, host.query.query);
  assert.ok(exported.has(m[1]), `${m[1]} is not exported`);
  assert.ok(vars.some((v) => v.name === 'datasource' && v.type === 'datasource'));
  const ids = new Set<number>();
  const cells = new Map<string, string>();
  for (const p of panels) {
    assert.ok(!ids.has(p.id), `duplicate panel id ${p.id}`);
    ids.add(p.id);
    for (const t of p.targets ?? []) assert.equal((t as { datasource?: { uid: string } }).datasource?.uid, '${datasource}', p.title);
    const g = p.gridPos;
    assert.ok(g.x >= 0 && g.x + g.w <= 24, `${p.title}: outside the 24-column grid`);
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const k = `${x},${y}`;
        assert.ok(!cells.has(k), `${p.title} overlaps ${cells.get(k)}`);
        cells.set(k, p.title);
      }
    }
  }
});
