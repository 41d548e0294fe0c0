import type { ProcessInfo, Snapshot } from '../../types.js';
import { shortId } from './cgroup.js';
import { NOT_FOUND, type EnvInfo, type Evidence, type Owner } from './types.js';

/** The side effects owner resolution may need, behind parameters (tests pass their own). */
export interface OwnerPorts {
  /** Reads one matched process's cgroup and environment. */
  evidence: (p: ProcessInfo) => Evidence;
  /** ActiveState per systemd unit (null: systemctl does not answer; `not-found`: LoadState=not-found). */
  unitStates?: (units: readonly string[]) => Map<string, string | null>;
  /** The pid in `$PM2_HOME/pm2.pid`, for naming a daemon that is gone. */
  pm2Pid?: (home: string) => number | null;
  /** Unix socket paths something listens on (`/proc/net/unix`), null when unreadable. */
  unixListeners?: () => Set<string> | null;
}

/** An owner plus what ownership needs internally: the key workers of one owner slot share. */
export interface ResolvedOwner {
  owner: Owner;
  /** Owner slot (PM2 home + instance + app id, supervisord URL + instance + program, MediaMTX instance + path, unit, container); null for records and parents. */
  key: string | null;
  /** With a live daemon: the daemon's direct child the worker descends from (one app process; the worker itself when the daemon started it). */
  branch: ProcessInfo | null;
}

/** A matched process as owner resolution sees it. */
export interface OwnerSubject {
  proc: ProcessInfo;
  evidence: Evidence;
  /** `procsweep run PID (label)` when a live run supervises it. */
  supervisor: { pid: number; label: string } | null;
  /** The pidfile/registry record that tracks it, with the tracked pid. */
  record: { source: string; pid: number } | null;
  /** Parentage left it unflagged: its live parent owns it. */
  parentOwns: boolean;
}

const PM2_DAEMON = /^PM2 v\S+: God Daemon \(/;

/**
 * Whether a process is the PM2 God Daemon of `home`: its title is `PM2 v7.0.4: God Daemon (HOME)`.
 * The kernel keeps a title no longer than the daemon's original command line, so a long home is
 * cut short (seen with PM2 7: `... God Daemon (/tmp/psw-pm2-x-bq`): a cut title must be the
 * start of the full one.
 */
export function isPm2Daemon(p: Pick<ProcessInfo, 'argv'>, home: string): boolean {
  const title = p.argv.length > 0 ? p.argv[0].trimEnd() : '';
  const m = PM2_DAEMON.exec(title);
  if (!m) return false;
  const rest = title.slice(m[0].length);
  return rest === `${home})` || (rest.length > 0 && `${home})`.startsWith(rest));
}

/** Process names that are PM2 itself in no-daemon mode (`pm2-runtime` in Docker, `pm2 --no-daemon`). */
const PM2_RUNTIMES = new Set(['pm2-runtime', 'pm2-docker', 'pm2-dev']);
const base = (a: string): string => a.split('/').pop() ?? a;

/** Whether a process is PM2 running in the foreground: `pm2-runtime`, `pm2-docker`, `pm2-dev`, or `pm2 … --no-daemon`. */
export function isPm2Runtime(p: Pick<ProcessInfo, 'argv'>): boolean {
  const head = p.argv.slice(0, 2).map(base);
  return head.some((a) => PM2_RUNTIMES.has(a)) || (head.includes('pm2') && p.argv.includes('--no-daemon'));
}

/** Whether a process is supervisord: a `supervisord` anywhere in its argv (`python3 -s /usr/bin/supervisord`), or `python3 -m supervisor.supervisord`. */
export function isSupervisord(p: Pick<ProcessInfo, 'argv'>): boolean {
  return p.argv.some((a, i) => base(a) === 'supervisord' || a === '-msupervisor.supervisord' || (a === '-m' && p.argv[i + 1] === 'supervisor.supervisord'));
}
function isMediamtx(p: ProcessInfo): boolean {
  return p.argv.length > 0 && base(p.argv[0]) === 'mediamtx';
}

/** Where a worker stands in the process tree relative to the daemon that should own it. */
interface Lineage {
  /** The nearest live ancestor recognised as the daemon. */
  daemon: ProcessInfo | null;
  /** The daemon's direct child the worker descends from (the worker itself when the daemon is its parent). */
  branch: ProcessInfo | null;
  /** No daemon on the way to PID 1 or a reaper: the process that PID 1 or the reaper adopted (the worker or its topmost ancestor). */
  adopted: ProcessInfo | null;
  /** The chain broke (an ancestor is not in the snapshot): nothing is known. */
  broken: number | null;
}

/** Walks the worker's ancestors to the first daemon `is` accepts, PID 1 or a reaper. */
function lineage(snap: Snapshot, p: ProcessInfo, is: (a: ProcessInfo) => boolean, isReaper: (a: ProcessInfo) => boolean): Lineage {
  const seen = new Set<number>([p.pid]);
  let below = p;
  for (;;) {
    const cur = snap.processes.get(below.ppid);
    if (!cur || seen.has(cur.pid)) return { daemon: null, branch: null, adopted: null, broken: below.ppid };
    seen.add(cur.pid);
    if (cur.state !== 'Z' && is(cur)) return { daemon: cur, branch: below, adopted: null, broken: null };
    if (cur.pid === 1 || isReaper(cur)) return { daemon: null, branch: null, adopted: below, broken: null };
    below = cur;
  }
}

const label = (p: ProcessInfo): string => `${p.pid} (${p.argv.length ? base(p.argv[0]) : p.comm})`;

const ACTIVE = new Set(['active', 'reloading', 'activating', 'deactivating', 'refreshing']);

/** A worker's standing under the daemon that should own it, from its lineage and the adopted process's environment. */
type Standing =
  | { state: 'alive'; daemon: ProcessInfo; branch: ProcessInfo }
  | { state: 'gone'; by: string }
  | { state: 'unknown'; why: string; top: ProcessInfo | null };

/**
 * The owner of each subject from the strongest evidence (design.md section 4): the supervisor
 * environment (PM2, supervisord, MediaMTX), a live `procsweep run`, the systemd unit or container
 * of its cgroup, systemd's INVOCATION_ID, a pidfile record, a live parent. Pure but for the ports.
 *
 * A supervisor is called gone (`alive: false`) only on positive evidence: PID 1 or a reaper
 * adopted the worker, or an ancestor of it that carries the same slot in its environment, with
 * no daemon on the way. A worker whose chain runs through a live process that is not
 * recognised as its daemon has `alive: null`: unknown, never abandoned.
 */
export function resolveOwners(
  snap: Snapshot,
  subjects: readonly OwnerSubject[],
  ports: Omit<OwnerPorts, 'evidence'> & Partial<Pick<OwnerPorts, 'evidence'>>,
  isReaper: (p: ProcessInfo) => boolean = () => false,
): Map<number, ResolvedOwner> {
  const out = new Map<number, ResolvedOwner>();
  // A unit under a user manager (user@UID.service/…) is not the system manager's to answer for.
  const units = [...new Set(subjects.map((s) => s.evidence.cgroup).filter((c) => c?.unit && c.userManager === null).map((c) => c!.unit!))];
  const states = units.length && ports.unitStates ? ports.unitStates(units) : new Map<string, string | null>();
  let listeners: Set<string> | null | undefined;
  const bySubject = new Map(subjects.map((s) => [s.proc.pid, s.evidence]));
  const envOf = (a: ProcessInfo): EnvInfo | null => {
    const known = bySubject.get(a.pid);
    if (known) return known.env;
    if (a.state === 'Z' || !ports.evidence) return null;
    return ports.evidence(a).env;
  };
  // The daemon PM2 runs for a home now: the pid its pm2.pid names.
  const recordedPid = new Map<string, number | null>();
  const pidOf = (home: string): number | null => {
    if (!recordedPid.has(home)) recordedPid.set(home, ports.pm2Pid?.(home) ?? null);
    return recordedPid.get(home)!;
  };

  const standing = (s: OwnerSubject, isDaemon: (a: ProcessInfo) => boolean, sameSlot: (e: EnvInfo | null) => boolean): Standing => {
    const l = lineage(snap, s.proc, isDaemon, isReaper);
    if (l.daemon && l.branch) return { state: 'alive', daemon: l.daemon, branch: l.branch };
    if (l.adopted) {
      const parent = snap.processes.get(l.adopted.ppid)!;
      const by = parent.pid === 1 ? 'PID 1' : `reaper ${label(parent)}`;
      if (l.adopted === s.proc ? sameSlot(s.evidence.env) : sameSlot(envOf(l.adopted))) return { state: 'gone', by };
      return { state: 'unknown', why: `its ancestor ${label(l.adopted)}, not recognised as its supervisor, is alive under ${by}`, top: l.adopted };
    }
    return { state: 'unknown', why: `its ancestor chain breaks at PID ${l.broken}, which is not in the process table`, top: null };
  };

  for (const s of subjects) {
    const p = s.proc;
    const env = s.evidence.env;
    const cg = s.evidence.cgroup;
    const where = cg?.container ? ` in container ${shortId(cg.container.id)}` : cg?.unit ? ` in ${cg.unit}` : '';
    // Which supervisor instance a slot belongs to: two containers' PM2 id 0 are different slots.
    const place = cg?.container ? `container ${cg.container.id}` : cg ? `cgroup ${cg.path}` : 'host';
    const instance = (st: Standing): string =>
      st.state === 'alive' ? `daemon ${st.daemon.pid}:${st.daemon.startTicks ?? '?'}` : st.state === 'unknown' && st.top ? `top ${st.top.pid}:${st.top.startTicks ?? '?'}` : place;
    let r: ResolvedOwner | null = null;
    if (env?.pm2Home !== undefined && env.pmId !== undefined) {
      const home = env.pm2Home;
      const id = env.pmId;
      const app = `PM2 app ${env.pm2Name ?? '?'} (id ${id})`;
      const st = standing(s, (a) => isPm2Daemon(a, home) || a.pid === pidOf(home) || isPm2Runtime(a), (e) => e?.pm2Home === home && e.pmId === id);
      let owner: Owner;
      const name = env.pm2Name ?? null;
      if (st.state === 'alive') owner = { kind: 'pm2', name, pid: st.daemon.pid, alive: true, reason: `${app}: PM2 daemon ${st.daemon.pid} (PM2_HOME ${home}) runs it${where}` };
      else if (st.state === 'unknown') owner = { kind: 'pm2', name, pid: null, alive: null, reason: `${app}: no PM2 daemon of PM2_HOME ${home} is recognised among its ancestors, but ${st.why}; whether its daemon lives is unknown${where}` };
      else {
        const recorded = pidOf(home);
        const q = recorded === null ? undefined : snap.processes.get(recorded);
        const live = q && q.state !== 'Z' ? q : undefined;
        const gone = !live
          ? `PM2 daemon ${recorded ?? '?'} (PM2_HOME ${home}) is gone`
          : isPm2Daemon(live, home) || isPm2Runtime(live)
            ? `the PM2 daemon that started it is gone; daemon ${live.pid} (PM2_HOME ${home}) runs now but did not start it`
            : `the PM2 daemon that started it is gone (${st.by} adopted it); ${home}/pm2.pid names ${label(live)}, which is not its ancestor`;
        owner = { kind: 'pm2', name, pid: live ? null : recorded, alive: false, reason: `${app}: ${gone}` };
      }
      r = { owner, key: `pm2\u0000${home}\u0000${instance(st)}\u0000${id}`, branch: st.state === 'alive' ? st.branch : null };
    } else if (env?.supervisorProcess !== undefined) {
      const url = env.supervisorUrl ?? '?';
      const progName = env.supervisorProcess;
      const prog = `supervisord program ${progName}`;
      const st = standing(s, isSupervisord, (e) => e?.supervisorProcess === progName && e.supervisorUrl === env.supervisorUrl);
      let owner: Owner;
      if (st.state === 'alive') owner = { kind: 'supervisord', name: progName, pid: st.daemon.pid, alive: true, reason: `${prog}: supervisord ${st.daemon.pid} (${url}) runs it${where}` };
      else if (st.state === 'unknown') owner = { kind: 'supervisord', name: progName, pid: null, alive: null, reason: `${prog} (${url}): no supervisord is recognised among its ancestors, but ${st.why}; whether its supervisord lives is unknown${where}` };
      else {
        let sock = '';
        if (url.startsWith('unix://')) {
          listeners ??= ports.unixListeners?.() ?? null;
          const path = url.slice('unix://'.length);
          if (listeners) sock = listeners.has(path) ? `; something listens on ${path} again, but it did not start this one` : `; nothing listens on ${path} any more`;
        }
        owner = { kind: 'supervisord', name: progName, pid: null, alive: false, reason: `${prog} (${url}): the supervisord that started it is gone${sock}` };
      }
      r = { owner, key: `supervisord\u0000${url}\u0000${instance(st)}\u0000${progName}`, branch: st.state === 'alive' ? st.branch : null };
    } else if (env?.mtxPath !== undefined) {
      const mtx = env.mtxPath;
      const st = standing(s, isMediamtx, (e) => e?.mtxPath === mtx);
      const path = `MediaMTX path ${mtx}`;
      const owner: Owner = st.state === 'alive'
        ? { kind: 'mediamtx', name: mtx, pid: st.daemon.pid, alive: true, reason: `${path}: MediaMTX ${st.daemon.pid} runs it${where}` }
        : st.state === 'unknown'
          ? { kind: 'mediamtx', name: mtx, pid: null, alive: null, reason: `${path}: no MediaMTX is recognised among its ancestors, but ${st.why}; whether its MediaMTX lives is unknown${where}` }
          : { kind: 'mediamtx', name: mtx, pid: null, alive: false, reason: `${path}: the MediaMTX that started it is gone` };
      r = { owner, key: `mediamtx\u0000${instance(st)}\u0000${mtx}`, branch: st.state === 'alive' ? st.branch : null };
    } else if (s.supervisor) {
      r = { owner: { kind: 'procsweep-run', name: s.supervisor.label, pid: s.supervisor.pid, alive: true, reason: `procsweep run ${s.supervisor.pid} (${s.supervisor.label}) supervises it` }, key: null, branch: null };
    } else if (cg?.unit && cg.userManager !== null) {
      r = {
        owner: { kind: 'systemd', name: cg.unit, pid: null, alive: null, reason: `in the cgroup of systemd user unit ${cg.unit} (user@${cg.userManager}.service); its state is unknown (procsweep asks only the system manager)` },
        key: `systemd\u0000user@${cg.userManager}\u0000${cg.unit}`,
        branch: null,
      };
    } else if (cg?.unit) {
      const state = states.get(cg.unit) ?? null;
      const alive = state === null || state === NOT_FOUND ? null : ACTIVE.has(state);
      const reason = state === null
        ? `in the cgroup of systemd unit ${cg.unit}; its state is unknown (systemctl does not answer here)`
        : state === NOT_FOUND
          ? `in the cgroup of systemd unit ${cg.unit}, which the system manager does not know (LoadState=not-found); its state is unknown`
          : alive
            ? `systemd unit ${cg.unit} is ${state}`
            : `systemd unit ${cg.unit} is ${state}, but this process is still in its cgroup (left behind, as KillMode=process does)`;
      r = { owner: { kind: 'systemd', name: cg.unit, pid: null, alive, reason }, key: `systemd\u0000${cg.unit}`, branch: null };
    } else if (cg?.container) {
      const c = cg.container;
      r = {
        owner: { kind: 'container', name: shortId(c.id), pid: null, alive: null, reason: `in ${c.runtime} container ${shortId(c.id)}${c.pod ? ` of Kubernetes pod ${c.pod}` : ''} (cgroup ${cg.path})` },
        key: `container\u0000${c.id}`,
        branch: null,
      };
    } else if (env?.invocationId !== undefined) {
      r = { owner: { kind: 'systemd', name: null, pid: null, alive: null, reason: `started by systemd (INVOCATION_ID ${env.invocationId}); its unit is unknown without cgroupfs` }, key: null, branch: null };
    } else if (s.record) {
      r = { owner: { kind: 'record', name: s.record.source, pid: s.record.pid, alive: true, reason: `named by ${s.record.source}` }, key: null, branch: null };
    } else if (s.parentOwns) {
      const parent = snap.processes.get(p.ppid);
      if (parent && parent.state !== 'Z' && p.ppid > 0) {
        const name = parent.argv.length ? parent.argv[0].split('/').pop()! : parent.comm;
        r = { owner: { kind: 'parent', name, pid: parent.pid, alive: true, reason: `child of ${parent.pid} (${name}), which is alive` }, key: null, branch: null };
      }
    }
    if (r) out.set(p.pid, r);
  }
  return out;
}
