/**
 * Deterministic serialisation: stable key order, names sorted, 2-space JSON,
 * trailing newline. The same profile always gives the same bytes. Argument
 * values are written exactly (64-bit values as integer literals, never doubles).
 */
import { yaml } from '../util/lazy-yaml.js';
import { stringifyJsonExact } from './exact-json.js';
import { canonicalArg } from './canonical.js';
import { SPO_GROUP, type SpoVersion } from './vocabulary.js';
import type { SeccompProfile, SyscallRule } from './types.js';

function orderRule(r: SyscallRule): SyscallRule {
  const o: SyscallRule = { names: [...new Set(r.names)].sort(), action: r.action };
  if (r.errnoRet !== undefined) o.errnoRet = r.errnoRet;
  if (r.args?.length) o.args = r.args.map(canonicalArg);
  return o;
}

/** The profile with keys in the order syscribe writes them. Rule order is kept: the writers make it canonical (canonical.ts). */
export function orderProfile(p: SeccompProfile): SeccompProfile {
  const o: SeccompProfile = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) o.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures) o.architectures = [...p.architectures];
  if (p.flags?.length) o.flags = [...p.flags].sort();
  if (p.listenerPath !== undefined) o.listenerPath = p.listenerPath;
  if (p.listenerMetadata !== undefined) o.listenerMetadata = p.listenerMetadata;
  o.syscalls = (p.syscalls ?? []).map(orderRule);
  return o;
}

export function profileToJson(p: SeccompProfile): string {
  return `${stringifyJsonExact(orderProfile(p), 2)}\n`;
}

export type CrdVersion = SpoVersion;

/**
 * A Security Profiles Operator SeccompProfile object holding the profile in
 * `spec`. SPO's spec has no defaultErrnoRet field (its ERRNO default is
 * EPERM), so it is left out; see crdDropsErrno.
 */
export function profileToCrd(p: SeccompProfile, opts: { name: string; version?: CrdVersion; namespace?: string } & CrdMeta): string {
  const metadata: Record<string, unknown> = { name: opts.name };
  if (opts.namespace) metadata.namespace = opts.namespace;
  if (opts.labels && Object.keys(opts.labels).length) metadata.labels = sortedRecord(opts.labels);
  if (opts.annotations && Object.keys(opts.annotations).length) metadata.annotations = sortedRecord(opts.annotations);
  const spec = orderProfile(p);
  delete spec.defaultErrnoRet;
  const doc = {
    apiVersion: `${SPO_GROUP}/${opts.version ?? 'v1beta1'}`,
    kind: 'SeccompProfile',
    metadata,
    spec,
  };
  return yaml().stringify(doc, { lineWidth: 0 });
}

/** Labels and annotations of a SeccompProfile object (e.g. SPO's partial-profile labels, src/attribution/spo.ts). */
export interface CrdMeta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Kubernetes object names: lowercase RFC 1123 subdomain. */
export function isValidK8sName(n: string): boolean {
  return n.length > 0 && n.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n);
}

/** True when writing `p` as a SeccompProfile loses a defaultErrnoRet other than EPERM. */
export function crdDropsErrno(p: SeccompProfile): boolean {
  return p.defaultErrnoRet !== undefined && p.defaultErrnoRet !== 1;
}
