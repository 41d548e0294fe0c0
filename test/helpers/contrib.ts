// What the contrib/ tests share: the metric names and label values a real `procsweep watch`
// exports, a small PromQL selector reader to hold the shipped queries against them, and YAML
// read through python3's yaml module (Debian's ansible-core brings it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, marker } from './procs.js';

/** The repository's contrib/ directory. */
export const CONTRIB = join(import.meta.dirname, '..', '..', 'contrib');

/** Metric name -> label name -> values seen. */
export type Exported = Map<string, Map<string, Set<string>>>;

/** Parses a text exposition into the names and label values it carries. */
export function parseExposition(text: string): Exported {
  const out: Exported = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? /.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels = out.get(m[1]) ?? new Map<string, Set<string>>();
    out.set(m[1], labels);
    for (const [, k, v] of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const vals = labels.get(k) ?? new Set<string>();
      vals.add(v);
      labels.set(k, vals);
    }
  }
  return out;
}

let cached: Exported | null = null;

/**
 * The series one real `procsweep watch` scan writes to its --metrics-file, with every optional
 * family switched on (--expect, a --pid-dir). Scoped by a marker that matches nothing: a watch
 * without --sweep signals nobody anyway. Needs the built binary.
 */
export function realExported(): Exported {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'psw-expo-'));
  try {
    const pids = join(dir, 'pids');
    mkdirSync(pids);
    const file = join(dir, 'procsweep.prom');
    const r = cli(['watch', '--json', '--count', '2', '--interval', '100ms', '--expect', 'ffmpeg=1', '--pid-dir', pids, '--args', marker('expo'), '--metrics-file', file]);
    assert.equal(r.code, 0, r.stderr);
    cached = parseExposition(readFileSync(file, 'utf8'));
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One metric selector of a PromQL expression: the name and its label matchers. */
export interface Selector {
  name: string;
  matchers: { label: string; op: '=' | '!=' | '=~' | '!~'; value: string }[];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric selectors of a PromQL expression (enough PromQL for dashboards and alert rules):
 * grouping clauses, ranges, strings outside matchers and Grafana `$variables` are set aside;
 * an identifier that is not a function call or a keyword is a metric name.
 */
export function selectors(expr: string): Selector[] {
  const s = expr
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const out: Selector[] = [];
  const re = /"(?:[^"\\]|\\.)*"|([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?|\d[\d.eE+-]*[a-z]*/g;
  for (const m of s.matchAll(re)) {
    if (!m[1] || m[3] || KEYWORDS.has(m[1].toLowerCase())) continue;
    const matchers: Selector['matchers'] = [];
    for (const [, label, op, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      matchers.push({ label, op: op as Selector['matchers'][number]['op'], value });
    }
    out.push({ name: m[1], matchers });
  }
  return out;
}

/** Labels Prometheus adds at scrape time: never in procsweep's own exposition. */
const TARGET_LABELS = new Set(['instance', 'job']);

/**
 * Problems with the procsweep series an expression queries: names procsweep does not export,
 * label names it never sets, and literal `=` / `=~ "a|b"` values it never writes.
 */
export function unknownSeries(expr: string, exported: Exported, others: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const sel of selectors(expr)) {
    if (!sel.name.startsWith('procsweep_')) {
      if (!others.includes(sel.name)) problems.push(`${sel.name}: not a procsweep series`);
      continue;
    }
    const labels = exported.get(sel.name);
    if (!labels) {
      problems.push(`${sel.name}: procsweep does not export it`);
      continue;
    }
    for (const m of sel.matchers) {
      if (TARGET_LABELS.has(m.label) || m.value.includes('$')) continue;
      const vals = labels.get(m.label);
      if (!vals) {
        problems.push(`${sel.name}{${m.label}}: procsweep sets no such label`);
        continue;
      }
      if (m.op === '=' && !vals.has(m.value)) problems.push(`${sel.name}{${m.label}="${m.value}"}: never exported (${[...vals].join(', ')})`);
      if (m.op === '=~' && /^[\w|-]+$/.test(m.value)) {
        for (const alt of m.value.split('|')) if (!vals.has(alt)) problems.push(`${sel.name}{${m.label}=~"…${alt}…"}: never exported (${[...vals].join(', ')})`);
      }
    }
  }
  return problems;
}

/** Parses a YAML file (every document) with python3's yaml module; returns the documents. */
export function readYaml(path: string): any[] {
  const py = 'import json, sys, yaml\nprint(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))';
  const r = spawnSync('python3', ['-c', py, path], { encoding: 'utf8', maxBuffer: Infinity });
  assert.equal(r.status, 0, `${path} is not valid YAML: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
