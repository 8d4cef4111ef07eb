/**
 * generate: baseline ∪ observed → one plain OCI seccomp profile plus a report
 * of every decision (added beyond the baseline, narrowed conditions, kept
 * conditions, deliberate ENOSYS answers, risky calls, unknown numbers). Pure.
 */
import { ARCHES, type ArchId, archById, hostArch } from '../arch.js';
import type { Observed, SyscallStat, UnknownSyscall, LineCounts, MalformedSample } from '../collect/collector.js';
import type { Action, Flag, SeccompArg, SeccompProfile } from '../profile/types.js';
import { callAllowed, conditionInWords, testedIndices } from './conditions.js';
import { type BaselineName, type FlatRule, capName, capThatAllows, defaultCaps, flattenBaseline, runningKernel } from './flatten.js';
import { riskOf } from './risk.js';
import { U64_MAX, argValue, stringifyJsonExact } from '../profile/exact-json.js';
import { type Translation, translateFor } from './translate.js';
import { existsOn } from '../resolve.js';
import { canonicalRules } from '../profile/canonical.js';
import { ENOSYS } from '../profile/vocabulary.js';

/** "any": every runtime syscribe knows (runc and crun), so the profile starts under docker, podman and containerd alike. */
export const RUNTIME_NAMES = ['any', 'runc', 'crun', 'none'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export interface GenerateOptions {
  baseline: BaselineName;
  /** Bounding capabilities of the container; default: the baseline runtime's default set. */
  caps?: string[];
  /** Kernel "X.Y" for minKernel conditions; default: the running kernel. */
  kernel?: string;
  /** --arch: the architectures to list (replaces the observed ones). */
  arches?: ArchId[];
  /** --add-arch: listed in addition to the observed ones. */
  addArches?: ArchId[];
  /** The OCI runtime whose own post-filter calls must be allowed, and those calls. */
  runtime?: RuntimeName;
  runtimeSyscalls?: readonly string[];
  /** The privilege mode those calls were measured for (process.noNewPrivileges); default false. */
  noNewPrivileges?: boolean;
  defaultAction?: Action;
  errnoRet?: number;
  /** Turn argument-conditional names whose arguments are unknown into unconditional allows. */
  widen?: boolean;
  /** flags: [SECCOMP_FILTER_FLAG_LOG]: ERRNO/KILL denials show up in the audit log. */
  logDenials?: boolean;
}

export interface Added { name: string; why: string; hint?: string }
export interface Narrowed { name: string; args: SeccompArg[][]; why: string }
export interface Conditional { name: string; condition: string; status: 'pass' | 'unknown-args' | 'widened'; calls: number }
export interface Risky { name: string; why: string }

export interface GenerateReport {
  baseline: BaselineName;
  baselineSource: string;
  nativeArch: ArchId;
  architectures: string[];
  caps: string[];
  kernel: string;
  runtime: RuntimeName;
  /** The runtime's calls are those of this privilege mode (process.noNewPrivileges). */
  noNewPrivileges: boolean;
  defaultAction: Action;
  observed: Array<{ arch: ArchId; syscalls: number; calls: number }>;
  /** Observed syscalls the baseline did not allow, now allowed. */
  added: Added[];
  /** Calls a conditional baseline rule would have blocked, allowed by the narrowest rule. */
  narrowed: Narrowed[];
  /** Observed syscalls the baseline allows only under an argument condition. */
  conditional: Conditional[];
  /** Baseline rules that deliberately answer ENOSYS, kept. */
  enosys: Array<{ name: string; why: string }>;
  risky: Risky[];
  unknown: UnknownSyscall[];
  lines: LineCounts;
  malformed: MalformedSample[];
  lost: number;
  lossSignals: number;
  /** Names allowed by the profile (any rule), sorted. */
  allowed: string[];
  /** Listed architectures nothing was recorded on: their part of the profile is derived, not observed. */
  derivedArches: ArchId[];
  /** For a derived arch, the calls its C library makes in place of recorded names it lacks. */
  translations: Translation[];
  /** Recorded names a listed arch lacks, with no equivalent there (left out where no listed arch has them). */
  notOnArch: Array<{ arch: ArchId; name: string; why: string }>;
}

/** The native arch a profile is evaluated for: the 64-bit arch seen, else the host's when its family covers what was seen. */
export function nativeArchFor(arches: readonly ArchId[]): ArchId {
  const seen = ARCHES.filter((a) => arches.includes(a.id));
  const wide = seen.find((a) => a.bits === 64);
  if (wide) return wide.id;
  const host = hostArch();
  if (seen.length === 0 || seen.every((a) => host.family.includes(a.id))) return host.id;
  // A 32-bit-only recording from another machine: the family head that lists it, else itself.
  const head = ARCHES.find((a) => a.bits === 64 && seen.every((s) => a.family.includes(s.id)));
  return head ? head.id : seen[0]!.id;
}

interface NameStat { stat: SyscallStat; fromRuntime: boolean; /** Added for a derived arch in place of a recorded name. */ via?: string }

function mergeStats(observed: Observed): Map<string, NameStat> {
  const out = new Map<string, NameStat>();
  for (const [, m] of observed.arches) {
    for (const [name, st] of m) {
      const cur = out.get(name);
      if (!cur) out.set(name, { stat: { count: st.count, args: [...st.args], noArgs: st.noArgs, argsTruncated: st.argsTruncated }, fromRuntime: false });
      else {
        cur.stat.count += st.count;
        cur.stat.noArgs += st.noArgs;
        cur.stat.args.push(...st.args);
        cur.stat.argsTruncated ||= st.argsTruncated;
      }
    }
  }
  return out;
}

function eqArgs(idx: number[], tuple: ReadonlyArray<bigint | undefined>): SeccompArg[] | undefined {
  const args: SeccompArg[] = [];
  for (const i of idx) {
    const v = tuple[i];
    if (v === undefined || v > U64_MAX || v < 0n) return undefined;
    args.push({ index: i, value: argValue(v), op: 'SCMP_CMP_EQ' });
  }
  return args;
}

export function generateProfile(observed: Observed, opts: GenerateOptions): { profile: SeccompProfile; report: GenerateReport } {
  // An arch whose records were all unknown numbers was still seen: it is listed (its calls then meet the default action).
  const seenArches = ARCHES.map((a) => a.id).filter((id) => (observed.arches.get(id)?.size ?? 0) > 0 || observed.unknown.some((u) => u.arch === id));
  let listed: ArchId[] = opts.arches && opts.arches.length ? [...opts.arches] : [...seenArches];
  for (const a of opts.addArches ?? []) if (!listed.includes(a)) listed.push(a);
  // Arches asked for that nothing was recorded on (the runtime's native arch, added below, is not one).
  const derivedArches = seenArches.length ? listed.filter((a) => !seenArches.includes(a)) : [];
  const native = nativeArchFor(listed.length ? listed : seenArches);
  const runtime = opts.runtime ?? 'none';
  const runtimeNames = runtime === 'none' ? [] : [...(opts.runtimeSyscalls ?? [])];
  // The runtime (64-bit, native) keeps running after the filter is installed: its arch must be listed.
  if ((runtimeNames.length > 0 || listed.length === 0) && !listed.includes(native)) listed.push(native);
  listed = ARCHES.map((a) => a.id).filter((id) => listed.includes(id));

  const caps = (opts.caps ?? defaultCaps(opts.baseline)).map(capName).filter((c, i, a) => a.indexOf(c) === i).sort();
  const kernel = opts.kernel ?? runningKernel();
  const target = { arch: native, caps, kernel };
  const base = flattenBaseline(opts.baseline, target);

  // Working copy of the baseline's rules, and an index name → rules.
  const rules: FlatRule[] = base.rules.map((r) => ({ ...r, names: [...r.names] }));
  const byName = new Map<string, FlatRule[]>();
  for (const r of rules) for (const n of r.names) byName.set(n, [...(byName.get(n) ?? []), r]);
  const dropName = (name: string, pred: (r: FlatRule) => boolean) => {
    for (const r of byName.get(name) ?? []) if (pred(r)) r.names = r.names.filter((n) => n !== name);
  };

  const stats = mergeStats(observed);
  // A derived arch lacks some recorded names (aarch64 has no open, stat, pipe, …): its C library calls others.
  const translations: Translation[] = [];
  const notOnArch: GenerateReport['notOnArch'] = [];
  const recorded = [...stats.keys()];
  for (const d of derivedArches) {
    const t = translateFor(d, recorded);
    translations.push(...t.translations);
    notOnArch.push(...t.notOnArch);
    for (const tr of t.translations) {
      for (const to of tr.to) if (!stats.has(to)) stats.set(to, { stat: { count: 0, args: [], noArgs: 0, argsTruncated: false }, fromRuntime: false, via: `${tr.from} on ${d}` });
    }
  }
  // A recorded name no listed arch has is no part of this profile (reported as translated or not on the arch).
  if (derivedArches.length) {
    const listedArches = listed.map(archById);
    for (const n of recorded) if (!listedArches.some((a) => existsOn(a, n))) stats.delete(n);
  }
  for (const n of runtimeNames) if (!stats.has(n)) stats.set(n, { stat: { count: 0, args: [], noArgs: 0, argsTruncated: false }, fromRuntime: true });

  const added: Added[] = [];
  const narrowed: Narrowed[] = [];
  const conditional: Conditional[] = [];
  const enosys: GenerateReport['enosys'] = [];
  const risky: Risky[] = [];
  const allowAdd = new Set<string>();
  const extraRules: FlatRule[] = [];

  const baselineWord = opts.baseline === 'none' ? 'no baseline' : `the ${opts.baseline} RuntimeDefault`;
  for (const name of [...stats.keys()].sort()) {
    const { stat, fromRuntime, via } = stats.get(name)!;
    const own = byName.get(name) ?? [];
    if (own.some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length)) continue;
    const condAllow = own.filter((r) => r.action === 'SCMP_ACT_ALLOW' && r.args?.length);
    const why = fromRuntime
      ? `called by ${runtime === 'any' ? 'runc or crun' : runtime} after it installs the filter (noNewPrivileges ${opts.noNewPrivileges ?? false})`
      : via ? `in place of ${via} (derived, not observed); ${baselineWord} does not allow it` : `observed; ${baselineWord} does not allow it`;
    if (condAllow.length > 0) {
      const condition = conditionInWords(name, own);
      const idx = testedIndices(condAllow);
      const failing: SeccompArg[][] = [];
      let unknownCalls = stat.noArgs + (stat.argsTruncated ? 1 : 0);
      let passing = 0;
      for (const t of stat.args) {
        const ok = callAllowed(own, t);
        if (ok === true) passing++;
        else if (ok === undefined) unknownCalls++;
        else {
          const a = eqArgs(idx, t);
          if (a) {
            if (!failing.some((f) => stringifyJsonExact(f) === stringifyJsonExact(a))) failing.push(a);
            // A conditional non-allow rule of the baseline that catches this call would still win: drop it.
            dropName(name, (r) => r.action !== 'SCMP_ACT_ALLOW' && !!r.args?.length && callAllowed([{ ...r, action: 'SCMP_ACT_ALLOW' }], t) === true);
          } else unknownCalls++;
        }
      }
      if (failing.length) {
        for (const a of failing) extraRules.push({ names: [name], action: 'SCMP_ACT_ALLOW', args: a });
        narrowed.push({ name, args: failing, why: `recorded calls outside "${condition}"` });
        if (riskOf(name)) risky.push({ name, why: riskOf(name)! });
      }
      if (unknownCalls > 0 && opts.widen) {
        dropName(name, () => true);
        allowAdd.add(name);
        conditional.push({ name, condition, status: 'widened', calls: stat.count });
        if (riskOf(name)) risky.push({ name, why: riskOf(name)! });
      } else if (unknownCalls > 0 || fromRuntime) {
        conditional.push({ name, condition, status: 'unknown-args', calls: stat.count });
      } else if (!failing.length || passing > 0) {
        conditional.push({ name, condition, status: 'pass', calls: passing });
      }
      continue;
    }
    const block = own.find((r) => r.action !== 'SCMP_ACT_ALLOW' && !r.args?.length);
    if (block && block.action === 'SCMP_ACT_ERRNO' && block.errnoRet === ENOSYS && base.defaultErrnoRet !== ENOSYS) {
      enosys.push({ name, why: `${baselineWord} answers ${name} with ENOSYS on purpose (libc then falls back to an older call whose arguments seccomp can check); kept` });
      continue;
    }
    dropName(name, (r) => r.action !== 'SCMP_ACT_ALLOW');
    allowAdd.add(name);
    const hint = capThatAllows(opts.baseline, name, target);
    added.push({ name, why, ...(hint ? { hint: `${baselineWord} allows it with ${hint}` } : {}) });
    if (riskOf(name)) risky.push({ name, why: riskOf(name)! });
  }

  const outRules: FlatRule[] = rules.filter((r) => r.names.length > 0);
  if (allowAdd.size) {
    const uncond = outRules.find((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length && r.errnoRet === undefined);
    if (uncond) uncond.names.push(...allowAdd);
    else outRules.unshift({ names: [...allowAdd], action: 'SCMP_ACT_ALLOW' });
  }
  outRules.push(...extraRules);

  const defaultAction = opts.defaultAction ?? 'SCMP_ACT_ERRNO';
  const profile: SeccompProfile = { defaultAction };
  if (defaultAction === 'SCMP_ACT_ERRNO') profile.defaultErrnoRet = opts.errnoRet ?? base.defaultErrnoRet ?? 1;
  else if (defaultAction === 'SCMP_ACT_TRACE' && opts.errnoRet !== undefined) profile.defaultErrnoRet = opts.errnoRet;
  profile.architectures = listed.map((id) => archById(id).scmp);
  if (opts.logDenials) profile.flags = ['SECCOMP_FILTER_FLAG_LOG' as Flag];
  profile.syscalls = canonicalRules(outRules);

  const allowed = [...new Set(profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names))].sort();
  const report: GenerateReport = {
    baseline: opts.baseline,
    baselineSource: base.source,
    nativeArch: native,
    architectures: profile.architectures,
    caps,
    kernel,
    runtime,
    noNewPrivileges: opts.noNewPrivileges ?? false,
    defaultAction,
    observed: seenArches.map((a) => {
      const m = observed.arches.get(a) ?? new Map<string, { count: number }>();
      let calls = 0;
      for (const s of m.values()) calls += s.count;
      return { arch: a, syscalls: m.size, calls };
    }),
    added,
    narrowed,
    conditional,
    enosys,
    risky,
    unknown: observed.unknown,
    lines: observed.lines,
    malformed: observed.malformed,
    lost: observed.lost,
    lossSignals: observed.lossSignals,
    allowed,
    derivedArches,
    translations,
    notOnArch,
  };
  return { profile, report };
}

/** A profile allowing exactly what was observed (no baseline, no runtime), with the given defaults: how recordings join a merge. */
export function observedToAllowProfile(observed: Observed, defaults: { defaultAction: Action; defaultErrnoRet?: number }): SeccompProfile {
  const opts: GenerateOptions = { baseline: 'none', runtime: 'none', defaultAction: defaults.defaultAction };
  if (defaults.defaultErrnoRet !== undefined) opts.errnoRet = defaults.defaultErrnoRet;
  const { profile } = generateProfile(observed, opts);
  if (defaults.defaultAction === 'SCMP_ACT_ERRNO' && defaults.defaultErrnoRet === undefined) delete profile.defaultErrnoRet;
  return profile;
}
