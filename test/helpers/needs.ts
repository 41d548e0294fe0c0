// What a real-process test needs from the machine, and the one rule for when it is missing: the
// test is skipped with a line that says why and what installs it; under CI (`CI` set) it fails,
// because `.ci/run` installs everything and a skip there means the install step is broken.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** npm's pm2 (a devDependency): `needs('pm2')` checks this file, not PATH. */
export const PM2 = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'pm2');

/** The Debian package (or other install step) behind each tool a test drives. */
const INSTALL: Record<string, string> = {
  ffmpeg: 'apt-get install ffmpeg',
  'srt-live-transmit': 'apt-get install srt-tools',
  python3: 'apt-get install python3',
  '/usr/bin/python3': 'apt-get install python3',
  tmux: 'apt-get install tmux',
  mandoc: 'apt-get install mandoc',
  groff: 'apt-get install groff-base',
  man: 'apt-get install man-db',
  setpriv: 'apt-get install util-linux',
  unshare: 'apt-get install util-linux',
  setsid: 'apt-get install util-linux',
  nohup: 'apt-get install coreutils',
  nsenter: 'apt-get install util-linux',
  useradd: 'apt-get install passwd',
  tini: 'apt-get install tini',
  supervisord: 'apt-get install supervisor',
  supervisorctl: 'apt-get install supervisor',
  'ansible-playbook': 'apt-get install ansible-core',
  'systemd-analyze': 'apt-get install systemd',
  socat: 'apt-get install socat',
  promtool: 'extract promtool from Debian\'s prometheus .deb (.ci/run does)',
  ps: 'apt-get install procps',
  mkfifo: 'apt-get install coreutils',
  npm: 'install Node.js 20 with npm',
  root: 'run the tests as root',
  pm2: 'npm ci (pm2 is a devDependency)',
  cgroupfs: 'a writable cgroupfs: /sys/fs/cgroup/systemd (v1 name=systemd) and /sys/fs/cgroup/unified (v2)',
};

const cache = new Map<string, boolean>();

/** Whether a binary is on PATH (or an absolute path that runs). The pseudo-tool `root` means uid 0. */
export function present(tool: string): boolean {
  if (tool === 'root') return process.getuid?.() === 0;
  if (tool === 'pm2') return existsSync(PM2);
  if (tool === 'cgroupfs') return existsSync('/sys/fs/cgroup/systemd/cgroup.procs') && existsSync('/sys/fs/cgroup/unified/cgroup.procs');
  let ok = cache.get(tool);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', tool], { stdio: 'ignore' }).status === 0;
    cache.set(tool, ok);
  }
  return ok;
}

/** One line naming what is missing and how to install it. */
export function missingReason(missing: string[]): string {
  const how = [...new Set(missing.map((m) => INSTALL[m] ?? `install ${m}`))].join('; ');
  return `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing (${how}; .ci/run installs ${missing.length === 1 ? 'it' : 'them'})`;
}

/**
 * The node:test `skip` option for a test that drives `tools` (binaries, or `root`): false when all
 * are there, else the reason, which is also printed on stderr at once so that no skip is silent.
 * Under CI a missing tool throws, which fails the test file: CI must run every real-process test.
 */
export function needs(...tools: string[]): false | string {
  const missing = tools.filter((t) => !present(t));
  if (missing.length === 0) return false;
  const why = missingReason(missing);
  if (process.env.CI) throw new Error(`CI runs every real-process test, but ${why}`);
  process.stderr.write(`procsweep tests: skipping: ${why}\n`);
  return `skipped: ${why}`;
}
