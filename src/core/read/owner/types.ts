/** Who an owner is: the kinds of evidence, strongest first (design.md section 4). */
export type OwnerKind = 'pm2' | 'supervisord' | 'mediamtx' | 'procsweep-run' | 'systemd' | 'container' | 'record' | 'parent';

/** Every owner kind, for `--owner KIND[:NAME]` validation and docs. */
export const OWNER_KINDS: readonly OwnerKind[] = ['pm2', 'supervisord', 'mediamtx', 'procsweep-run', 'systemd', 'container', 'record', 'parent'];

/** What a unit-state query answers for a unit the system manager does not know (`LoadState=not-found`). */
export const NOT_FOUND = 'not-found';

/** The owner of a matched process, as `list --json` shows it. `alive` is null when unknown. */
export interface Owner {
  kind: OwnerKind;
  /** The unit, the container's short id, the PM2 app name, the supervisord program, ... */
  name: string | null;
  /** The owner's process (PM2 daemon, supervisord, MediaMTX, procsweep run, parent), when known. */
  pid: number | null;
  alive: boolean | null;
  reason: string;
}

/** What a process's cgroup says (`/proc/PID/cgroup`, v2 `0::` or v1 `name=systemd`). */
export interface CgroupInfo {
  /** The cgroup path the facts were read from. */
  path: string;
  /** The systemd service unit that holds it (`cam-ingest.service`), when any. */
  unit: string | null;
  /** The container scope that holds it, when any. */
  container: { runtime: 'docker' | 'containerd' | 'cri-o' | 'podman'; id: string; pod: string | null } | null;
  /** The uid of the user manager (`user@UID.service`) whose service `unit` is; null for a system unit. */
  userManager: number | null;
}

/** What a supervisor left in a process's environment (`/proc/PID/environ`); only the keys procsweep reads. */
export interface EnvInfo {
  pm2Home?: string;
  pmId?: string;
  /** PM2's app name (`name`), only taken when `pm_id` is there too. */
  pm2Name?: string;
  supervisorProcess?: string;
  supervisorGroup?: string;
  supervisorUrl?: string;
  mtxPath?: string;
  invocationId?: string;
  /** `PROCSWEEP_KEEP=1`. */
  keep?: boolean;
}

/** The ownership evidence read for one matched process; null fields could not be read. */
export interface Evidence {
  cgroup: CgroupInfo | null;
  env: EnvInfo | null;
}
