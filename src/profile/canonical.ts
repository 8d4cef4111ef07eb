/**
 * The one canonical form of a rule list, used by every writer (generate for
 * strace/record/audit, merge): the same rules always give the same bytes,
 * whichever command wrote them. Pure.
 *
 * - Arguments: valueTwo only when not 0, sorted by index, operator, value,
 *   valueTwo (the comparisons of one rule are ANDed: order does not matter
 *   to the runtimes).
 * - Rules with the same action, errnoRet and arguments (as spelled) are one
 *   rule; names sorted and unique.
 * - Order: unconditional ALLOW first, then by action (vocabulary.ts ACTION_ORDER), errnoRet
 *   (unset first, then ascending), unconditional before conditional, first
 *   name, arguments.
 *
 * Only the spelling is made canonical here: no rule is dropped. Reading a rule
 * list the way the runtimes do (rules equal to the default skipped, an
 * unconditional rule replacing conditional ones) is algebra/normalize.ts.
 */
import { ARCHES } from '../arch.js';
import { compareValues } from './exact-json.js';
import { type Action, OPERATORS, type SeccompArg, type SyscallRule } from './types.js';
import { actionOrder } from './vocabulary.js';

/** A rule as the writers build it (generate's flat baseline rules, merge's rule table). */
export interface RuleLike {
  readonly names: readonly string[];
  readonly action: Action;
  readonly errnoRet?: number | undefined;
  readonly args?: readonly SeccompArg[] | undefined;
}

const OP_ORDER = new Map<string, number>(OPERATORS.map((o, i) => [o, i]));

/** Code-unit order (not locale order): the same on every machine. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Key order index, value, valueTwo (only when not 0), op. */
export function canonicalArg(a: SeccompArg): SeccompArg {
  return a.valueTwo ? { index: a.index, value: a.value, valueTwo: a.valueTwo, op: a.op } : { index: a.index, value: a.value, op: a.op };
}

function compareArg(a: SeccompArg, b: SeccompArg): number {
  return a.index - b.index || OP_ORDER.get(a.op)! - OP_ORDER.get(b.op)! || compareValues(a.value, b.value) || compareValues(a.valueTwo ?? 0, b.valueTwo ?? 0);
}

/** Sorted by index, operator, value, valueTwo. Order does not matter to the runtimes (the comparisons are ANDed). */
export function canonicalArgs(args: readonly SeccompArg[] | undefined): SeccompArg[] {
  return (args ?? []).map(canonicalArg).sort(compareArg);
}

/** Key of a canonical argument list (exact: values are numbers up to 2^53, bigints above). */
export function argsKey(args: readonly SeccompArg[]): string {
  return args.map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo ?? 0}`).join(',');
}

/** Two canonical argument lists, argument by argument (numerically), the shorter first on a tie. */
function compareArgLists(a: readonly SeccompArg[], b: readonly SeccompArg[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareArg(a[i]!, b[i]!);
    if (c) return c;
  }
  return a.length - b.length;
}

/** The canonical order of two canonical rules (total: distinct canonical rules never compare equal). */
export function compareRules(a: SyscallRule, b: SyscallRule): number {
  const ca = a.args?.length ? 1 : 0;
  const cb = b.args?.length ? 1 : 0;
  const ua = a.action === 'SCMP_ACT_ALLOW' && !ca ? 0 : 1;
  const ub = b.action === 'SCMP_ACT_ALLOW' && !cb ? 0 : 1;
  return ua - ub
    || actionOrder(a.action) - actionOrder(b.action)
    || (a.errnoRet ?? -1) - (b.errnoRet ?? -1)
    || ca - cb
    || cmp(a.names[0]!, b.names[0]!)
    || compareArgLists(a.args ?? [], b.args ?? []);
}

/** Rules → the canonical rule list (grouped by spelling, names sorted, ordered). Rules without names are dropped. */
export function canonicalRules(rules: Iterable<RuleLike>): SyscallRule[] {
  const groups = new Map<string, SyscallRule>();
  for (const r of rules) {
    if (!r.names.length) continue;
    const args = canonicalArgs(r.args);
    const key = `${r.action}|${r.errnoRet ?? ''}|${argsKey(args)}`;
    const g = groups.get(key);
    if (g) g.names.push(...r.names);
    else {
      const o: SyscallRule = { names: [...r.names], action: r.action };
      if (r.errnoRet !== undefined) o.errnoRet = r.errnoRet;
      if (args.length) o.args = args;
      groups.set(key, o);
    }
  }
  const out = [...groups.values()];
  for (const r of out) r.names = [...new Set(r.names)].sort(cmp);
  return out.sort(compareRules);
}

const ARCH_ORDER = new Map<string, number>(ARCHES.map((a, i) => [a.scmp, i]));

/** Unique, in syscribe's arch order (x86, x86_64, x32, arm, aarch64, …); unknown spellings last, sorted. */
export function sortArchitectures(list: readonly string[]): string[] {
  return [...new Set(list)].sort((a, b) => (ARCH_ORDER.get(a) ?? 1e9) - (ARCH_ORDER.get(b) ?? 1e9) || cmp(a, b));
}
