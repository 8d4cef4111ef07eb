/**
 * Flags of pod attribution (--split-by pod|workload, --namespace, --workload,
 * --cri-socket) → options. Kept apart from ./index.ts so `syscribe audit`
 * loads the attribution code (and gRPC) only when a run needs pods.
 */
import { UserError } from '../errors.js';

export type GroupBy = 'container' | 'pod' | 'workload';

/** The --split-by key of records whose process is in no container. */
export const NO_CONTAINER = 'no-container';

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

