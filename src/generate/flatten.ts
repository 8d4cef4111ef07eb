/**
 * Flatten a RuntimeDefault for one target, as the runtime itself does when it
 * builds a container's spec: keep each rule whose includes/excludes hold for
 * the target's native arch, capability bounding set and kernel version, and
 * drop the conditions. The result is plain OCI (what runc receives).
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { type Arch, type ArchId, archById } from '../arch.js';
import { BASELINES } from '../data/baselines.generated.js';
import { OptionError } from '../errors.js';
import { capName, runtimeDefaultCaps } from '../profile/capabilities.js';
import type { Action, SeccompArg } from '../profile/types.js';
import type { BaselineRule } from './baseline-types.js';

export const BASELINE_NAMES = ['containerd', 'crio', 'docker', 'none'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface FlattenTarget {
  /** The node's native arch (rules' `arches` conditions are checked against it). */
  arch: ArchId;
  /** The container's bounding capability set (CAP_* names). */
  caps: readonly string[];
  /** Kernel version "X.Y" (minKernel conditions). */
  kernel: string;
}

/** A rule after flattening: plain OCI. */
export interface FlatRule {
  names: string[];
  action: Action;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface FlatBaseline {
  name: BaselineName;
  source: string;
  defaultAction: Action;
  defaultErrnoRet?: number;
  rules: FlatRule[];
}

/** The default capability set of the runtime behind a baseline (none: the OCI default 14); src/profile/capabilities.ts owns it. */
export function defaultCaps(name: BaselineName): string[] {
  return runtimeDefaultCaps(name);
}

/** "6.18.44-fc" → "6.18". */
export function runningKernel(): string {
  let r = release();
  try {
    r = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    /* os.release() it is */
  }
  const m = /^(\d+)\.(\d+)/.exec(r);
  return m ? `${m[1]}.${m[2]}` : '0.0';
}

export function parseKernel(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?/.exec(v.trim());
  if (!m) throw new OptionError((n) => `${n('kernel')} wants X.Y (e.g. 5.15), got '${v}'`);
  return [Number(m[1]), Number(m[2])];
}

function kernelAtLeast(have: string, want: string): boolean {
  const [a, b] = parseKernel(have);
  const [c, d] = parseKernel(want);
  return a > c || (a === c && b >= d);
}

export { capName };

function archMatches(list: readonly string[], arch: Arch): boolean {
  return list.some((n) => arch.go.includes(n));
}

/** Does a conditional rule apply to this target? (moby's and containers/common's evaluator) */
export function ruleApplies(r: BaselineRule, t: FlattenTarget, arch: Arch = archById(t.arch)): boolean {
  const ex = r.excludes;
  if (ex?.arches && archMatches(ex.arches, arch)) return false;
  if (ex?.caps && ex.caps.some((c) => t.caps.includes(c))) return false;
  if (ex?.minKernel && kernelAtLeast(t.kernel, ex.minKernel)) return false;
  const inc = r.includes;
  if (inc?.arches && !archMatches(inc.arches, arch)) return false;
  if (inc?.caps && !inc.caps.every((c) => t.caps.includes(c))) return false;
  if (inc?.minKernel && !kernelAtLeast(t.kernel, inc.minKernel)) return false;
  return true;
}

/**
 * The rules that apply to the target, without their conditions (moby's and
 * containers/common's setupSeccomp). Used for the bundled RuntimeDefaults and
 * for moby-format profiles read from files (src/profile/load.ts).
 */
export function flattenRules(list: readonly BaselineRule[], t: FlattenTarget): FlatRule[] {
  const arch = archById(t.arch);
  const rules: FlatRule[] = [];
  for (const r of list) {
    if (!ruleApplies(r, t, arch)) continue;
    const f: FlatRule = { names: [...r.names], action: r.action };
    if (r.errnoRet !== undefined) f.errnoRet = r.errnoRet;
    if (r.args) f.args = r.args.map((a) => ({ ...a }));
    rules.push(f);
  }
  return rules;
}

export function flattenBaseline(name: BaselineName, t: FlattenTarget): FlatBaseline {
  if (name === 'none') return { name, source: 'none', defaultAction: 'SCMP_ACT_ERRNO', rules: [] };
  const b = BASELINES[name];
  const rules = flattenRules(b.rules, t);
  const out: FlatBaseline = { name, source: b.source, defaultAction: b.defaultAction, rules };
  if (b.defaultErrnoRet !== undefined) out.defaultErrnoRet = b.defaultErrnoRet;
  return out;
}

/**
 * Which capability (if any) would make the baseline allow `name`
 * unconditionally on this target: for the "add --cap X" hint.
 */
export function capThatAllows(name: BaselineName, syscall: string, t: FlattenTarget): string | undefined {
  if (name === 'none') return undefined;
  const arch = archById(t.arch);
  for (const r of BASELINES[name].rules) {
    if (r.action !== 'SCMP_ACT_ALLOW' || r.args || !r.names.includes(syscall) || !r.includes?.caps) continue;
    const caps = [...t.caps, ...r.includes.caps];
    if (ruleApplies(r, { ...t, caps }, arch)) return r.includes.caps.join('+');
  }
  return undefined;
}
