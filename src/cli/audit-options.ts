/**
 * The audit command's own flags: the record filters (--pid, --comm, --exe,
 * --uid, --since/--until, --action, --container) → AuditFilter, pod
 * attribution (--split-by pod|workload, --namespace, --workload,
 * --cri-socket) → PodAttributionOptions, and the summary's words for what
 * each filter removed. The domain (ingest/audit-filter.ts,
 * src/attribution/) takes the typed options and never sees a flag.
 */
import { UserError } from '../errors.js';
import { AUDIT_ACTIONS, type AuditFilter, type FilterCounts, FILTER_ORDER, KILL_ANY, isContainerSelector } from '../ingest/audit-filter.js';
import type { MemberInfo } from '../attribution/group.js';
import type { GroupBy, PodAttributionOptions } from '../attribution/options.js';

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

/** The filter flags → filter (throws UserError on bad values). */
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
      if (!isContainerSelector(c)) throw new UserError(`--container ${c}: not a container id (hex, a prefix is enough) nor a container name (letters, digits, _ . -)`);
      return c;
    });
  }
  return o;
}

/** Each filter's flag. */
const FILTER_FLAG: Readonly<Record<keyof AuditFilter, string>> = {
  pids: '--pid', uids: '--uid', comms: '--comm', exes: '--exe', since: '--since', until: '--until', actions: '--action', containers: '--container',
};

/** Per flag, for JSON: { "--comm": 10, "--since": 0 } (every given filter, zero included). */
export function filterCountsByFlag(f: AuditFilter, removed: FilterCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of FILTER_ORDER) if (f[k] !== undefined) out[FILTER_FLAG[k]] = removed[k] ?? 0;
  return out;
}

/** One summary line: what each filter removed, and what was kept. */
export function formatFilterCounts(f: AuditFilter, removed: FilterCounts, kept: number): string {
  const by = Object.entries(filterCountsByFlag(f, removed));
  const total = by.reduce((n, [, c]) => n + c, 0);
  if (!by.length) return `filters: none (${kept} records kept)`;
  return `filters: ${by.map(([flag, c]) => `${flag} removed ${c}`).join(', ')} (${total} records removed, ${kept} kept)`;
}

/**
 * What --namespace / --workload removed, for the run's summary: JSON fields
 * (`filteredByPod`, `kept`) and a line, or none when neither was given.
 */
export function podFilterCounts(filtered: number, o: PodAttributionOptions, keptBefore: number): { json: Record<string, unknown>; line?: string } {
  if (!o.namespaces && !o.workloads) return { json: {} };
  const flags = [o.namespaces ? '--namespace' : '', o.workloads ? '--workload' : ''].filter(Boolean).join(' / ');
  const kept = keptBefore - filtered;
  return { json: { filteredByPod: { [flags]: filtered }, kept }, line: `pod filters: ${flags} removed ${filtered} (${kept} kept)` };
}

function set(list: string[] | undefined): Set<string> | undefined {
  const v = list?.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  return v?.length ? new Set(v) : undefined;
}

/** The pod attribution flags → options, or undefined when nothing needs pods (throws UserError on combinations that cannot work). */
export function podOptionsFrom(f: { split?: string; namespace?: string[]; workload?: string[]; criSocket?: string }): PodAttributionOptions | undefined {
  const namespaces = set(f.namespace);
  const workloads = set(f.workload);
  const groupBy: GroupBy = f.split === 'pod' || f.split === 'workload' ? f.split : 'container';
  const byPods = groupBy !== 'container';
  if (!byPods && !namespaces && !workloads) {
    if (f.criSocket !== undefined) throw new UserError('--cri-socket goes with --split-by pod|workload, --namespace or --workload');
    return undefined;
  }
  if ((namespaces || workloads) && (f.split === 'exe' || f.split === 'comm')) throw new UserError(`--namespace / --workload go with --split-by container, pod or workload (not ${f.split})`);
  const o: PodAttributionOptions = { by: groupBy };
  if (namespaces) o.namespaces = namespaces;
  if (workloads) o.workloads = workloads;
  if (f.criSocket !== undefined) o.criSocket = f.criSocket;
  return o;
}

/** What the record filters did (an AuditSink's counts): the summary line and the JSON fields. */
export function filterSummary(c: { filter: AuditFilter; removedBy: FilterCounts; kept: number; filtered: number }): { line: string; json: Record<string, unknown> } {
  return {
    line: formatFilterCounts(c.filter, c.removedBy, c.kept),
    json: { filtered: c.filtered, filteredBy: filterCountsByFlag(c.filter, c.removedBy), kept: c.kept },
  };
}

/** `web-7d4b9c8f5-x2x9k/nginx, web-7d4b9c8f5-q8j2m/nginx` (pods/containers of a group), or the ids. */
export function describeMembers(ms: MemberInfo[]): string {
  const names = ms.map((m) => (m.pod ? `${m.pod}/${m.container}` : m.id === 'no-container' ? m.id : m.id.slice(0, 12)));
  return names.length > 4 ? `${names.slice(0, 4).join(', ')}, … (${names.length} containers)` : names.join(', ');
}
