/** validate: every profile written or read is checked with ajv against SECCOMP_SCHEMA. */
import type { ErrorObject } from 'ajv';
import { validate as generatedValidate } from './validate.generated.js';
import type { SeccompProfile } from './types.js';
import { UserError } from '../errors.js';
import { U64_MAX } from './exact-json.js';

/**
 * The validator for SECCOMP_SCHEMA (schema.ts), compiled at build time with ajv's standalone
 * code generation (scripts/gen-validator.mjs): no schema compiler is loaded or run at start-up.
 */
type ValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
function validator(): ValidateFunction {
  return generatedValidate as ValidateFunction;
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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Argument values are exact 64-bit unsigned integers: numbers up to 2^53-1,
 * bigints above (exact-json.ts). ajv knows only doubles, so these fields are
 * checked here, and ajv sees a copy with the bigints replaced by 0.
 */
function checkArgValues(obj: unknown, errors: string[]): unknown {
  if (!isObj(obj) || !Array.isArray(obj.syscalls)) return obj;
  let copied = false;
  const syscalls = obj.syscalls.map((r: unknown, i: number) => {
    if (!isObj(r) || !Array.isArray(r.args)) return r;
    let rc: Obj | undefined;
    r.args.forEach((a: unknown, j: number) => {
      if (!isObj(a)) return;
      for (const k of ['value', 'valueTwo'] as const) {
        const x = a[k];
        const path = `/syscalls/${i}/args/${j}/${k}`;
        if (typeof x === 'bigint') {
          if (x < 0n) errors.push(`${path}: ${x} is negative (seccomp compares unsigned 64-bit values)`);
          else if (x > U64_MAX) errors.push(`${path}: ${x} is above 2^64-1 (${U64_MAX}): not a 64-bit value`);
          rc ??= { ...r, args: [...(r.args as unknown[])] };
          (rc.args as unknown[])[j] = { ...(rc.args as Obj[])[j], [k]: 0 };
        } else if (typeof x === 'number') {
          if (x < 0) errors.push(`${path}: ${x} is negative (seccomp compares unsigned 64-bit values)`);
          else if (Number.isInteger(x) && !Number.isSafeInteger(x)) {
            errors.push(`${path}: ${x} is not exact (a fraction or exponent above 2^53): write the integer in digits`);
          }
        }
      }
    });
    if (rc) copied = true;
    return rc ?? r;
  });
  return copied ? { ...obj, syscalls } : obj;
}

export function validateProfile(obj: unknown): Validation {
  const v = validator();
  const valueErrors: string[] = [];
  const forAjv = checkArgValues(obj, valueErrors);
  if (valueErrors.length) return { ok: false, errors: valueErrors };
  if (v(forAjv)) {
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
