/**
 * Deterministic serialisation: stable key order, names sorted, 2-space JSON,
 * trailing newline. The same profile always gives the same bytes. Argument
 * values are written exactly (64-bit values as integer literals, never doubles).
 */
import { yaml } from '../util/lazy-yaml.js';
import { stringifyJsonExact } from './exact-json.js';
import type { SeccompArg, SeccompProfile, SyscallRule } from './types.js';

/** Key order index, value, valueTwo (only when not 0), op. */
function orderArg(a: SeccompArg): SeccompArg {
  return a.valueTwo ? { index: a.index, value: a.value, valueTwo: a.valueTwo, op: a.op } : { index: a.index, value: a.value, op: a.op };
}

function orderRule(r: SyscallRule): SyscallRule {
  const o: SyscallRule = { names: [...new Set(r.names)].sort(), action: r.action };
  if (r.errnoRet !== undefined) o.errnoRet = r.errnoRet;
  if (r.args?.length) o.args = r.args.map(orderArg);
  return o;
}

/** The profile with keys in the order syscribe writes them. Rule order is kept (see canonicalRules). */
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

export const CRD_GROUP = 'security-profiles-operator.x-k8s.io';
export type CrdVersion = 'v1beta1' | 'v1';

/**
 * A Security Profiles Operator SeccompProfile object holding the profile in
 * `spec`. SPO's spec has no defaultErrnoRet field (its ERRNO default is
 * EPERM), so it is left out; see crdDropsErrno.
 */
export function profileToCrd(p: SeccompProfile, opts: { name: string; version?: CrdVersion; namespace?: string }): string {
  const metadata: Record<string, string> = { name: opts.name };
  if (opts.namespace) metadata.namespace = opts.namespace;
  const spec = orderProfile(p);
  delete spec.defaultErrnoRet;
  const doc = {
    apiVersion: `${CRD_GROUP}/${opts.version ?? 'v1beta1'}`,
    kind: 'SeccompProfile',
    metadata,
    spec,
  };
  return yaml().stringify(doc, { lineWidth: 0 });
}

/** Kubernetes object names: lowercase RFC 1123 subdomain. */
export function isValidK8sName(n: string): boolean {
  return n.length > 0 && n.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n);
}

/** True when writing `p` as a SeccompProfile loses a defaultErrnoRet other than EPERM. */
export function crdDropsErrno(p: SeccompProfile): boolean {
  return p.defaultErrnoRet !== undefined && p.defaultErrnoRet !== 1;
}
