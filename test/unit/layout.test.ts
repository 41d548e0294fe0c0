import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

// The shape of src/ (issue 13): no runtime import cycle, no file over MAX_LINES lines.
// Imports are read with the TypeScript parser the project already compiles with (no new
// dependency). Type-only imports and exports are erased at build time and do not count; a
// dynamic import() does: it is a load-time edge all the same.
const SRC = join(import.meta.dirname, '..', '..', 'src');
const MAX_LINES = 400;

/**
 * Files still over MAX_LINES while they are being split (issue 13). This list may only shrink:
 * a file listed here that fits fails the test until it is taken off, and it must be empty when
 * issue 13 is done.
 */
const TOO_LONG_FOR_NOW: readonly string[] = [];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative modules a source text loads at run time. */
function runtimeImports(text: string): string[] {
  const sf = ts.createSourceFile('probe.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import type {...}`, or `import { type A, type B }` with no value binding: erased.
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

/** `./x.js` as written in an ESM import -> the .ts file beside it. */
function resolveImport(from: string, spec: string): string {
  const target = resolve(dirname(from), spec);
  const ts_ = target.replace(/\.js$/, '.ts');
  assert.ok(existsSync(ts_), `${relative(SRC, from)} imports ${spec}, which is not a file of src/`);
  return ts_;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

const files = sources(SRC);

test('src/ has no runtime import cycle (type-only imports do not count)', () => {
  const graph = new Map(files.map((f) => [f, runtimeImports(readFileSync(f, 'utf8')).map((s) => resolveImport(f, s))]));
  const found = cycles(graph).map((c) => c.map((f) => relative(SRC, f)).join(' <-> '));
  assert.deepEqual(found, [], `runtime import cycles in src/:\n${found.join('\n')}`);
});

test('the cycle finder sees a cycle through a dynamic import, and not through a type-only one', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['a']],
    ['c', ['c']],
    ['d', ['a']],
  ]);
  assert.deepEqual(cycles(g), [['a', 'b'], ['c']]);
  const text = [
    "import type { A } from './t1.js';",
    "import { type B, type C } from './t2.js';",
    "export type { D } from './t3.js';",
    "export { type E } from './t4.js';",
    "// import { X } from './comment.js';",
    "const s = \"import { Y } from './string.js'\";",
    "import { F, type G } from './v1.js';",
    "export { H } from './v2.js';",
    "export * from './v3.js';",
    "const m = async () => (await import('./v4.js')).run();",
    "import './v5.js';",
    "import { readFileSync } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(runtimeImports(text), ['./v1.js', './v2.js', './v3.js', './v4.js', './v5.js']);
});

test(`no file in src/ is over ${MAX_LINES} lines (but the shrinking allowlist)`, () => {
  const over: string[] = [];
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n').length - 1;
    const name = relative(SRC, f);
    if (lines > MAX_LINES && !TOO_LONG_FOR_NOW.includes(name)) over.push(`${name}: ${lines} lines`);
    if (lines <= MAX_LINES && TOO_LONG_FOR_NOW.includes(name)) over.push(`${name} fits now (${lines} lines): take it off TOO_LONG_FOR_NOW`);
  }
  for (const name of TOO_LONG_FOR_NOW) assert.ok(existsSync(join(SRC, name)), `${name} is in TOO_LONG_FOR_NOW but does not exist: take it off`);
  assert.deepEqual(over, []);
});

test('one identity type: no interface or type in src/ but ProcessIdentity is exactly { pid, startTicks }', () => {
  const found: string[] = [];
  for (const f of files) {
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const check = (name: string, members: ts.NodeArray<ts.TypeElement>): void => {
      const props = members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '?')).sort();
      if (name !== 'ProcessIdentity' && props.join(',') === 'pid,startTicks') found.push(`${relative(SRC, f)}: ${name}`);
    };
    for (const s of sf.statements) {
      if (ts.isInterfaceDeclaration(s) && !s.heritageClauses) check(s.name.text, s.members);
      else if (ts.isTypeAliasDeclaration(s) && ts.isTypeLiteralNode(s.type)) check(s.name.text, s.type.members);
    }
  }
  assert.deepEqual(found, [], 'use ProcessIdentity (core/types.ts)');
});
