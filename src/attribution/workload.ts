/**
 * pod → the workload that owns it, so the replicas of one Deployment (or the
 * pods of one StatefulSet, DaemonSet, CronJob) share one profile. The CRI does
 * not carry owner references; the owner is read from the labels the
 * controllers put on their pods and, failing those, from the pod name's shape:
 *
 * | owner | labels | pod name |
 * |---|---|---|
 * | Deployment (via ReplicaSet) | `pod-template-hash=<h>` | `<name>-<h>-<5>` |
 * | StatefulSet | `controller-revision-hash`, `statefulset.kubernetes.io/pod-name` | `<name>-<ordinal>` |
 * | DaemonSet | `controller-revision-hash`, `pod-template-generation` | `<name>-<5>` |
 * | Job | `job-name` / `batch.kubernetes.io/job-name` | `<job>-<5>` |
 * | CronJob (via Job) | the same, job `<name>-<scheduled minute>` | `<name>-<minutes>-<5>` |
 *
 * `<5>` and `<h>` are Kubernetes' random/"safe" strings: the alphabet
 * bcdfghjklmnpqrstvwxz2456789 (no vowels, no 0/1/3). A pod that matches
 * nothing is its own workload (kind Pod).
 */

export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod';

export interface PodRef {
  name: string;
  namespace: string;
  /** Pod labels (the CRI gives them on the sandbox). */
  labels?: Record<string, string>;
}

export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** How the owner was found: from labels, or guessed from the pod name alone. */
  from: 'labels' | 'name';
}

const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const RAND5 = new RegExp(`^(.+)-${SAFE}{5}$`);
const DEPLOY = new RegExp(`^(.+)-(${SAFE}{1,10})-${SAFE}{5}$`);
const CRON_POD = new RegExp(`^(.+)-(\\d{8,})-${SAFE}{5}$`);
const CRON_JOB = /^(.+)-(\d{8,})$/;
const ORDINAL = /^(.+)-(\d+)$/;

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function jobOwner(job: string, namespace: string, from: Workload['from']): Workload {
  // A CronJob names its Jobs <cronjob>-<scheduled time in minutes since the epoch>.
  const c = CRON_JOB.exec(job);
  return c ? { kind: 'CronJob', name: c[1]!, namespace, from } : { kind: 'Job', name: job, namespace, from };
}

export function workloadOf(pod: PodRef): Workload {
  const { name, namespace } = pod;
  const l = pod.labels ?? {};
  const job = l['batch.kubernetes.io/job-name'] ?? l['job-name'];
  if (job) return jobOwner(job, namespace, 'labels');
  const hash = l['pod-template-hash'];
  if (hash) {
    // The ReplicaSet is <deployment>-<hash>; its pods <replicaset>-<5>.
    const m = new RegExp(`^(.+)-${esc(hash)}-[a-z0-9]{5}$`).exec(name);
    if (m) return { kind: 'Deployment', name: m[1]!, namespace, from: 'labels' };
    const rs = RAND5.exec(name)?.[1] ?? name;
    const d = new RegExp(`^(.+)-${esc(hash)}$`).exec(rs);
    return d ? { kind: 'Deployment', name: d[1]!, namespace, from: 'labels' } : { kind: 'ReplicaSet', name: rs, namespace, from: 'labels' };
  }
  if (l['controller-revision-hash']) {
    // Both StatefulSets and DaemonSets label their pods with it; a DaemonSet adds pod-template-generation.
    const o = ORDINAL.exec(name);
    if (o && (l['statefulset.kubernetes.io/pod-name'] !== undefined || l['pod-template-generation'] === undefined)) {
      return { kind: 'StatefulSet', name: o[1]!, namespace, from: 'labels' };
    }
    const d = RAND5.exec(name);
    if (d) return { kind: 'DaemonSet', name: d[1]!, namespace, from: 'labels' };
  }
  // No controller labels: the name's shape.
  let m = CRON_POD.exec(name);
  if (m) return { kind: 'CronJob', name: m[1]!, namespace, from: 'name' };
  m = DEPLOY.exec(name);
  if (m && m[2]!.length >= 6) return { kind: 'Deployment', name: m[1]!, namespace, from: 'name' };
  m = ORDINAL.exec(name);
  if (m) return { kind: 'StatefulSet', name: m[1]!, namespace, from: 'name' };
  // <name>-<5>: a DaemonSet, a Job or a bare ReplicaSet; all share the prefix.
  m = RAND5.exec(name);
  if (m) return { kind: 'DaemonSet', name: m[1]!, namespace, from: 'name' };
  return { kind: 'Pod', name, namespace, from: 'name' };
}

/** The file-name key of a workload: `<namespace>-<name>` (a Pod's own name when it has no owner). */
export function workloadKey(w: Workload): string {
  return `${w.namespace}-${w.name}`;
}
