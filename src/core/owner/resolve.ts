import type { ProcessInfo, Snapshot } from '../types.js';
import { shortId } from './cgroup.js';
import type { Evidence, Owner } from './types.js';

/** The side effects owner resolution may need, behind parameters (tests pass their own). */
export interface OwnerPorts {
  /** Reads one matched process's cgroup and environment. */
  evidence: (p: ProcessInfo) => Evidence;
  /** ActiveState per systemd unit (null: systemctl does not answer). */
  unitStates?: (units: readonly string[]) => Map<string, string | null>;
  /** The pid in `$PM2_HOME/pm2.pid`, for naming a daemon that is gone. */
  pm2Pid?: (home: string) => number | null;
  /** Unix socket paths something listens on (`/proc/net/unix`), null when unreadable. */
  unixListeners?: () => Set<string> | null;
}

/** An owner plus what ownership needs internally: the key workers of one owner slot share. */
export interface ResolvedOwner {
  owner: Owner;
  /** Owner slot (PM2 home + app id, supervisord URL + program, MediaMTX path, unit, container); null for records and parents. */
  key: string | null;
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

function isSupervisord(p: ProcessInfo): boolean {
  return p.argv.slice(0, 2).some((a) => a.split('/').pop() === 'supervisord');
}
function isMediamtx(p: ProcessInfo): boolean {
  return p.argv.length > 0 && p.argv[0].split('/').pop() === 'mediamtx';
}

/** The nearest live ancestor (parent first) that `is` accepts, or null. */
function ancestor(snap: Snapshot, p: ProcessInfo, is: (a: ProcessInfo) => boolean): ProcessInfo | null {
  const seen = new Set<number>();
  for (let cur = snap.processes.get(p.ppid); cur && cur.pid > 0 && !seen.has(cur.pid); cur = snap.processes.get(cur.ppid)) {
    seen.add(cur.pid);
    if (cur.state !== 'Z' && is(cur)) return cur;
    if (cur.pid === 1) break;
  }
  return null;
}

const ACTIVE = new Set(['active', 'reloading', 'activating', 'deactivating', 'refreshing']);

/**
 * The owner of each subject from the strongest evidence (design.md section 4): the supervisor
 * environment (PM2, supervisord, MediaMTX), a live `procsweep run`, the systemd unit or container
 * of its cgroup, systemd's INVOCATION_ID, a pidfile record, a live parent. Pure but for the ports.
 */
export function resolveOwners(snap: Snapshot, subjects: readonly OwnerSubject[], ports: Omit<OwnerPorts, 'evidence'>): Map<number, ResolvedOwner> {
  const out = new Map<number, ResolvedOwner>();
  const units = [...new Set(subjects.map((s) => s.evidence.cgroup?.unit).filter((u): u is string => Boolean(u)))];
  const states = units.length && ports.unitStates ? ports.unitStates(units) : new Map<string, string | null>();
  let listeners: Set<string> | null | undefined;
  // The daemon PM2 runs for a home now: the one its pm2.pid names, when that is a live God Daemon of it.
  const recordedPid = new Map<string, number | null>();
  const pidOf = (home: string): number | null => {
    if (!recordedPid.has(home)) recordedPid.set(home, ports.pm2Pid?.(home) ?? null);
    return recordedPid.get(home)!;
  };
  const liveDaemon = (home: string): ProcessInfo | undefined => {
    const pid = pidOf(home);
    const q = pid === null ? undefined : snap.processes.get(pid);
    return q && q.state !== 'Z' && isPm2Daemon(q, home) ? q : undefined;
  };

  for (const s of subjects) {
    const p = s.proc;
    const env = s.evidence.env;
    const cg = s.evidence.cgroup;
    const where = cg?.container ? ` in container ${shortId(cg.container.id)}` : cg?.unit ? ` in ${cg.unit}` : '';
    let r: ResolvedOwner | null = null;
    if (env?.pm2Home !== undefined && env.pmId !== undefined) {
      const home = env.pm2Home;
      const app = `PM2 app ${env.pm2Name ?? '?'} (id ${env.pmId})`;
      const d = ancestor(snap, p, (a) => isPm2Daemon(a, home));
      let owner: Owner;
      if (d) owner = { kind: 'pm2', name: env.pm2Name ?? null, pid: d.pid, alive: true, reason: `${app}: PM2 daemon ${d.pid} (PM2_HOME ${home}) runs it${where}` };
      else {
        const other = liveDaemon(home);
        const recorded = pidOf(home);
        const gone = other
          ? `the PM2 daemon that started it is gone; daemon ${other.pid} (PM2_HOME ${home}) runs now but did not start it`
          : `PM2 daemon ${recorded ?? '?'} (PM2_HOME ${home}) is gone`;
        owner = { kind: 'pm2', name: env.pm2Name ?? null, pid: other ? null : recorded, alive: false, reason: `${app}: ${gone}` };
      }
      r = { owner, key: `pm2\u0000${home}\u0000${env.pmId}` };
    } else if (env?.supervisorProcess !== undefined) {
      const url = env.supervisorUrl ?? '?';
      const prog = `supervisord program ${env.supervisorProcess}`;
      const d = ancestor(snap, p, isSupervisord);
      let owner: Owner;
      if (d) owner = { kind: 'supervisord', name: env.supervisorProcess, pid: d.pid, alive: true, reason: `${prog}: supervisord ${d.pid} (${url}) runs it${where}` };
      else {
        let sock = '';
        if (url.startsWith('unix://')) {
          listeners ??= ports.unixListeners?.() ?? null;
          const path = url.slice('unix://'.length);
          if (listeners) sock = listeners.has(path) ? `; something listens on ${path} again, but it did not start this one` : `; nothing listens on ${path} any more`;
        }
        owner = { kind: 'supervisord', name: env.supervisorProcess, pid: null, alive: false, reason: `${prog} (${url}): the supervisord that started it is gone${sock}` };
      }
      r = { owner, key: `supervisord\u0000${url}\u0000${env.supervisorProcess}` };
    } else if (env?.mtxPath !== undefined) {
      const d = ancestor(snap, p, isMediamtx);
      const path = `MediaMTX path ${env.mtxPath}`;
      r = {
        owner: d
          ? { kind: 'mediamtx', name: env.mtxPath, pid: d.pid, alive: true, reason: `${path}: MediaMTX ${d.pid} runs it${where}` }
          : { kind: 'mediamtx', name: env.mtxPath, pid: null, alive: false, reason: `${path}: the MediaMTX that started it is gone` },
        key: `mediamtx\u0000${env.mtxPath}`,
      };
    } else if (s.supervisor) {
      r = { owner: { kind: 'procsweep-run', name: s.supervisor.label, pid: s.supervisor.pid, alive: true, reason: `procsweep run ${s.supervisor.pid} (${s.supervisor.label}) supervises it` }, key: null };
    } else if (cg?.unit) {
      const state = states.get(cg.unit) ?? null;
      const alive = state === null ? null : ACTIVE.has(state);
      const reason = state === null
        ? `in the cgroup of systemd unit ${cg.unit}; its state is unknown (systemctl does not answer here)`
        : alive
          ? `systemd unit ${cg.unit} is ${state}`
          : `systemd unit ${cg.unit} is ${state}, but this process is still in its cgroup (left behind, as KillMode=process does)`;
      r = { owner: { kind: 'systemd', name: cg.unit, pid: null, alive, reason }, key: `systemd\u0000${cg.unit}` };
    } else if (cg?.container) {
      const c = cg.container;
      r = {
        owner: { kind: 'container', name: shortId(c.id), pid: null, alive: null, reason: `in ${c.runtime} container ${shortId(c.id)}${c.pod ? ` of Kubernetes pod ${c.pod}` : ''} (cgroup ${cg.path})` },
        key: `container\u0000${c.id}`,
      };
    } else if (env?.invocationId !== undefined) {
      r = { owner: { kind: 'systemd', name: null, pid: null, alive: null, reason: `started by systemd (INVOCATION_ID ${env.invocationId}); its unit is unknown without cgroupfs` }, key: null };
    } else if (s.record) {
      r = { owner: { kind: 'record', name: s.record.source, pid: s.record.pid, alive: true, reason: `named by ${s.record.source}` }, key: null };
    } else if (s.parentOwns) {
      const parent = snap.processes.get(p.ppid);
      if (parent && parent.state !== 'Z' && p.ppid > 0) {
        const name = parent.argv.length ? parent.argv[0].split('/').pop()! : parent.comm;
        r = { owner: { kind: 'parent', name, pid: parent.pid, alive: true, reason: `child of ${parent.pid} (${name}), which is alive` }, key: null };
      }
    }
    if (r) out.set(p.pid, r);
  }
  return out;
}
