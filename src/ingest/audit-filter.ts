/**
 * Which audit observations a run keeps (--pid, --comm, --exe, --uid,
 * --since/--until, --action, --container). Pure: the container id comes from
 * a lookup function the caller supplies (src/ingest/container.ts).
 */
import { UserError } from '../errors.js';
import type { Observation } from '../types.js';

export const AUDIT_ACTIONS = ['log', 'errno', 'trap', 'kill_thread', 'kill_process', 'user_notif', 'trace', 'allow'] as const;
/**
 * `ausearch -i` prints `code=kill` for both kill actions, so such a record's
 * action is `kill`: it passes --action kill_thread and --action kill_process,
 * and --action kill keeps all three.
 */
const KILL_ANY = 'kill';

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

/** `1795356307`, `1795356307.397`, or anything Date.parse understands (ISO 8601) → epoch seconds. */
export function parseTime(s: string, flag: string): number {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new UserError(`${flag} ${s}: not a time (epoch seconds or ISO 8601, e.g. 2026-11-23T06:05:01Z)`);
  return ms / 1000;
}

function ints(list: Array<string | number> | undefined, flag: string): Set<number> | undefined {
  if (!list?.length) return undefined;
  return new Set(list.flatMap((v) => String(v).split(',')).filter(Boolean).map((v) => {
    if (!/^\d+$/.test(v)) throw new UserError(`${flag} ${v}: not a number`);
    return Number(v);
  }));
}

function strs(list: string[] | undefined): Set<string> | undefined {
  return list?.length ? new Set(list) : undefined;
}

export interface FilterFlags {
  pid?: Array<string | number>;
  comm?: string[];
  exe?: string[];
  uid?: Array<string | number>;
  since?: string;
  until?: string;
  action?: string[];
  container?: string[];
}

/** Command-line flags → filter (throws UserError on bad values). */
export function filterFrom(f: FilterFlags): AuditFilter {
  const o: AuditFilter = {};
  const pids = ints(f.pid, '--pid');
  if (pids) o.pids = pids;
  const uids = ints(f.uid, '--uid');
  if (uids) o.uids = uids;
  const comms = strs(f.comm);
  if (comms) o.comms = comms;
  const exes = strs(f.exe);
  if (exes) o.exes = exes;
  if (f.since !== undefined) o.since = parseTime(f.since, '--since');
  if (f.until !== undefined) o.until = parseTime(f.until, '--until');
  if (o.since !== undefined && o.until !== undefined && o.since > o.until) throw new UserError('--since is after --until');
  if (f.action?.length) {
    const acts = f.action.flatMap((a) => a.split(',')).filter(Boolean).map((a) => a.toLowerCase().replace(/-/g, '_'));
    const all = acts.includes('all');
    for (const a of acts) if (a !== 'all' && a !== KILL_ANY && !(AUDIT_ACTIONS as readonly string[]).includes(a)) throw new UserError(`--action ${a}: unknown (one of all, kill, ${AUDIT_ACTIONS.join(', ')})`);
    if (!all) {
      o.actions = new Set(acts.flatMap((a) => (a === KILL_ANY ? [KILL_ANY, 'kill_thread', 'kill_process'] : a === 'kill_thread' || a === 'kill_process' ? [a, KILL_ANY] : [a])));
    }
  }
  if (f.container?.length) {
    o.containers = f.container.flatMap((c) => c.split(',')).filter(Boolean).map((c) => {
      if (!HEX_PREFIX.test(c) && !CONTAINER_NAME.test(c)) throw new UserError(`--container ${c}: not a container id (hex, a prefix is enough) nor a container name (letters, digits, _ . -)`);
      return c;
    });
  }
  return o;
}

const HEX_PREFIX = /^[0-9a-fA-F]{1,64}$/;
/** Names runc, crun and LXC accept for containers (runc: ^[\w+-\.]+$). */
const CONTAINER_NAME = /^[A-Za-z0-9_+.-]{1,1024}$/;
const HEX_ID = /^[0-9a-f]+$/;

/** Does a --container value select this container (id or name)? Hex values are id prefixes; names match exactly. */
export function containerMatches(want: string, id: string): boolean {
  if (want === id) return true;
  return HEX_PREFIX.test(want) && HEX_ID.test(id) && id.startsWith(want.toLowerCase());
}

/** The filters in the order they are applied, with their flags. */
export const FILTER_FLAGS: ReadonlyArray<readonly [keyof AuditFilter, string]> = [
  ['pids', '--pid'], ['uids', '--uid'], ['comms', '--comm'], ['exes', '--exe'],
  ['since', '--since'], ['until', '--until'], ['actions', '--action'], ['containers', '--container'],
];

/**
 * The first filter (in FILTER_FLAGS order) that removes the observation, or
 * undefined when it passes. `containerOf` is only called when --container is given.
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

/** Per flag, for JSON: { "--comm": 10, "--since": 0 } (every given filter, zero included). */
export function filterCountsByFlag(f: AuditFilter, removed: FilterCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, flag] of FILTER_FLAGS) if (f[k] !== undefined) out[flag] = removed[k] ?? 0;
  return out;
}

/** One summary line: what each filter removed, and what was kept. */
export function formatFilterCounts(f: AuditFilter, removed: FilterCounts, kept: number): string {
  const by = Object.entries(filterCountsByFlag(f, removed));
  const total = by.reduce((n, [, c]) => n + c, 0);
  if (!by.length) return `filters: none (${kept} records kept)`;
  return `filters: ${by.map(([flag, c]) => `${flag} removed ${c}`).join(', ')} (${total} records removed, ${kept} kept)`;
}
