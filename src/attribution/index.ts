/**
 * Fleet attribution for `syscribe audit`: pid → container (cgroups,
 * src/ingest/container.ts + ./cgroup.ts) → pod (the runtime's CRI, ./pods.ts)
 * → workload (./workload.ts). The audit pass keeps one collector per
 * container; this turns them into per-pod / per-workload groups, applies
 * --namespace / --workload, and merges what is kept when one profile is asked for.
 */
import { Collector } from '../collect/collector.js';
import type { Observed } from '../collect/collector.js';
import { type ContainerObservations, type Grouped, groupContainers } from './group.js';
import type { PodAttributionOptions } from './options.js';

export type { PodAttributionOptions } from './options.js';
import { PodDirectory } from './pods.js';

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
  const pods = new PodDirectory(o.criSocket, undefined, o.name);
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
