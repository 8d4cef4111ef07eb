/**
 * Which audit observations a run keeps: by pid, comm, exe, uid, time,
 * seccomp action, container. Pure: the container id comes from a lookup
 * function the caller supplies (src/ingest/container.ts). The flags that set
 * a filter are parsed in src/cli/audit-options.ts.
 */
import type { Observation } from '../types.js';

export const AUDIT_ACTIONS = ['log', 'errno', 'trap', 'kill_thread', 'kill_process', 'user_notif', 'trace', 'allow'] as const;
/**
 * `ausearch -i` prints `code=kill` for both kill actions, so such a record's
 * action is `kill`: it passes --action kill_thread and --action kill_process,
 * and --action kill keeps all three.
 */
export const KILL_ANY = 'kill';

export interface AuditFilter {
  pids?: Set<number>;
  comms?: Set<string>;
  exes?: Set<string>;
  uids?: Set<number>;
  /** Seconds since the epoch (inclusive). */
  since?: number;
  until?: number;
  actions?: Set<string>;
  /** Container id prefixes (hex), or container names (runc, crun, LXC) matched exactly. */
  containers?: string[];
}

const HEX_PREFIX = /^[0-9a-fA-F]{1,64}$/;
/** Names runc, crun and LXC accept for containers (runc: ^[\w+-\.]+$). */
const CONTAINER_NAME = /^[A-Za-z0-9_+.-]{1,1024}$/;
const HEX_ID = /^[0-9a-f]+$/;

/** Can `s` select a container: an id (hex, a prefix is enough) or a container name? */
export function isContainerSelector(s: string): boolean {
  return HEX_PREFIX.test(s) || CONTAINER_NAME.test(s);
}

/** Does a container selector (a --container value) select this container (id or name)? Hex values are id prefixes; names match exactly. */
export function containerMatches(want: string, id: string): boolean {
  if (want === id) return true;
  return HEX_PREFIX.test(want) && HEX_ID.test(id) && id.startsWith(want.toLowerCase());
}

/** The filters in the order they are applied. */
export const FILTER_ORDER: ReadonlyArray<keyof AuditFilter> = ['pids', 'uids', 'comms', 'exes', 'since', 'until', 'actions', 'containers'];

/**
 * The first filter (in FILTER_ORDER) that removes the observation, or
 * undefined when it passes. `containerOf` is only called when containers are filtered.
 */
export function rejectedBy(o: Observation, f: AuditFilter, containerOf?: (o: Observation) => string | undefined): keyof AuditFilter | undefined {
  if (f.pids && (o.pid === undefined || !f.pids.has(o.pid))) return 'pids';
  if (f.uids && (o.uid === undefined || !f.uids.has(o.uid))) return 'uids';
  if (f.comms && (o.comm === undefined || !f.comms.has(o.comm))) return 'comms';
  if (f.exes && (o.exe === undefined || !f.exes.has(o.exe))) return 'exes';
  if (f.since !== undefined && (o.time === undefined || o.time < f.since)) return 'since';
  if (f.until !== undefined && (o.time === undefined || o.time > f.until)) return 'until';
  if (f.actions && (o.action === undefined || !f.actions.has(o.action))) return 'actions';
  if (f.containers) {
    const id = containerOf?.(o);
    if (id === undefined || !f.containers.some((p) => containerMatches(p, id))) return 'containers';
  }
  return undefined;
}

/** Does the observation pass? */
export function keep(o: Observation, f: AuditFilter, containerOf?: (o: Observation) => string | undefined): boolean {
  return rejectedBy(o, f, containerOf) === undefined;
}

/** Records each given filter removed (a record counts once, for the first filter it fails). */
export type FilterCounts = Partial<Record<keyof AuditFilter, number>>;
