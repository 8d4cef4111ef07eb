/**
 * load: read seccomp profiles written by people or tools, validate them, and
 * hand back plain OCI `linux.seccomp` objects.
 *
 * Accepted:
 * - OCI JSON (or YAML) profiles: {defaultAction, architectures, syscalls, …};
 * - an OCI runtime bundle config.json: its linux.seccomp;
 * - Security Profiles Operator SeccompProfile objects
 *   (security-profiles-operator.x-k8s.io/v1beta1 or /v1, JSON or YAML, one or
 *   more documents, or a List of them): `spec` holds defaultAction,
 *   architectures, syscalls[].names/action/errnoRet/args, flags,
 *   listenerPath, listenerMetadata. The operator drops zero values when it
 *   writes one (`value: 0`, `errnoRet: 0`), and old v1beta1 objects carry
 *   errnoRet as a string; both are read as the operator means them.
 *
 * - moby/containers-format profiles (Docker's default.json, containers/common
 *   seccomp.json: archMap, includes/excludes, name, comment): their rules are
 *   conditional on the arch, capabilities and kernel, which only docker and
 *   podman evaluate (containerd and the kubelet drop those keys and would
 *   apply every rule unconditionally). They are flattened for a target
 *   (LoadOptions.target: --arch/--cap/--kernel) the way docker does, and the
 *   LoadedProfile says so (`flattened`, `notes`). From then on: plain OCI.
 * - argument values exactly (64-bit values as bigint, src/profile/exact-json.ts).
 *
 * Refused, with the file and the failing JSON path:
 * - anything the OCI schema rejects (src/profile/validate.ts), including
 *   argument values that are negative or above 2^64-1;
 * - moby-format conditions inside a SeccompProfile spec (the operator drops them);
 * - SeccompProfile spec.baseProfileName: the operator unions the named base
 *   profile in, which syscribe cannot look up.
 */
import { promises as fsp } from 'node:fs';
import { yaml } from '../util/lazy-yaml.js';
import { OptionError, type OptionNamer, UserError } from '../errors.js';
import { describeOpenError, inputLabel, openRawInput } from '../sources/lines.js';
import type { SeccompProfile } from './types.js';
import { validateProfile } from './validate.js';
import { SPO_GROUP, SPO_VERSIONS } from './vocabulary.js';
import { canonicalNumbers, parseJsonExact } from './exact-json.js';
import { describeTarget, flattenMoby, isMobyFormat } from './moby.js';
import { hostArch } from '../arch.js';
import { type FlattenTarget, defaultCaps, runningKernel } from '../generate/flatten.js';

/** Profiles are small; anything this big is not one. */
export const MAX_PROFILE_BYTES = 64 << 20;

export interface LoadedProfile {
  /** The file, with "#N" for the Nth document or list item when the file holds several. */
  source: string;
  format: 'oci' | 'crd';
  /** Set when the file was a moby-format (conditional) profile, flattened for this target. */
  flattened?: FlattenTarget;
  /** What the user should be told on stderr (e.g. that and how a profile was flattened). */
  notes: string[];
  /** For SeccompProfile objects. */
  apiVersion?: string;
  name?: string;
  profile: SeccompProfile;
  /** Things the user should know that do not stop the load. */
  warnings: string[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The options that choose the target a moby-format profile is flattened for, as `n` names them. */
const targetOptions = (n: OptionNamer): string => `${n('target.arch')}/${n('target.caps')}/${n('target.kernel')}`;

const MOBY_IN_CRD = (n: OptionNamer): string =>
  'moby-format conditions (archMap, includes, excludes) in a SeccompProfile: the operator drops them and would apply every rule; ' +
  `give the moby-format file itself (syscribe flattens it for ${targetOptions(n)}), or flatten it with syscribe merge FILE --format crd`;

function failValidation(source: string, prefix: string, errors: string[]): never {
  // validate.ts writes "/path: message", "/: message" for the root.
  const shown = errors.slice(0, 3).map((e) => (!prefix ? e : e.startsWith('/:') ? `${prefix}${e.slice(1)}` : e.startsWith('/') ? `${prefix}${e}` : e));
  throw new UserError(`${source}: not a valid seccomp profile: ${shown.join('; ')}${errors.length > 3 ? ` (+${errors.length - 3} more)` : ''}`);
}

function validated(obj: Obj, source: string, prefix: string): SeccompProfile {
  const r = validateProfile(obj);
  if (!r.ok) failValidation(source, prefix, r.errors);
  return r.profile;
}

/** How a moby-format profile is flattened (see src/profile/moby.ts). */
export interface LoadOptions {
  /** The node and container the profile is for; default: defaultTarget(). */
  target?: FlattenTarget;
  /** How the caller names an option in notes (the CLI: its flag); default the option's own name (target.arch). */
  name?: OptionNamer;
}

/** Native arch, Docker's default capability set (the OCI default 14), the running kernel. */
export function defaultTarget(): FlattenTarget {
  return { arch: hostArch().id, caps: defaultCaps('docker').sort(), kernel: runningKernel() };
}

interface Ctx {
  opts: LoadOptions;
  notes: string[];
  flattened?: FlattenTarget;
}

/** A plain OCI seccomp object (at `prefix` in the document, for messages). moby format is flattened first. */
function fromOci(raw: Obj, source: string, prefix: string, ctx: Ctx | undefined): SeccompProfile {
  if (!('defaultAction' in raw)) {
    throw new UserError(`${source}: not a seccomp profile: no ${prefix || ''}/defaultAction (and not a SeccompProfile object)`);
  }
  if (isMobyFormat(raw)) {
    // A SeccompProfile's spec has no conditions: the operator would drop them and apply every rule.
    if (!ctx) {
      const k = 'archMap' in raw ? 'archMap' : 'syscalls';
      throw new OptionError((n) => `${source}: ${prefix}/${k}: ${MOBY_IN_CRD(n)}`);
    }
    const target = ctx.opts.target ?? defaultTarget();
    const f = flattenMoby(raw, target, source, prefix);
    validated(f.unconditional, source, prefix);
    const p = validated(f.obj, source, prefix);
    ctx.flattened = target;
    ctx.notes.push(`${source}: flattened a moby-format profile for ${describeTarget(target)}: ${f.rulesKept} of ${f.rulesIn} rules apply` +
      `${p.architectures ? `, architectures ${p.architectures.join(',')}` : ''} (${targetOptions(ctx.opts.name ?? ((x) => x))} choose another target)`);
    return p;
  }
  const obj: Obj = { ...raw };
  delete obj.comment;
  if (Array.isArray(obj.syscalls)) {
    obj.syscalls = obj.syscalls.map((r: unknown) => {
      if (!isObj(r)) return r;
      // Comments are harmless: every runtime ignores them.
      if (!('comment' in r)) return r;
      const c = { ...r };
      delete c.comment;
      return c;
    });
  }
  return validated(obj, source, prefix);
}

/** SeccompProfile.spec → OCI, the way the operator writes the profile to the node. */
function fromCrd(doc: Obj, source: string, prefix: string, warnings: string[]): LoadedProfile {
  const apiVersion = doc.apiVersion;
  const versions = SPO_VERSIONS.map((v) => `${SPO_GROUP}/${v}`);
  if (typeof apiVersion !== 'string' || !versions.includes(apiVersion)) {
    throw new UserError(`${source}: ${prefix}/apiVersion: ${JSON.stringify(apiVersion ?? null)} is not supported (want ${versions.join(' or ')})`);
  }
  if (doc.kind !== 'SeccompProfile') {
    throw new UserError(`${source}: ${prefix}/kind: ${JSON.stringify(doc.kind ?? null)}: want SeccompProfile`);
  }
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const spec = doc.spec;
  if (!isObj(spec)) throw new UserError(`${source}: ${prefix}/spec: missing (a SeccompProfile holds the profile in spec)`);
  const base = spec.baseProfileName;
  if (base !== undefined && base !== '') {
    throw new UserError(
      `${source}: ${prefix}/spec/baseProfileName: ${JSON.stringify(base)}: base profiles are not supported ` +
      '(the operator unions them in; syscribe cannot look them up): merge the base profile explicitly, e.g. syscribe merge base.yaml this.yaml',
    );
  }
  const o: Obj = { ...spec };
  delete o.baseProfileName;
  if ('disabled' in o) {
    if (o.disabled === true) warnings.push(`${source}: ${prefix}/spec/disabled is true: the operator does not install this profile`);
    delete o.disabled;
  }
  if ('defaultErrnoRet' in o) {
    warnings.push(`${source}: ${prefix}/spec/defaultErrnoRet is not a SeccompProfile field (the operator drops it; strict kubectl validation rejects it); read as written`);
  }
  if (Array.isArray(o.syscalls)) {
    o.syscalls = o.syscalls.map((r: unknown) => {
      if (!isObj(r)) return r;
      const c: Obj = { ...r };
      // v1beta1 before SPO 0.4 wrote errnoRet as a string; 0 means unset (the operator omits it, the runtime returns EPERM).
      if (typeof c.errnoRet === 'string' && /^\d+$/.test(c.errnoRet)) c.errnoRet = Number(c.errnoRet);
      if (c.errnoRet === 0 || c.errnoRet === '') delete c.errnoRet;
      if (Array.isArray(c.args)) {
        c.args = c.args.map((a: unknown) => {
          if (!isObj(a)) return a;
          const x: Obj = { ...a };
          if (x.value === undefined) x.value = 0;
          if (x.valueTwo === 0) delete x.valueTwo;
          return x;
        });
      }
      return c;
    });
  }
  const profile = fromOci(o, source, `${prefix}/spec`, undefined);
  const out: LoadedProfile = { source, format: 'crd', apiVersion, profile, warnings, notes: [] };
  if (name !== undefined) out.name = name;
  return out;
}

/** One parsed document → profiles (a List gives several). */
function fromDocument(doc: unknown, source: string, into: LoadedProfile[], opts: LoadOptions): void {
  if (!isObj(doc)) throw new UserError(`${source}: not a seccomp profile (expected an object with defaultAction, or a SeccompProfile; got ${Array.isArray(doc) ? 'a list' : JSON.stringify(doc)})`);
  if (doc.kind === 'List' || doc.kind === 'SeccompProfileList') {
    if (!Array.isArray(doc.items)) throw new UserError(`${source}: /items: a ${doc.kind} without items`);
    doc.items.forEach((item, i) => {
      const warnings: string[] = [];
      if (!isObj(item) || !('kind' in item)) throw new UserError(`${source}: /items/${i}: not a SeccompProfile`);
      into.push(fromCrd(item, source, `/items/${i}`, warnings));
    });
    return;
  }
  const warnings: string[] = [];
  if ('kind' in doc || 'apiVersion' in doc) {
    into.push(fromCrd(doc, source, '', warnings));
    return;
  }
  const ctx: Ctx = { opts, notes: [] };
  const oci = (profile: SeccompProfile): LoadedProfile => {
    const l: LoadedProfile = { source, format: 'oci', profile, warnings, notes: ctx.notes };
    if (ctx.flattened) l.flattened = ctx.flattened;
    return l;
  };
  if (!('defaultAction' in doc) && isObj(doc.linux) && isObj(doc.linux.seccomp)) {
    into.push(oci(fromOci(doc.linux.seccomp, source, '/linux/seccomp', ctx)));
    return;
  }
  into.push(oci(fromOci(doc, source, '', ctx)));
}

/** Parse a file's text (JSON or YAML, one or more documents). Pure. */
export function parseProfileText(text: string, source: string, opts: LoadOptions = {}): LoadedProfile[] {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = t.trimStart();
  if (!trimmed) throw new UserError(`${source}: empty file`);
  const docs: unknown[] = [];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      docs.push(parseJsonExact(t));
    } catch (e) {
      throw new UserError(`${source}: invalid JSON: ${(e as Error).message}`);
    }
  } else {
    // intAsBigInt: 64-bit argument values exactly (canonicalNumbers turns the small ones back into numbers).
    for (const d of yaml().parseAllDocuments(t, { intAsBigInt: true })) {
      if (d.errors.length) throw new UserError(`${source}: invalid YAML: ${d.errors[0]!.message.split('\n')[0]}`);
      let js: unknown;
      try {
        js = canonicalNumbers(d.toJS()); // the yaml library refuses alias bombs (maxAliasCount) with a plain Error
      } catch (e) {
        throw new UserError(`${source}: invalid YAML: ${(e as Error).message}`);
      }
      if (js !== null && js !== undefined) docs.push(js);
    }
    if (!docs.length) throw new UserError(`${source}: no YAML document in the file`);
  }
  const out: LoadedProfile[] = [];
  // Errors name the document ("file#2"); several profiles are named file#1, file#2, … in order.
  docs.forEach((d, i) => fromDocument(d, docs.length > 1 ? `${source}#${i + 1}` : source, out, opts));
  if (out.length > 1) out.forEach((p, k) => { p.source = `${source}#${k + 1}`; });
  return out;
}

/** Read a profile file ('-' = stdin; pipes and FIFOs are read once, as streams). */
export async function readProfileText(path: string): Promise<string> {
  try {
    const st = path === '-' ? undefined : await fsp.stat(path);
    if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st?.isFile()) {
      if (st.size > MAX_PROFILE_BYTES) throw new UserError(`${path}: ${st.size} bytes: too big for a seccomp profile`);
      return await fsp.readFile(path, 'utf8');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of await openRawInput(path)) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
      size += b.length;
      if (size > MAX_PROFILE_BYTES) throw new UserError(`${inputLabel(path)}: more than ${MAX_PROFILE_BYTES >> 20} MiB: not a seccomp profile`);
      chunks.push(b);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw describeOpenError(path, e as NodeJS.ErrnoException);
  }
}

/** Every profile in a file (several for multi-document YAML or a List). */
export async function loadProfileFile(path: string, opts: LoadOptions = {}): Promise<LoadedProfile[]> {
  return parseProfileText(await readProfileText(path), path === '-' ? 'stdin' : path, opts);
}

/** Exactly one profile from a file. */
export async function loadProfile(path: string, opts: LoadOptions = {}): Promise<LoadedProfile> {
  const all = await loadProfileFile(path, opts);
  if (all.length !== 1) throw new UserError(`${path}: holds ${all.length} profiles; name a file with one`);
  return all[0]!;
}

/**
 * Does the start of a file look like a profile (JSON object, or YAML with a
 * profile's or a Kubernetes object's top-level keys) rather than a strace or
 * audit log? Used to sort `merge` inputs.
 */
export function looksLikeProfile(head: string): boolean {
  const t = (head.charCodeAt(0) === 0xfeff ? head.slice(1) : head).replace(/^(\s*(#[^\n]*)?\n)*/, '').replace(/^---[^\n]*\n/, '').trimStart();
  if (t.startsWith('{')) return true;
  return /^(apiVersion|kind|defaultAction|defaultErrnoRet|architectures|syscalls|spec|metadata|items)\s*:/m.test(t.slice(0, 8192));
}
