/**
 * Fleet attribution for `syscribe audit`: pid → container (cgroups,
 * src/ingest/container.ts + ./cgroup.ts) → pod (the runtime's CRI, ./pods.ts)
 * → workload (./workload.ts). The audit pass keeps one collector per
 * container; this turns them into per-pod / per-workload groups, applies
 * --namespace / --workload, and merges what is kept when one profile is asked for.
 */
import { Collector } from '../collect/collector.js';
import { UserError } from '../errors.js';
import type { Observed } from '../collect/collector.js';
import { type ContainerObservations, type GroupBy, type Grouped, type MemberInfo, groupContainers } from './group.js';
import { PodDirectory } from './pods.js';

export interface PodAttributionOptions {
  by: GroupBy;
  namespaces?: Set<string>;
  workloads?: Set<string>;
  criSocket?: string;
}

function set(list: string[] | undefined): Set<string> | undefined {
  const v = list?.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  return v?.length ? new Set(v) : undefined;
}

/** Flags → options, or undefined when nothing needs pods (throws UserError on combinations that cannot work). */
export function podOptionsFrom(f: { split?: string; namespace?: string[]; workload?: string[]; criSocket?: string }): PodAttributionOptions | undefined {
  const namespaces = set(f.namespace);
  const workloads = set(f.workload);
  const byPods = f.split === 'pod' || f.split === 'workload';
  if (!byPods && !namespaces && !workloads) {
    if (f.criSocket !== undefined) throw new UserError('--cri-socket goes with --split-by pod|workload, --namespace or --workload');
    return undefined;
  }
  if ((namespaces || workloads) && (f.split === 'exe' || f.split === 'comm')) throw new UserError(`--namespace / --workload go with --split-by container, pod or workload (not ${f.split})`);
  const o: PodAttributionOptions = { by: byPods ? (f.split as GroupBy) : 'container' };
  if (namespaces) o.namespaces = namespaces;
  if (workloads) o.workloads = workloads;
  if (f.criSocket !== undefined) o.criSocket = f.criSocket;
  return o;
}

export interface AuditAttribution extends Grouped {
  /** Everything kept, as one result (the run's line counts and loss), for a single profile. */
  merged: Observed;
}

/**
 * Per-container collectors of an audit pass (key: container id or name, or
 * `no-container`) → groups. `totals` is the whole pass (line counts, loss).
 */
export async function attributeAudit(byContainer: Map<string, Collector>, perKey: Map<string, { records: number; podUid?: string }>, totals: Observed, o: PodAttributionOptions): Promise<AuditAttribution> {
  const per = new Map<string, ContainerObservations>();
  for (const [id, collector] of byContainer) {
    const k = perKey.get(id);
    const obs: ContainerObservations = { collector, records: k?.records ?? 0 };
    if (k?.podUid) obs.podUid = k.podUid;
    per.set(id, obs);
  }
  const pods = new PodDirectory(o.criSocket);
  let grouped: Grouped;
  try {
    const opts: Parameters<typeof groupContainers>[2] = { by: o.by };
    if (o.namespaces) opts.namespaces = o.namespaces;
    if (o.workloads) opts.workloads = o.workloads;
    grouped = await groupContainers(per, pods, opts);
  } finally {
    pods.close();
  }
  const all = new Collector();
  for (const g of grouped.groups) all.absorb(g.collector.result());
  const r = all.result();
  const merged: Observed = { ...r, lines: totals.lines, malformed: totals.malformed, lost: totals.lost, loss: totals.loss, lossSignals: totals.lossSignals };
  return { ...grouped, merged };
}

/** `web-7d4b9c8f5-x2x9k/nginx, web-7d4b9c8f5-q8j2m/nginx` (pods/containers of a group), or the ids. */
export function describeMembers(ms: MemberInfo[]): string {
  const names = ms.map((m) => (m.pod ? `${m.pod}/${m.container}` : m.id === 'no-container' ? m.id : m.id.slice(0, 12)));
  return names.length > 4 ? `${names.slice(0, 4).join(', ')}, … (${names.length} containers)` : names.join(', ');
}
