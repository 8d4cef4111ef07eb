/**
 * Per-workload profiles as Security Profiles Operator (SPO) *partial*
 * SeccompProfile objects, labelled the way SPO's own recorder labels the
 * partial profiles of a ProfileRecording with `mergeStrategy: Containers`,
 * so that SPO's merger unites the partials of every node (and syscribe's
 * `merge --by workload` does the same without SPO).
 *
 * Read in kubernetes-sigs/security-profiles-operator, release v1.0.0
 * (commit 3452bfbe4821; unchanged at a2e4c4bdf47d, 2026-08-21):
 * - api/profilerecording/v1/profilerecording_types.go: the label keys
 *   `spo.x-k8s.io/recording-id` (ProfileRecording name),
 *   `spo.x-k8s.io/recording-namespace` (its namespace; SeccompProfile is
 *   cluster-scoped, see deploy/base-crds/crds/seccompprofile.yaml `scope: Cluster`),
 *   `spo.x-k8s.io/container-id` (the container *name*), and the finalizer
 *   `spo.x-k8s.io/has-unmerged-profiles`;
 * - api/profilebase/v1/profilebase.go: `spo.x-k8s.io/partial` (value "true";
 *   IsPartial tests presence; a partial profile is never installed on a node);
 * - internal/pkg/daemon/profilerecorder/profilerecorder.go: profileLabels()
 *   (the four labels above), createProfileName() (`<recording>-<container>`
 *   plus `-<replica suffix>` for replicated pods), the spec it writes
 *   (defaultAction SCMP_ACT_ERRNO, one SCMP_ACT_ALLOW rule, the node's arch);
 * - internal/pkg/manager/recordingmerger/merge_utils.go: listPartialProfiles()
 *   selects recording-id + recording-namespace + partial=true and groups by
 *   container-id; mergedProfileName() = `<recording>-<container-id>`;
 *   mergedObjectMeta() labels the result with recording-id and
 *   recording-namespace only; the union is util.UnionSyscalls. The merge runs
 *   when the ProfileRecording is deleted.
 */
import { type CrdMeta, isValidK8sName } from '../profile/serialize.js';
import type { MemberInfo } from './group.js';
import type { Workload } from './workload.js';

export const SPO_LABEL_PARTIAL = 'spo.x-k8s.io/partial';
export const SPO_LABEL_RECORDING = 'spo.x-k8s.io/recording-id';
export const SPO_LABEL_RECORDING_NAMESPACE = 'spo.x-k8s.io/recording-namespace';
export const SPO_LABEL_CONTAINER = 'spo.x-k8s.io/container-id';
export const SPO_FINALIZER_UNMERGED = 'spo.x-k8s.io/has-unmerged-profiles';
/** syscribe's own annotations (informational; SPO ignores them). */
export const ANNOTATION_WORKLOAD = 'syscribe/workload';
export const ANNOTATION_NODE = 'syscribe/node';

/** The container-id of a workload whose profile covers several containers (one profile per workload). */
export const ALL_CONTAINERS = 'all-containers';

/** A DNS-1123 label (63 chars max): lowercase, digits, '-', edges alphanumeric. Label *values* allow this too. */
export function dns1123Label(s: string): string {
  const x = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
  return x || 'x';
}

export interface SpoPartial extends CrdMeta {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The object name and labels of one node's partial profile of a workload.
 * recording-id = the workload's name (one ProfileRecording per workload);
 * container-id = the container's name when the workload ran one container on
 * this node, else ALL_CONTAINERS (syscribe writes one profile per workload);
 * name = `<recording>-<container>-<node>` (SPO uses the pod's replica suffix;
 * a node agent writes one partial per node). Undefined when the members name
 * no workload (no CRI answer): such a profile is written unlabelled.
 */
export function spoPartialMeta(members: readonly MemberInfo[], node: string): SpoPartial | undefined {
  const w = members.find((m) => m.workload)?.workload;
  if (!w) return undefined;
  const names = [...new Set(members.map((m) => m.container).filter((c): c is string => !!c))];
  const container = names.length === 1 ? dns1123Label(names[0]!) : ALL_CONTAINERS;
  const recording = dns1123Label(w.name);
  const nodePart = dns1123Label(node);
  const name = `${recording}-${container}-${nodePart}`.slice(0, 253).replace(/-+$/, '');
  if (!isValidK8sName(name)) return undefined;
  return {
    name,
    labels: {
      [SPO_LABEL_RECORDING]: recording,
      [SPO_LABEL_RECORDING_NAMESPACE]: dns1123Label(w.namespace),
      [SPO_LABEL_CONTAINER]: container,
      [SPO_LABEL_PARTIAL]: 'true',
    },
    annotations: { [ANNOTATION_WORKLOAD]: workloadRef(w), [ANNOTATION_NODE]: node },
  };
}

export function workloadRef(w: Workload): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

/** The key SPO's merger groups partials by, or undefined when `labels` are not a partial's. */
export interface PartialKey {
  recording: string;
  namespace: string;
  container: string;
}

export function partialKeyOf(labels: Readonly<Record<string, unknown>> | undefined): PartialKey | undefined {
  if (!labels || !(SPO_LABEL_PARTIAL in labels)) return undefined;
  const recording = labels[SPO_LABEL_RECORDING];
  const namespace = labels[SPO_LABEL_RECORDING_NAMESPACE];
  const container = labels[SPO_LABEL_CONTAINER];
  if (typeof recording !== 'string' || typeof namespace !== 'string' || typeof container !== 'string' || !recording || !container) return undefined;
  return { recording, namespace, container };
}

/** The merged object's name and labels, as SPO's mergedProfileName() / mergedObjectMeta() make them. */
export function spoMergedMeta(k: PartialKey): { name: string; labels: Record<string, string> } {
  return {
    name: `${k.recording}-${k.container}`,
    labels: { [SPO_LABEL_RECORDING]: k.recording, [SPO_LABEL_RECORDING_NAMESPACE]: k.namespace },
  };
}
