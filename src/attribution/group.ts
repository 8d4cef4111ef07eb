/**
 * Per-container observations → per-pod or per-workload groups, with the
 * --namespace / --workload filters. The runtime is asked once (through a
 * PodDirectory) for every container id seen; ids it does not know, and named
 * containers, keep their container id as key (`pod-<uid>` when the cgroup
 * named the pod), so nothing is dropped silently.
 */
import { Collector } from '../collect/collector.js';
import { OptionError } from '../errors.js';
import { isHexId } from './cgroup.js';
import { type GroupBy, NO_CONTAINER } from './options.js';

export { type GroupBy, NO_CONTAINER } from './options.js';
import type { PodContainer, PodDirectory } from './pods.js';
import { type Workload, workloadKey, workloadOf } from './workload.js';


/** What the audit pass kept for one container (key: its id, or NO_CONTAINER). */
export interface ContainerObservations {
  collector: Collector;
  records: number;
  podUid?: string;
}


export interface MemberInfo {
  id: string;
  records: number;
  container?: string;
  pod?: string;
  namespace?: string;
  podUid?: string;
  workload?: Workload;
}

export interface Group {
  key: string;
  collector: Collector;
  records: number;
  containers: MemberInfo[];
}

export interface GroupOptions {
  by: GroupBy;
  namespaces?: Set<string>;
  /** Workload names (`name` or `Kind/name`, Kind case-insensitive). */
  workloads?: Set<string>;
}

export interface Grouped {
  groups: Group[];
  /** Records dropped by --namespace / --workload. */
  filtered: number;
  /** One line when the runtime could not be asked (then keys fall back to container ids). */
  notice?: string;
}

function matchesWorkload(w: Workload | undefined, want: Set<string>): boolean {
  if (!w) return false;
  for (const x of want) {
    const slash = x.indexOf('/');
    if (slash < 0 ? x === w.name : x.slice(0, slash).toLowerCase() === w.kind.toLowerCase() && x.slice(slash + 1) === w.name) return true;
  }
  return false;
}

export async function groupContainers(perContainer: Map<string, ContainerObservations>, pods: PodDirectory | undefined, opts: GroupOptions): Promise<Grouped> {
  const filtering = !!(opts.namespaces || opts.workloads);
  const needCri = filtering || opts.by !== 'container';
  const ids = [...perContainer.keys()].filter((k) => k !== NO_CONTAINER && isHexId(k));
  // No container seen: nothing to ask (and gRPC is not loaded).
  const ask = needCri && pods !== undefined && ids.length > 0;
  const known: Map<string, PodContainer> = ask ? await pods.resolve(ids) : new Map();
  const notice = ask ? pods.failure : undefined;
  if (filtering && notice) throw new OptionError((n) => `${n(opts.namespaces ? 'namespaces' : 'workloads')} needs the container runtime's CRI: ${notice}`);

  const groups = new Map<string, Group>();
  let filtered = 0;
  for (const [id, obs] of perContainer) {
    const pc = known.get(id);
    const workload = pc ? workloadOf({ name: pc.podName, namespace: pc.podNamespace, labels: pc.podLabels }) : undefined;
    if ((opts.namespaces && !(pc && opts.namespaces.has(pc.podNamespace))) || (opts.workloads && !matchesWorkload(workload, opts.workloads))) {
      filtered += obs.records;
      continue;
    }
    let key: string;
    if (opts.by === 'container' || id === NO_CONTAINER) key = id;
    else if (pc && opts.by === 'pod') key = `${pc.podNamespace}-${pc.podName}`;
    else if (pc && workload) key = workloadKey(workload);
    else key = obs.podUid ? `pod-${obs.podUid}` : id;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, collector: new Collector(), records: 0, containers: [] }));
    g.collector.absorb(obs.collector.result());
    g.records += obs.records;
    const m: MemberInfo = { id, records: obs.records };
    if (pc) Object.assign(m, { container: pc.name, pod: pc.podName, namespace: pc.podNamespace, podUid: pc.podUid, workload });
    else if (obs.podUid) m.podUid = obs.podUid;
    g.containers.push(m);
  }
  const out: Grouped = { groups: [...groups.values()].sort((a, b) => a.key.localeCompare(b.key)), filtered };
  if (notice) out.notice = notice;
  return out;
}
