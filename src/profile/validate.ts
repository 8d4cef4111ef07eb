/** validate: every profile written or read is checked with ajv against SECCOMP_SCHEMA. */
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SECCOMP_SCHEMA } from './schema.js';
import type { SeccompProfile } from './types.js';
import { UserError } from '../errors.js';

type AjvCtor = typeof AjvModule.default;
const Ajv: AjvCtor = (AjvModule as unknown as { default?: AjvCtor }).default ?? (AjvModule as unknown as AjvCtor);

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(SECCOMP_SCHEMA);
  return compiled;
}

function describe(e: ErrorObject): string {
  const path = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    const hint = ['archMap', 'includes', 'excludes', 'comment', 'name'].includes(extra)
      ? ' (a moby/containers-format key: containerd and the kubelet drop it silently, so write plain OCI)'
      : '';
    return `${path}: unknown key '${extra}'${hint}`;
  }
  if (e.keyword === 'enum') return `${path}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${path}: ${e.message ?? e.keyword}`;
}

export type Validation = { ok: true; profile: SeccompProfile } | { ok: false; errors: string[] };

export function validateProfile(obj: unknown): Validation {
  const v = validator();
  if (v(obj)) {
    const p = obj as SeccompProfile;
    const errors: string[] = [];
    (p.syscalls ?? []).forEach((r, i) => {
      if (r.errnoRet !== undefined && r.action !== 'SCMP_ACT_ERRNO' && r.action !== 'SCMP_ACT_TRACE') {
        errors.push(`/syscalls/${i}/errnoRet: only meaningful with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (action is ${r.action})`);
      }
    });
    if (p.defaultErrnoRet !== undefined && p.defaultAction !== 'SCMP_ACT_ERRNO' && p.defaultAction !== 'SCMP_ACT_TRACE') {
      errors.push(`/defaultErrnoRet: only meaningful with defaultAction SCMP_ACT_ERRNO or SCMP_ACT_TRACE`);
    }
    return errors.length ? { ok: false, errors } : { ok: true, profile: p };
  }
  return { ok: false, errors: (v.errors ?? []).map(describe) };
}

/** Validate or throw a UserError naming the source and the first failing paths. */
export function assertValidProfile(obj: unknown, source: string): SeccompProfile {
  const r = validateProfile(obj);
  if (r.ok) return r.profile;
  throw new UserError(`${source}: not a valid OCI seccomp profile: ${r.errors.slice(0, 3).join('; ')}${r.errors.length > 3 ? ` (+${r.errors.length - 3} more)` : ''}`);
}
