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
 * `assembleRules` writes it back as rules in the one canonical form
 * (profile/canonical.ts, the form every writer uses).
 */
import { type RuleLike, argsKey, canonicalArgs, canonicalRules, sortArchitectures } from '../profile/canonical.js';
import type { Action, SeccompArg, SeccompProfile, SyscallRule } from '../profile/types.js';
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

/** Behaviour per name → rules, grouped and ordered deterministically. */
export function assembleRules(table: RuleTable): SyscallRule[] {
  // Each name keeps its own spelling (SCMP_ACT_KILL vs SCMP_ACT_KILL_THREAD, errnoRet 1 vs unset),
  // so grouping never depends on other names.
  const rules: RuleLike[] = [];
  for (const [name, rec] of table) {
    if (rec.uncond) rules.push({ names: [name], ...rec.uncond });
    for (const c of rec.cond) rules.push({ names: [name], ...c.effect, args: c.args });
  }
  return canonicalRules(rules);
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
