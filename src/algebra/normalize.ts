/**
 * Canonical rules: the same behaviour always gives the same rule list. Pure.
 *
 * The model (what runc and crun do with `syscalls`, through libseccomp):
 * - A rule whose action and errno equal the default action is skipped.
 * - For one syscall, the first unconditional rule wins: a later unconditional
 *   rule is dropped, and an unconditional rule replaces every conditional rule
 *   of that syscall, whatever their actions (libseccomp db_rule_add).
 * - Conditional rules with the same arguments and different actions make
 *   libseccomp fail (EEXIST); with different arguments they all apply.
 * - The arguments of one rule are ANDed, whatever their order.
 *
 * `reduceRules` turns a rule list into that behaviour, one entry per name;
 * `assembleRules` writes it back as rules: names with identical action, errno
 * and arguments (as spelled) grouped, names and arguments sorted, unconditional ALLOW
 * first, then by action, errno, unconditional before conditional, first
 * name, arguments.
 */
import { ARCHES } from '../arch.js';
import { compareValues } from '../profile/exact-json.js';
import { type Action, OPERATORS, type SeccompArg, type SeccompProfile, type SyscallRule } from '../profile/types.js';
import { type Effect, effectLabel, effectOf, joinSpelling, maxEffect, sameEffect } from './effect.js';

export interface CondRule {
  /** Canonical: sorted, valueTwo only when not 0. */
  args: SeccompArg[];
  effect: Effect;
}

/** What a profile does with one syscall name. */
export interface NameRules {
  /** The unconditional rule that decides every call of this name. */
  uncond?: Effect;
  /** Conditional rules, at most one per argument list. Empty when `uncond` is set and the defaults are known. */
  cond: CondRule[];
}

/** Syscall name → its rules. A name that is not in the table gets the default action. */
export type RuleTable = Map<string, NameRules>;

export interface Defaults {
  defaultAction: Action;
  defaultErrnoRet?: number;
}

export interface ReduceNote {
  kind: 'uncond-conflict' | 'cond-conflict';
  name: string;
  message: string;
}

const OP_ORDER = new Map<string, number>(OPERATORS.map((o, i) => [o, i]));

export function canonicalArg(a: SeccompArg): SeccompArg {
  return a.valueTwo ? { index: a.index, value: a.value, valueTwo: a.valueTwo, op: a.op } : { index: a.index, value: a.value, op: a.op };
}

/** Sorted by index, operator, value, valueTwo. Order does not matter to the runtimes (the comparisons are ANDed). */
export function canonicalArgs(args: readonly SeccompArg[] | undefined): SeccompArg[] {
  return (args ?? []).map(canonicalArg).sort((a, b) =>
    a.index - b.index || OP_ORDER.get(a.op)! - OP_ORDER.get(b.op)! || compareValues(a.value, b.value) || compareValues(a.valueTwo ?? 0, b.valueTwo ?? 0));
}

/** Key of a canonical argument list (exact: values are numbers up to 2^53, bigints above). */
export function argsKey(args: readonly SeccompArg[]): string {
  return args.map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo ?? 0}`).join(',');
}

export function defaultEffect(d: Defaults): Effect {
  return effectOf(d.defaultAction, d.defaultErrnoRet);
}

/**
 * Rules → behaviour per name. With `defaults`, rules equal to the default
 * action are dropped and an unconditional rule removes the name's conditional
 * rules (exactly what the runtimes do). Without, only what holds whatever the
 * default is: conditional rules with the same action as the name's
 * unconditional rule are dropped; conflicting unconditional rules keep the
 * first (as libseccomp does, unless that first rule equals the default action).
 */
export function reduceRules(rules: readonly SyscallRule[], defaults?: Defaults): { table: RuleTable; notes: ReduceNote[] } {
  const def = defaults ? defaultEffect(defaults) : undefined;
  const table: RuleTable = new Map();
  const notes: ReduceNote[] = [];
  const keyed = new Map<string, Map<string, CondRule>>();
  for (const r of rules) {
    const effect = effectOf(r.action, r.errnoRet);
    if (def && sameEffect(effect, def)) continue;
    const args = canonicalArgs(r.args);
    const key = argsKey(args);
    for (const name of new Set(r.names)) {
      if (!name) continue;
      let rec = table.get(name);
      if (!rec) {
        rec = { cond: [] };
        table.set(name, rec);
        keyed.set(name, new Map());
      }
      if (!args.length) {
        if (rec.uncond === undefined) rec.uncond = effect;
        else if (sameEffect(rec.uncond, effect)) rec.uncond = joinSpelling(rec.uncond, effect);
        else {
          notes.push({
            kind: 'uncond-conflict',
            name,
            message: `${name}: unconditional rules with ${effectLabel(rec.uncond)} and ${effectLabel(effect)}; the first one applies (libseccomp keeps the first)`,
          });
        }
        continue;
      }
      const byKey = keyed.get(name)!;
      const cur = byKey.get(key);
      if (!cur) {
        const c: CondRule = { args, effect };
        byKey.set(key, c);
        rec.cond.push(c);
      } else if (sameEffect(cur.effect, effect)) cur.effect = joinSpelling(cur.effect, effect);
      else {
        notes.push({
          kind: 'cond-conflict',
          name,
          message: `${name}: two rules with the same arguments and different actions (${effectLabel(cur.effect)}, ${effectLabel(effect)}): libseccomp refuses that (EEXIST); kept the less restrictive`,
        });
        cur.effect = maxEffect(cur.effect, effect);
      }
    }
  }
  for (const rec of table.values()) {
    if (rec.uncond === undefined) continue;
    const u = rec.uncond;
    rec.cond = def ? [] : rec.cond.filter((c) => !sameEffect(c.effect, u));
  }
  return { table, notes };
}

const ACTION_ORDER: readonly Action[] = [
  'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRAP', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS',
];

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ruleOrder(a: SyscallRule, b: SyscallRule): number {
  const ca = a.args?.length ? 1 : 0;
  const cb = b.args?.length ? 1 : 0;
  const ua = a.action === 'SCMP_ACT_ALLOW' && !ca ? 0 : 1;
  const ub = b.action === 'SCMP_ACT_ALLOW' && !cb ? 0 : 1;
  return ua - ub
    || ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action)
    || (a.errnoRet ?? -1) - (b.errnoRet ?? -1)
    || ca - cb
    || cmp(a.names[0]!, b.names[0]!)
    || cmp(argsKey(a.args ?? []), argsKey(b.args ?? []));
}

/** Behaviour per name → rules, grouped and ordered deterministically. */
export function assembleRules(table: RuleTable): SyscallRule[] {
  // Grouped by spelling, not only by behaviour: each name keeps its own spelling
  // (SCMP_ACT_KILL vs SCMP_ACT_KILL_THREAD, errnoRet 1 vs unset), so grouping never depends on other names.
  const groups = new Map<string, { effect: Effect; args: SeccompArg[]; names: string[] }>();
  const add = (name: string, effect: Effect, args: SeccompArg[]) => {
    const k = `${effect.action}|${effect.errnoRet ?? ''}|${argsKey(args)}`;
    const g = groups.get(k);
    if (g) g.names.push(name);
    else groups.set(k, { effect, args, names: [name] });
  };
  for (const [name, rec] of table) {
    if (rec.uncond) add(name, rec.uncond, []);
    for (const c of rec.cond) add(name, c.effect, c.args);
  }
  const out: SyscallRule[] = [];
  for (const g of groups.values()) {
    const r: SyscallRule = { names: [...new Set(g.names)].sort(cmp), action: g.effect.action };
    if (g.effect.errnoRet !== undefined) r.errnoRet = g.effect.errnoRet;
    if (g.args.length) r.args = g.args.map(canonicalArg);
    out.push(r);
  }
  return out.sort(ruleOrder);
}

/**
 * The canonical form of a rule list: rules with identical action, errnoRet and
 * args merged into one with sorted unique names; absorbed rules dropped (an
 * unconditional rule of action X makes the name's conditional X rules
 * redundant); unconditional ALLOW first, then by action, then arguments.
 * Pass the profile's default action to also drop rules the runtimes skip
 * (action equal to the default) and conditional rules an unconditional rule
 * replaces.
 */
export function normalizeRules(rules: readonly SyscallRule[], defaults?: Defaults): SyscallRule[] {
  return assembleRules(reduceRules(rules, defaults).table);
}

const ARCH_ORDER = new Map<string, number>(ARCHES.map((a, i) => [a.scmp, i]));

/** Unique, in syscribe's arch order (x86, x86_64, x32, arm, aarch64, …); unknown spellings last, sorted. */
export function sortArchitectures(list: readonly string[]): string[] {
  return [...new Set(list)].sort((a, b) => (ARCH_ORDER.get(a) ?? 1e9) - (ARCH_ORDER.get(b) ?? 1e9) || cmp(a, b));
}

/** The canonical form of a whole profile (same behaviour → same object). */
export function normalizeProfile(p: SeccompProfile): SeccompProfile {
  const o: SeccompProfile = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) o.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures?.length) o.architectures = sortArchitectures(p.architectures);
  if (p.flags?.length) o.flags = [...new Set(p.flags)].sort();
  if (p.listenerPath !== undefined) o.listenerPath = p.listenerPath;
  if (p.listenerMetadata !== undefined) o.listenerMetadata = p.listenerMetadata;
  o.syscalls = normalizeRules(p.syscalls ?? [], p);
  return o;
}
