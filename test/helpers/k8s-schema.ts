// Offline validation of Kubernetes objects: SPO's SeccompProfile / ProfileRecording against the
// openAPIV3Schema of SPO's own CRDs (src/data/upstream/spo-*-crd.yaml, v1.0.0) with ajv; built-in
// kinds (Namespace, ServiceAccount, DaemonSet, …) against the Kubernetes OpenAPI schemas that the
// `kubernetes-models` package ships (devDependency).
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const UPSTREAM = new URL('../../src/data/upstream/', import.meta.url).pathname;

interface Crd {
  spec: { group: string; names: { kind: string }; scope: string; versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map<string, { validate: ValidateFunction; scope: string }>();
for (const f of ['spo-seccompprofile-crd.yaml', 'spo-profilerecording-crd.yaml']) {
  const crd = parse(readFileSync(UPSTREAM + f, 'utf8')) as Crd;
  for (const v of crd.spec.versions) {
    // The API server's structural-schema rules reject unknown fields (pruning is reported by kubectl as an error with --validate=strict).
    const schema = forbidUnknown(structuredClone(v.schema.openAPIV3Schema));
    crdValidators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { validate: ajv.compile(schema), scope: crd.spec.scope });
  }
}

/** additionalProperties: false wherever properties are listed and nothing says otherwise (x-kubernetes-preserve-unknown-fields). */
function forbidUnknown(s: Record<string, unknown>): Record<string, unknown> {
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    s.additionalProperties = false;
    // metadata is `type: object` in a CRD; apiVersion/kind are listed.
  }
  for (const k of ['properties']) {
    const p = s[k] as Record<string, Record<string, unknown>> | undefined;
    if (p) for (const x of Object.values(p)) forbidUnknown(x);
  }
  if (s.items && typeof s.items === 'object') forbidUnknown(s.items as Record<string, unknown>);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') forbidUnknown(s.additionalProperties as Record<string, unknown>);
  return s;
}

const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface Obj { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } }

/** ObjectMeta rules the API server enforces for every kind (apimachinery validation.ValidateObjectMeta). */
function metaErrors(o: Obj): string[] {
  const e: string[] = [];
  const m = o.metadata ?? {};
  if (!m.name || m.name.length > 253 || !DNS1123_SUBDOMAIN.test(m.name)) e.push(`metadata.name ${JSON.stringify(m.name)}: not a DNS-1123 subdomain`);
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (!LABEL_NAME.test(k) || k.split('/').at(-1)!.length > 63 || (k.includes('/') && k.split('/')[0]!.length > 253)) e.push(`label key ${k}: invalid`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) e.push(`label ${k}=${String(v)}: invalid value`);
  }
  for (const k of Object.keys(m.annotations ?? {})) if (!LABEL_NAME.test(k)) e.push(`annotation key ${k}: invalid`);
  return e;
}

const BUILTIN: Record<string, () => Promise<{ new (d: object): { validate(): void } }>> = {
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace as never,
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount as never,
  'apps/v1/DaemonSet': async () => (await import('kubernetes-models/apps/v1/DaemonSet')).DaemonSet as never,
  'v1/Pod': async () => (await import('kubernetes-models/v1/Pod')).Pod as never,
};

/** [] when the object is valid; otherwise one message per problem. Unknown kinds are an error (nothing passes unchecked). */
export async function k8sErrors(o: Obj): Promise<string[]> {
  const key = `${o.apiVersion}/${o.kind}`;
  const errs = metaErrors(o);
  const crd = crdValidators.get(key);
  if (crd) {
    if (crd.scope === 'Cluster' && o.metadata?.namespace !== undefined) errs.push(`${o.kind} is cluster-scoped: metadata.namespace must not be set`);
    if (!crd.validate(o)) errs.push(...(crd.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`));
    return errs;
  }
  const load = BUILTIN[key];
  if (!load) return [...errs, `no schema for ${key}`];
  const Model = await load();
  try {
    new Model(o as object).validate();
  } catch (e) {
    errs.push((e as Error).message);
  }
  return errs;
}
