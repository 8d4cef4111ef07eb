/**
 * merge: the union of seccomp profiles. Pure.
 *
 * Every input is first read the way the runtimes read it (normalize.ts:
 * rules equal to the default skipped, an unconditional rule replaces the
 * name's conditional rules). Then, per syscall name, each call gets the least
 * restrictive of what the inputs give it, in the order
 * ALLOW > LOG > NOTIFY > TRACE > ERRNO > TRAP > KILL_THREAD (= KILL) > KILL_PROCESS
 * (effect.ts; equal actions: ENOSYS first, then the lower errno).
 *
 * A name an input has no rule for gets that input's default action, which
 * the inputs must share (or --default-action replaces in all of them). So:
 * - unconditional everywhere: the maximum, written unconditionally (or left
 *   to the default when it is the default);
 * - conditional rules less restrictive than the default (a conditional
 *   allow) are kept as conditions: they never become an unconditional allow
 *   unless an input allows the name unconditionally;
 * - an unconditional rule less restrictive than the default (e.g. ALLOW)
 *   absorbs the name's conditional rules; when one of those was even less
 *   restrictive (a conditional ALLOW against an unconditional LOG), one filter
 *   cannot say both and the unconditional rule is kept: warning `narrowed`;
 * - conditional rules more restrictive than the default (a conditional deny
 *   in an allow-by-default profile) survive only when every input has the
 *   same condition (otherwise some input lets those calls fall to the
 *   default); when the inputs restrict the name under different conditions,
 *   the union cannot be written exactly: warning `restriction-dropped`.
 * Without warnings the result gives every call exactly the least restrictive
 * of the inputs' answers (see evaluate.ts), and the operation is associative
 * and commutative.
 */
import { OptionError, UserError } from '../errors.js';
import { argInWords } from '../generate/conditions.js';
import type { Action, Flag, SeccompProfile } from '../profile/types.js';
import { type Effect, compareEffects, effectLabel, effectOf, effectiveErrno, joinSpelling, maxEffect, sameEffect } from './effect.js';
import { actionRank, takesErrno } from '../profile/vocabulary.js';
import { argsKey, sortArchitectures } from '../profile/canonical.js';
import { type CondRule, type Defaults, type NameRules, type RuleTable, assembleRules, reduceRules } from './normalize.js';

export interface MergeInput {
  /** File name (or file#document) for messages. */
  source: string;
  profile: SeccompProfile;
}

export interface MergeOptions {
  /** Replace every input's default action with this one before the union. */
  defaultAction?: Action;
  /** defaultErrnoRet to go with defaultAction (ERRNO / TRACE only). */
  defaultErrnoRet?: number;
}

export type MergeWarningKind = 'narrowed' | 'restriction-dropped' | 'errno' | 'uncond-conflict' | 'cond-conflict';

export interface MergeWarning {
  kind: MergeWarningKind;
  name?: string;
  message: string;
}

export interface MergeResult {
  profile: SeccompProfile;
  warnings: MergeWarning[];
}

interface Candidate {
  effect: Effect;
  source: string;
  /** false: the input has no rule, the default applies. */
  explicit: boolean;
}

function condWords(c: CondRule): string {
  return c.args.map(argInWords).join(' && ');
}

/** The default every input shares, or the one the options impose (UserError when they differ and none is imposed). */
export function resolveMergeDefault(inputs: readonly MergeInput[], opts: MergeOptions): Effect {
  if (opts.defaultAction !== undefined) {
    const a = opts.defaultAction;
    if (a === 'SCMP_ACT_NOTIFY') throw new OptionError((n) => `${n('defaultAction')}: SCMP_ACT_NOTIFY cannot be the default action (runc and crun refuse it)`);
    if (opts.defaultErrnoRet !== undefined) {
      if (!takesErrno(a)) throw new OptionError((n) => `${n('defaultErrnoRet')} goes with ${n('defaultAction')} errno or trace, not ${a}`);
      return { action: a, errnoRet: opts.defaultErrnoRet };
    }
    if (!takesErrno(a)) return { action: a };
    // Same action in the inputs: keep their errno when they agree on it.
    const same = inputs.filter((i) => i.profile.defaultAction === a);
    const errnos = new Set(same.map((i) => effectiveErrno(effectOf(a, i.profile.defaultErrnoRet))));
    if (errnos.size > 1) {
      throw new OptionError((n) => `the inputs use ${a} with different errno values (${same.map((i) => `${i.source}: ${effectiveErrno(effectOf(a, i.profile.defaultErrnoRet))}`).join(', ')}); say which with ${n('defaultErrnoRet')}`);
    }
    return same.map((i) => effectOf(a, i.profile.defaultErrnoRet)).reduce<Effect>((x, y) => joinSpelling(x, y), { action: a });
  }
  const effects = inputs.map((i) => effectOf(i.profile.defaultAction, i.profile.defaultErrnoRet));
  const first = effects[0]!;
  if (effects.some((e) => !sameEffect(e, first))) {
    throw new OptionError((n) =>
      `the inputs have different default actions (${inputs.map((i, k) => `${i.source}: ${effectLabel(effects[k]!)}`).join(', ')}); ` +
      `choose the merged one with ${n('defaultAction')} (it replaces the default of every input, so names an input did not list get the new default)`,
    );
  }
  return effects.reduce((x, y) => joinSpelling(x, y));
}

function sameOrThrow(inputs: readonly MergeInput[], field: 'listenerPath' | 'listenerMetadata'): string | undefined {
  const vals = inputs.filter((i) => i.profile[field] !== undefined);
  const set = new Set(vals.map((i) => i.profile[field]));
  if (set.size > 1) throw new UserError(`the inputs have different ${field} values (${vals.map((i) => `${i.source}: ${i.profile[field]}`).join(', ')}); a profile has one seccomp agent`);
  return vals[0]?.profile[field];
}

export function mergeProfiles(inputs: readonly MergeInput[], opts: MergeOptions = {}): MergeResult {
  if (inputs.length === 0) throw new UserError('nothing to merge: name at least one profile');
  const D = resolveMergeDefault(inputs, opts);
  const defaults: Defaults = D.errnoRet === undefined ? { defaultAction: D.action } : { defaultAction: D.action, defaultErrnoRet: D.errnoRet };
  const warnings: MergeWarning[] = [];

  const tables: Array<{ source: string; table: RuleTable }> = inputs.map((i) => {
    const { table, notes } = reduceRules(i.profile.syscalls ?? [], defaults);
    for (const n of notes) warnings.push({ kind: n.kind, name: n.name, message: `${i.source}: ${n.message}` });
    return { source: i.source, table };
  });

  const names = new Set<string>();
  for (const t of tables) for (const n of t.table.keys()) names.add(n);
  const out: RuleTable = new Map();
  for (const name of [...names].sort()) {
    const rec = mergeName(name, tables.map((t) => ({ source: t.source, rec: t.table.get(name) })), D, warnings);
    if (rec) out.set(name, rec);
  }

  const profile: SeccompProfile = { ...defaults };
  const arches = sortArchitectures(inputs.flatMap((i) => i.profile.architectures ?? []));
  if (arches.length) profile.architectures = arches;
  const flags = [...new Set(inputs.flatMap((i) => i.profile.flags ?? []))].sort() as Flag[];
  if (flags.length) profile.flags = flags;
  const lp = sameOrThrow(inputs, 'listenerPath');
  if (lp !== undefined) profile.listenerPath = lp;
  const lm = sameOrThrow(inputs, 'listenerMetadata');
  if (lm !== undefined) profile.listenerMetadata = lm;
  profile.syscalls = assembleRules(out);
  return { profile, warnings };
}

/** The maximum; warns when an input's explicit errno (same action) lost. */
function pick(name: string, cands: readonly Candidate[], warnings: MergeWarning[], what = ''): Effect {
  const winner = cands.map((c) => c.effect).reduce((a, b) => maxEffect(a, b));
  const losers = cands.filter((c) => c.explicit && !sameEffect(c.effect, winner) && actionRank(c.effect.action) === actionRank(winner.action));
  if (losers.length) {
    const won = cands.filter((c) => sameEffect(c.effect, winner)).map((c) => (c.explicit ? c.source : `${c.source} (default)`));
    warnings.push({
      kind: 'errno',
      name,
      message: `${name}${what}: ${losers.map((l) => `${l.source} answers ${effectLabel(l.effect)}`).join(', ')}, ${won.join(', ')} ${effectLabel(winner)}; kept ${effectLabel(winner)} (ENOSYS first, then the lower errno)`,
    });
  }
  return winner;
}

function mergeName(name: string, inputs: ReadonlyArray<{ source: string; rec: NameRules | undefined }>, D: Effect, warnings: MergeWarning[]): NameRules | undefined {
  const uncond: Candidate[] = [];
  const condInputs: Array<{ source: string; cond: CondRule[] }> = [];
  for (const i of inputs) {
    if (!i.rec) uncond.push({ effect: D, source: i.source, explicit: false });
    else if (i.rec.uncond) uncond.push({ effect: i.rec.uncond, source: i.source, explicit: true });
    else condInputs.push({ source: i.source, cond: i.rec.cond });
  }
  const u = uncond.length ? uncond.map((c) => c.effect).reduce((a, b) => maxEffect(a, b)) : undefined;

  if (!condInputs.length) {
    const w = pick(name, uncond, warnings);
    return sameEffect(w, D) ? undefined : { uncond: w, cond: [] };
  }

  if (u && compareEffects(u, D) > 0) {
    pick(name, uncond, warnings);
    // An unconditional rule must be written, and it replaces every conditional rule of the name.
    const lost = condInputs.flatMap((ci) => ci.cond.filter((c) => compareEffects(c.effect, u) > 0).map((c) => `${ci.source} gives ${effectLabel(c.effect)} when ${condWords(c)}`));
    if (lost.length) {
      const by = uncond.filter((c) => c.explicit && sameEffect(c.effect, u)).map((c) => c.source);
      warnings.push({
        kind: 'narrowed',
        name,
        message: `${name}: ${lost.join('; ')}, but ${by.join(', ')} answers every call with ${effectLabel(u)}; one filter cannot say both (an unconditional rule replaces a syscall's conditional rules), so every ${name} call gets ${effectLabel(u)}`,
      });
    }
    return { uncond: u, cond: [] };
  }

  // Every call that matches no condition gets the default (u, if any, is not above it).
  const permissive = new Map<string, Candidate[]>();
  const restrictive = condInputs.map((ci) => new Map(ci.cond.filter((c) => compareEffects(c.effect, D) < 0).map((c) => [argsKey(c.args), c])));
  const argsOf = new Map<string, CondRule['args']>();
  for (const ci of condInputs) {
    for (const c of ci.cond) {
      if (compareEffects(c.effect, D) <= 0) continue;
      const k = argsKey(c.args);
      argsOf.set(k, c.args);
      permissive.set(k, [...(permissive.get(k) ?? []), { effect: c.effect, source: ci.source, explicit: true }]);
    }
  }
  const cond: CondRule[] = [];
  for (const [k, cands] of permissive) cond.push({ args: argsOf.get(k)!, effect: pick(name, cands, warnings, ` when ${argsOf.get(k)!.map(argInWords).join(' && ')}`) });

  // Conditional restrictions: kept only where every input restricts the same calls.
  const uBelow = u === undefined || compareEffects(u, D) < 0;
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < condInputs.length; i++) {
    for (const [k, c] of restrictive[i]!) {
      if (seen.has(k)) continue;
      seen.add(k);
      if (uBelow && restrictive.every((m) => m.has(k))) {
        const cands: Candidate[] = restrictive.map((m, j) => ({ effect: m.get(k)!.effect, source: condInputs[j]!.source, explicit: true }));
        if (u) cands.push(...uncond);
        cond.push({ args: c.args, effect: pick(name, cands, warnings, ` when ${condWords(c)}`) });
      } else dropped.push(`${condInputs[i]!.source}: ${effectLabel(c.effect)} when ${condWords(c)}`);
    }
  }
  if (dropped.length && uBelow && restrictive.every((m) => m.size > 0)) {
    warnings.push({
      kind: 'restriction-dropped',
      name,
      message: `${name}: the inputs restrict it under different conditions (${dropped.join('; ')}); kept only the conditions all inputs share, so calls matching different conditions in each input now get ${effectLabel(D)}`,
    });
  }
  return cond.length ? { cond } : undefined;
}

/** For messages and summaries: how many names the merged profile allows, unconditionally and conditionally. */
export function countAllowed(p: SeccompProfile): { unconditional: number; conditional: number } {
  const un = new Set<string>();
  const co = new Set<string>();
  for (const r of p.syscalls ?? []) {
    if (r.action !== 'SCMP_ACT_ALLOW') continue;
    for (const n of r.names) (r.args?.length ? co : un).add(n);
  }
  for (const n of un) co.delete(n);
  return { unconditional: un.size, conditional: co.size };
}
