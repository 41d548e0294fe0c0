import type { CgroupInfo } from './types.js';

const HEX64 = '[0-9a-f]{64}';
/** Container scopes by runtime: systemd-driver scope names and cgroupfs-driver paths. */
const CONTAINER_PATTERNS: ReadonlyArray<[RegExp, NonNullable<CgroupInfo['container']>['runtime']]> = [
  [new RegExp(`^docker-(${HEX64})\\.scope$`), 'docker'],
  [new RegExp(`^cri-containerd-(${HEX64})\\.scope$`), 'containerd'],
  [new RegExp(`^crio-(${HEX64})\\.scope$`), 'cri-o'],
  [new RegExp(`^libpod-(${HEX64})\\.scope$`), 'podman'],
];

/** A bare container id segment (cgroupfs driver); compiled once, not once per path segment. */
const HEX64_SEGMENT = new RegExp(`^${HEX64}$`);

/** The pod uid in a kubepods path segment (`pod1a2b…` or `kubepods-burstable-pod1a2b_….slice`). */
function podOf(segment: string): string | null {
  const m = /(?:^|-)pod([0-9a-f][0-9a-f_-]{7,})(?:\.slice)?$/.exec(segment);
  return m ? m[1].replace(/_/g, '-') : null;
}

/** Unit and container facts of one cgroup path (`/system.slice/docker-<id>.scope`, `/kubepods/…/<id>`). */
export function parseCgroupPath(path: string): CgroupInfo {
  const segs = path.split('/').filter(Boolean);
  let unit: string | null = null;
  let container: CgroupInfo['container'] = null;
  let pod: string | null = null;
  let manager: number | null = null;
  let userManager: number | null = null;
  const kube = segs.some((s) => s.startsWith('kubepods'));
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (kube) pod = podOf(s) ?? pod;
    for (const [re, runtime] of CONTAINER_PATTERNS) {
      const m = re.exec(s);
      if (m) container = { runtime, id: m[1], pod: null };
    }
    // cgroupfs driver: /docker/<id>, /kubepods/<qos>/pod<uid>/<id>, /machine.slice/libpod-…
    if (i > 0 && HEX64_SEGMENT.test(s)) {
      const parent = segs[i - 1];
      if (parent === 'docker') container = { runtime: 'docker', id: s, pod: null };
      else if (kube) container = { runtime: 'containerd', id: s, pod: null };
    }
    if (s.endsWith('.service') && !container) {
      // user@UID.service is the user manager, a system unit; a service below it is the user manager's.
      const um = /^user@(\d+)\.service$/.exec(s);
      if (um && manager === null) manager = Number(um[1]);
      else if (manager !== null) userManager = manager;
      unit = s;
    }
  }
  if (container && pod) container.pod = pod;
  if (container) unit = null; // a service *inside* a container is the container's business
  if (container) userManager = null;
  return { path, unit, container, userManager };
}

/**
 * Parsed cgroup files by their text: the processes of one unit or container share one file, so a
 * sweep of 1,000 workers parses it once instead of 1,000 times (it was a tenth of the scan's
 * allocations). Bounded: cleared when it holds CGROUP_CACHE_MAX texts. The results are frozen,
 * as they are shared.
 */
const cgroupCache = new Map<string, CgroupInfo | null>();
const CGROUP_CACHE_MAX = 512;

/**
 * Parses `/proc/PID/cgroup`: the v2 line (`0::PATH`) first, then v1 `name=systemd`, then any
 * other v1 controller (for container paths). Null when no line names a unit or a container.
 * Equal texts give the same (frozen) object.
 */
export function parseCgroup(text: string): Readonly<CgroupInfo> | null {
  let info = cgroupCache.get(text);
  if (info === undefined) {
    info = parseCgroupText(text);
    if (info) {
      if (info.container) Object.freeze(info.container);
      Object.freeze(info);
    }
    if (cgroupCache.size >= CGROUP_CACHE_MAX) cgroupCache.clear();
    cgroupCache.set(text, info);
  }
  return info;
}

function parseCgroupText(text: string): CgroupInfo | null {
  const lines = text.split('\n');
  const byKind: string[] = [];
  const others: string[] = [];
  for (const line of lines) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (line.slice(0, a) === '0' && controllers === '') byKind.unshift(path);
    else if (controllers === 'name=systemd') byKind.push(path);
    else others.push(path);
  }
  for (const path of [...byKind, ...others]) {
    if (path === '/' || path === '') continue;
    const info = parseCgroupPath(path);
    if (info.unit || info.container) return info;
  }
  return null;
}

/** A container's short id, as `docker ps` shows it. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}
