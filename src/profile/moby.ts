/**
 * moby / containers-format profiles (Docker's default.json, containers/common
 * seccomp.json, oci-seccomp-bpf-hook's output): `archMap` instead of
 * `architectures`, rules with `includes` / `excludes` conditions on the
 * node's arch, the container's capabilities and the kernel, `comment`,
 * `name` (one name per rule), informational `errno` / `defaultErrno` strings.
 *
 * Docker and Podman evaluate the conditions when they build a container's
 * spec; containerd and the kubelet drop the unknown keys and would apply
 * every rule unconditionally. syscribe does what Docker does, for a stated
 * target, with the same evaluator as its bundled RuntimeDefaults
 * (src/generate/flatten.ts), and from then on works with plain OCI.
 */
import { archById } from '../arch.js';
import { UserError } from '../errors.js';
import type { BaselineRule } from '../generate/baseline-types.js';
import { type FlattenTarget, flattenRules } from '../generate/flatten.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys only the moby format has. A plain OCI profile has none of them. */
export function isMobyFormat(raw: Obj): boolean {
  if ('archMap' in raw || 'defaultErrno' in raw) return true;
  return Array.isArray(raw.syscalls) && raw.syscalls.some((r) => isObj(r) && ('includes' in r || 'excludes' in r || 'name' in r || 'errno' in r));
}

export interface Flattened {
  /** Plain OCI (still to be validated). */
  obj: Obj;
  /** Every rule, conditions dropped: validated first, so a broken rule is an error even where it does not apply. */
  unconditional: Obj;
  rulesIn: number;
  rulesKept: number;
}

function stringList(v: unknown, path: string, source: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UserError(`${source}: ${path}: want a list of strings`);
  return v as string[];
}

function condition(v: unknown, path: string, source: string, kind: 'includes' | 'excludes'): BaselineRule['includes'] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new UserError(`${source}: ${path}: want an object with arches, caps, minKernel`);
  const out: { arches?: string[]; caps?: string[]; minKernel?: string } = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'arches' || k === 'caps') {
      const l = stringList(x, `${path}/${k}`, source);
      if (l.length) out[k] = l;
    } else if (k === 'minKernel') {
      if (x === null || x === '') continue;
      if (typeof x !== 'string' || !/^\d+\.\d+(\.\d+)?$/.test(x)) throw new UserError(`${source}: ${path}/minKernel: want "X.Y", got ${JSON.stringify(x)}`);
      out.minKernel = x;
    } else {
      throw new UserError(`${source}: ${path}/${k}: unknown ${kind} condition (known: arches, caps, minKernel)`);
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * moby format → plain OCI for `t`, as moby's setupSeccomp does:
 * architectures from the archMap entry of the native arch, the rules whose
 * conditions hold, conditions and comments dropped.
 */
export function flattenMoby(raw: Obj, t: FlattenTarget, source: string, prefix: string): Flattened {
  const obj: Obj = { ...raw };
  for (const k of ['comment', 'defaultErrno', 'archMap']) delete obj[k];
  if (raw.archMap !== undefined && raw.archMap !== null) {
    if (Array.isArray(raw.architectures) && raw.architectures.length) {
      throw new UserError(`${source}: ${prefix}/archMap: both architectures and archMap are set; docker refuses that (use one)`);
    }
    if (!Array.isArray(raw.archMap)) throw new UserError(`${source}: ${prefix}/archMap: want a list`);
    const native = archById(t.arch).scmp;
    const arches: string[] = [];
    raw.archMap.forEach((m: unknown, i: number) => {
      if (!isObj(m) || typeof m.architecture !== 'string') throw new UserError(`${source}: ${prefix}/archMap/${i}: want {architecture, subArchitectures}`);
      const subs = m.subArchitectures === undefined || m.subArchitectures === null ? [] : stringList(m.subArchitectures, `${prefix}/archMap/${i}/subArchitectures`, source);
      if (m.architecture === native) arches.push(m.architecture, ...subs);
    });
    if (arches.length) obj.architectures = [...new Set(arches)];
  }
  const rules: BaselineRule[] = [];
  if (obj.syscalls !== undefined && !Array.isArray(obj.syscalls)) throw new UserError(`${source}: ${prefix}/syscalls: want a list`);
  const list = (obj.syscalls as unknown[] | undefined) ?? [];
  list.forEach((r, i) => {
    const path = `${prefix}/syscalls/${i}`;
    if (!isObj(r)) throw new UserError(`${source}: ${path}: want an object`);
    const c: Obj = { ...r };
    delete c.comment;
    delete c.errno;
    if ('name' in c) {
      if (Array.isArray(c.names) && c.names.length) throw new UserError(`${source}: ${path}: both name and names are set; docker refuses that (use names)`);
      if (typeof c.name !== 'string' || !c.name) throw new UserError(`${source}: ${path}/name: want a syscall name`);
      c.names = [c.name];
      delete c.name;
    }
    const inc = condition(c.includes, `${path}/includes`, source, 'includes');
    const exc = condition(c.excludes, `${path}/excludes`, source, 'excludes');
    delete c.includes;
    delete c.excludes;
    if (Array.isArray(c.args) && !c.args.length) delete c.args;
    if (c.args === null) delete c.args;
    // The rest (names, action, errnoRet, args) is checked by the OCI schema after flattening.
    const rule = c as unknown as BaselineRule;
    if (inc) rule.includes = inc;
    if (exc) rule.excludes = exc;
    rules.push(rule);
  });
  const unconditional: Obj = { ...obj, syscalls: rules.map(({ includes: _i, excludes: _e, ...plain }) => plain) };
  if (obj.syscalls === undefined) delete unconditional.syscalls;
  const kept = flattenRules(rules, t);
  if (obj.syscalls !== undefined || kept.length) obj.syscalls = kept;
  return { obj, unconditional, rulesIn: rules.length, rulesKept: kept.length };
}

/** "x86_64, caps CAP_CHOWN,…, kernel 6.1". */
export function describeTarget(t: FlattenTarget): string {
  return `${t.arch}, caps ${t.caps.length ? t.caps.join(',') : '(none)'}, kernel ${t.kernel}`;
}
