import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alive, BIN, cli, Scope, waitFor } from '../helpers/procs.js';
import { needs } from '../helpers/needs.js';
import { Tmux } from '../helpers/tmux.js';

// Terminal injection through command lines: a real process whose argv carries escape sequences,
// a CR-rewrite, a cursor-up-and-erase and a newline. Every human view must show them as `?`
// (no control byte reaches the terminal, no row is forged or split); --json keeps the bytes.

/** The hostile arguments: clear screen, OSC 0 title, OSC 52 clipboard, CR-forge, line erase, newline split, C1 CSI. */
const HOSTILE = [
  '\x1b[2J',
  '\x1b]0;pwned-title\x07',
  '\x1b]52;c;cHduZWQ=\x07',
  '\rFORGEDCR 1 healthy\x1b[K',
  '\x1b[1A\x1b[2K',
  'split\nFORGEDNL 1 healthy',
  '\u009b31m',
];
/** Any control byte but the newline that ends lines. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('terminal injection through argv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psw-escape-'));
  const scope = new Scope();
  const terms: Tmux[] = [];
  let mark = '';
  let pid = 0;
  let args: string[] = [];
  before(async () => {
    mark = scope.mark('esc');
    pid = await scope.orphan(process.execPath, ['-e', 'setTimeout(() => {}, 300000)', ...HOSTILE, mark]);
    assert.ok(await waitFor(() => alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark)));
    args = ['--signature', `stub=${mark}`, '--args', mark];
  });
  after(() => {
    for (const t of terms) t.kill();
    scope.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The output has no control byte, and the worker's row is one line holding the escaped arguments. */
  const checkHuman = (out: string): void => {
    assert.doesNotMatch(out, RAW, JSON.stringify(out));
    const rows = out.split('\n').filter((l) => l.includes('FORGED'));
    assert.equal(rows.length, 1, `the row was split or forged:\n${out}`);
    const row = rows[0];
    assert.ok(row.includes(String(pid)), row);
    for (const s of ['?[2J', '?]0;pwned-title?', '?]52;c;cHduZWQ=?', '?FORGEDCR 1 healthy?[K', '?[1A?[2K', 'split?FORGEDNL 1 healthy', '?31m']) assert.ok(row.includes(s), `${s} missing in ${row}`);
  };

  test('list, list --tree and --json', () => {
    const r = cli(['list', ...args]);
    assert.equal(r.code, 0, r.stderr);
    checkHuman(r.stdout);
    const t = cli(['list', '--tree', ...args]);
    assert.equal(t.code, 0, t.stderr);
    checkHuman(t.stdout);
    const j = cli(['list', '--json', ...args]);
    const p = j.json().processes.find((x: any) => x.pid === pid);
    assert.deepEqual(p.argv, [process.execPath, '-e', 'setTimeout(() => {}, 300000)', ...HOSTILE, mark], 'json keeps the exact bytes');
  });

  test('the checkbox in a terminal shows no forged row and sets neither title nor clipboard', { skip: needs('tmux') }, async () => {
    const term = new Tmux(220, 40);
    terms.push(term);
    const gate = join(dir, 'gate');
    const code = join(dir, 'code');
    const quoted = [process.execPath, BIN, 'sweep', ...args, '--lock-file', join(dir, 'lock'), '--grace', '1s'].map((a) => `'${a}'`).join(' ');
    term.start(`while [ ! -e ${gate} ]; do sleep 0.05; done; ${quoted} >/dev/null; echo $? > ${code}`, { NO_COLOR: '1' });
    term.command(['set-option', '-s', 'set-clipboard', 'on']);
    const before = term.titleAndBuffers();
    writeFileSync(gate, '');
    const screen = await term.waitFor(/Remove these processes/, 20_000);
    // The row, and under the list the highlighted row's whole command: each one line, escaped.
    const rows = screen.split('\n').filter((l) => l.includes('FORGED'));
    assert.equal(rows.length, 2, `forged or split row:\n${screen}`);
    for (const r of rows) assert.match(r, /\?\[2J.*\?FORGEDCR.*\?FORGEDNL/, `split row:\n${screen}`);
    assert.match(rows[0], new RegExp(`\\b${pid}\\b.*orphan.*\\?\\[2J.*\\?FORGEDCR`));
    assert.match(rows[1], new RegExp(`^${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -e `), 'the full command under the list');
    assert.match(screen, /PID\s+AGE\s+CPU%\s+FLAGS\s+COMMAND/, 'the screen was not cleared');
    const now = term.titleAndBuffers();
    assert.equal(now.title, before.title, 'the window title was set');
    assert.equal(now.buffers, '', 'the clipboard was written');
    term.send('C-c');
    assert.ok(await waitFor(() => existsSync(code), 10_000), term.capture());
    assert.ok(alive(pid), 'cancelled: nothing signalled');
  });

  test('the watch dashboard escapes the command line', { skip: needs('tmux') }, async () => {
    const term = new Tmux(220, 50);
    terms.push(term);
    const gate = join(dir, 'gate2');
    const quoted = [process.execPath, BIN, 'watch', ...args, '--interval', '300ms'].map((a) => `'${a}'`).join(' ');
    term.start(`while [ ! -e ${gate} ]; do sleep 0.05; done; exec ${quoted}`, { NO_COLOR: '1' });
    term.command(['set-option', '-s', 'set-clipboard', 'on']);
    const before = term.titleAndBuffers();
    writeFileSync(gate, '');
    const screen = await term.waitFor(/FORGEDCR/, 20_000);
    assert.match(screen, /procsweep watch/, 'the header is still there');
    for (const row of screen.split('\n').filter((l) => l.includes('FORGED'))) assert.match(row, new RegExp(`\\b${pid}\\b.*\\?\\[2J`), row);
    const now = term.titleAndBuffers();
    assert.equal(now.title, before.title, 'the window title was set');
    assert.equal(now.buffers, '', 'the clipboard was written');
    term.send('C-c');
  });

  test('sweep -n, then the report of sweep -y, are escaped', () => {
    const lock = ['--lock-file', join(dir, 'lock')];
    const n = cli(['sweep', '-n', ...args, ...lock]);
    assert.equal(n.code, 0, n.stderr);
    checkHuman(n.stdout);
    assert.ok(alive(pid));
    const y = cli(['sweep', '-y', '--grace', '1s', ...args, ...lock]);
    assert.equal(y.code, 0, y.stderr);
    checkHuman(y.stdout);
    assert.doesNotMatch(y.stderr, RAW);
    assert.ok(!alive(pid), 'the worker was swept');
  });

  test('pidfiles list escapes a hostile file name; --json keeps it', () => {
    const pids = join(dir, 'pids');
    mkdirSync(pids);
    const name = 'cam\x1b[2J\r_ffmpeg.pid';
    writeFileSync(join(pids, name), '999999\n');
    const r = cli(['pidfiles', 'list', '--pid-dir', pids]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW, JSON.stringify(r.stdout));
    assert.match(r.stdout, /cam\?\[2J\?_ffmpeg\.pid/);
    const j = cli(['pidfiles', 'list', '--pid-dir', pids, '--json']);
    assert.ok(j.json().pidfiles.some((e: any) => e.path === join(pids, name)), j.stdout);
  });

  test("run's messages escape the command's name", () => {
    const link = join(dir, 'true\x1b]0;pwned\x07');
    symlinkSync('/bin/true', link);
    const r = cli(['run', '--', link]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, RAW, JSON.stringify(r.stderr));
    assert.match(r.stderr, /started true\?\]0;pwned\? as pid/);
  });
});
