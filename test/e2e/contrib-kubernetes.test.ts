import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CONTRIB, readYaml } from '../helpers/contrib.js';
import { needs } from '../helpers/needs.js';
import { cli, marker } from '../helpers/procs.js';

// contrib/kubernetes: the DaemonSets parse as YAML, wire hostPID / the host's /proc, the metrics
// port and the capabilities together, and their container args are real procsweep options: each
// is in the command's --help, and the args run for real (one scan, scoped by a marker, the live
// /proc standing in for the host's, the port a free one on 127.0.0.1). No cluster runs here.
const DIR = join(CONTRIB, 'kubernetes');
const work = mkdtempSync(join(tmpdir(), 'psw-k8s-'));
after(() => rmSync(work, { recursive: true, force: true }));

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** The DaemonSet of a manifest file and its procsweep container. */
function daemonSet(file: string): { ds: any; c: any } {
  const docs = readYaml(join(DIR, file));
  const ds = docs.find((d) => d?.kind === 'DaemonSet');
  assert.ok(ds, `${file}: no DaemonSet`);
  assert.equal(ds.apiVersion, 'apps/v1');
  assert.deepEqual(ds.spec.selector.matchLabels, ds.spec.template.metadata.labels);
  const c = ds.spec.template.spec.containers.find((x: any) => x.name === 'procsweep');
  assert.ok(c);
  return { ds, c };
}

/** Options (--x) a command's --help lists. */
function helpOptions(command: string): Set<string> {
  const r = cli([command, '--help']);
  assert.equal(r.code, 0, r.stderr);
  return new Set(r.stdout.match(/--[a-z][a-z-]*/g));
}

/** The value after an option in args. */
const optionValue = (args: string[], opt: string): string | undefined => args[args.indexOf(opt) + 1];

/** Runs container args for one scan on this machine: scoped, on a free loopback port. */
async function runOnce(args: string[], edits: Record<string, string>): Promise<void> {
  const port = String(await freePort());
  const local = args.map((a, i) => edits[args[i - 1]] ?? (args[i - 1] === '--metrics-port' ? port : args[i - 1] === '--metrics-host' ? '127.0.0.1' : a));
  const r = cli([...local, '--count', '1', '--args', marker('k8s')], { timeout: 30_000 });
  assert.equal(r.code, 0, `${local.join(' ')}: ${r.stderr}`);
  assert.match(r.stdout, /"type":"tick"/);
}

describe('contrib/kubernetes DaemonSets', { skip: needs('python3') }, () => {
  test('hostPID: sees and signals the node\'s processes, serves metrics, holds only KILL SYS_PTRACE DAC_READ_SEARCH', async () => {
    const { ds, c } = daemonSet('procsweep-daemonset.yaml');
    const spec = ds.spec.template.spec;
    assert.equal(spec.hostPID, true);
    assert.ok(!c.args.includes('--proc-root'), 'with hostPID the container\'s /proc is the host\'s');
    const port = Number(optionValue(c.args, '--metrics-port'));
    assert.equal(c.ports.find((p: any) => p.name === 'metrics').containerPort, port);
    assert.equal(ds.spec.template.metadata.annotations['prometheus.io/port'], String(port));
    assert.equal(optionValue(c.args, '--metrics-host'), '0.0.0.0', 'reachable from Prometheus, not the pod\'s loopback');
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'], add: ['KILL', 'SYS_PTRACE', 'DAC_READ_SEARCH'] });
    assert.notEqual(c.securityContext.privileged, true);
    const opts = helpOptions(c.args[0]);
    for (const a of c.args.filter((x: string) => x.startsWith('--'))) assert.ok(opts.has(a), `${a} is not a procsweep ${c.args[0]} option`);
    await runOnce(c.args, {});
    // The commented --sweep lines are real options too, and work with the lock on the mounted dir.
    const text = readFileSync(join(DIR, 'procsweep-daemonset.yaml'), 'utf8');
    const sweep = [...text.matchAll(/^ {12}# - (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(sweep.filter((x) => x.startsWith('--')), ['--sweep', '--yes', '--older-than', '--lock-file']);
    for (const a of sweep.filter((x) => x.startsWith('--'))) assert.ok(opts.has(a), a);
    const lock = optionValue(sweep, '--lock-file')!;
    assert.ok(c.volumeMounts.some((m: any) => lock.startsWith(`${m.mountPath}/`)), 'the lock is on a host path');
    await runOnce([...c.args, ...sweep], { '--lock-file': join(work, 'sweep.lock') });
  });

  test('read-only: the host\'s /proc through --proc-root, mounted read-only, no hostPID, no CAP_KILL', async () => {
    const { ds, c } = daemonSet('procsweep-daemonset-readonly.yaml');
    const spec = ds.spec.template.spec;
    assert.notEqual(spec.hostPID, true);
    const root = optionValue(c.args, '--proc-root');
    const mount = c.volumeMounts.find((m: any) => m.mountPath === root);
    assert.ok(mount?.readOnly, '--proc-root is a read-only mount');
    assert.equal(spec.volumes.find((v: any) => v.name === mount.name).hostPath.path, '/proc');
    assert.ok(!c.securityContext.capabilities.add.includes('KILL'), 'it cannot act, so it holds no CAP_KILL');
    const opts = helpOptions(c.args[0]);
    for (const a of c.args.filter((x: string) => x.startsWith('--'))) assert.ok(opts.has(a), `${a} is not a procsweep ${c.args[0]} option`);
    await runOnce(c.args, { '--proc-root': '/proc' });
  });
});
