/**
 * diff: what changed from profile A to profile B, in behaviour (both read as
 * the runtimes read them, normalize.ts), not in spelling: rule order, name
 * order, split or grouped rules, KILL vs KILL_THREAD, errnoRet 1 vs unset
 * and rules equal to the default action make no difference. Pure.
 *
 * Names are compared per action: a name is "added" under SCMP_ACT_ALLOW when
 * B has an unconditional ALLOW rule for it and A has not; conditional rules
 * are listed apart, and a name with conditional rules of the same action in
 * both whose conditions differ is a condition change. Rules only ever name
 * syscalls for all listed architectures at once, so architectures are
 * compared as a list. With different default actions the name lists compare
 * the explicit rules (a name neither lists gets each profile's own default).
 */
import { argInWords } from '../generate/conditions.js';
import type { Action, Flag, SeccompArg, SeccompProfile } from '../profile/types.js';
import { type Effect, effectKey, effectLabel, effectOf, effectiveErrno, sameEffect } from './effect.js';
import { actionOrder, takesErrno } from '../profile/vocabulary.js';
import { argsKey, sortArchitectures } from '../profile/canonical.js';
import { type NameRules, reduceRules } from './normalize.js';

export interface ActionChange {
  action: Action;
  errnoRet?: number;
  /** "SCMP_ACT_ERRNO (ENOSYS 38)". */
  label: string;
  /** Names B decides unconditionally with this action and A does not. */
  added: string[];
  removed: string[];
  /** Names B has conditional rules with this action for and A has none. */
  addedConditional: string[];
  removedConditional: string[];
}

export interface ConditionChange {
  name: string;
  action: Action;
  errnoRet?: number;
  label: string;
  /** Argument lists (each ANDed) only A has / only B has. */
  removed: SeccompArg[][];
  added: SeccompArg[][];
}

export interface ProfileDiff {
  equal: boolean;
  defaultAction?: { from: Action; to: Action };
  /** The errno the default action returns, when both return one and it differs. */
  defaultErrnoRet?: { from: number; to: number };
  architectures: { added: string[]; removed: string[] };
  flags: { added: Flag[]; removed: Flag[] };
  listenerPath?: { from?: string; to?: string };
  listenerMetadata?: { from?: string; to?: string };
  actions: ActionChange[];
  conditions: ConditionChange[];
}

function setDiff<T>(a: readonly T[], b: readonly T[]): { added: T[]; removed: T[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { added: [...sb].filter((x) => !sa.has(x)), removed: [...sa].filter((x) => !sb.has(x)) };
}

/** effectKey → argument lists (by key) of one name's conditional rules. */
function condByEffect(rec: NameRules | undefined): Map<string, { effect: Effect; args: Map<string, SeccompArg[]> }> {
  const m = new Map<string, { effect: Effect; args: Map<string, SeccompArg[]> }>();
  for (const c of rec?.cond ?? []) {
    const k = effectKey(c.effect);
    let e = m.get(k);
    if (!e) {
      e = { effect: c.effect, args: new Map() };
      m.set(k, e);
    }
    e.args.set(argsKey(c.args), c.args);
  }
  return m;
}

export function diffProfiles(a: SeccompProfile, b: SeccompProfile): ProfileDiff {
  const d: ProfileDiff = {
    equal: true,
    architectures: setDiff(sortArchitectures(a.architectures ?? []), sortArchitectures(b.architectures ?? [])),
    flags: setDiff(a.flags ?? [], b.flags ?? []),
    actions: [],
    conditions: [],
  };
  d.flags.added.sort();
  d.flags.removed.sort();
  const da = effectOf(a.defaultAction, a.defaultErrnoRet);
  const db = effectOf(b.defaultAction, b.defaultErrnoRet);
  if (!sameEffect({ action: da.action }, { action: db.action })) d.defaultAction = { from: a.defaultAction, to: b.defaultAction };
  if (takesErrno(da.action) && takesErrno(db.action) && effectiveErrno(da) !== effectiveErrno(db)) {
    d.defaultErrnoRet = { from: effectiveErrno(da)!, to: effectiveErrno(db)! };
  }
  if (a.listenerPath !== b.listenerPath) d.listenerPath = { ...(a.listenerPath !== undefined ? { from: a.listenerPath } : {}), ...(b.listenerPath !== undefined ? { to: b.listenerPath } : {}) };
  if (a.listenerMetadata !== b.listenerMetadata) d.listenerMetadata = { ...(a.listenerMetadata !== undefined ? { from: a.listenerMetadata } : {}), ...(b.listenerMetadata !== undefined ? { to: b.listenerMetadata } : {}) };

  const ta = reduceRules(a.syscalls ?? [], a).table;
  const tb = reduceRules(b.syscalls ?? [], b).table;
  const changes = new Map<string, ActionChange>();
  const change = (e: Effect): ActionChange => {
    const k = effectKey(e);
    let c = changes.get(k);
    if (!c) {
      c = { action: e.action, ...(e.errnoRet !== undefined ? { errnoRet: e.errnoRet } : {}), label: effectLabel(e), added: [], removed: [], addedConditional: [], removedConditional: [] };
      changes.set(k, c);
    }
    return c;
  };
  const names = [...new Set([...ta.keys(), ...tb.keys()])].sort();
  for (const name of names) {
    const ra = ta.get(name);
    const rb = tb.get(name);
    const ua = ra?.uncond;
    const ub = rb?.uncond;
    if (!(ua && ub && sameEffect(ua, ub))) {
      if (ua) change(ua).removed.push(name);
      if (ub) change(ub).added.push(name);
    }
    const ca = condByEffect(ra);
    const cb = condByEffect(rb);
    for (const [k, x] of ca) {
      const y = cb.get(k);
      if (!y) {
        change(x.effect).removedConditional.push(name);
        continue;
      }
      const { added, removed } = setDiff([...x.args.keys()], [...y.args.keys()]);
      if (added.length || removed.length) {
        d.conditions.push({
          name,
          action: x.effect.action,
          ...(x.effect.errnoRet !== undefined ? { errnoRet: x.effect.errnoRet } : {}),
          label: effectLabel(x.effect),
          removed: removed.map((r) => x.args.get(r)!),
          added: added.map((r) => y.args.get(r)!),
        });
      }
    }
    for (const [k, y] of cb) if (!ca.has(k)) change(y.effect).addedConditional.push(name);
  }
  d.actions = [...changes.values()].sort((x, y) => actionOrder(x.action) - actionOrder(y.action) || (effectiveErrno(x) ?? -1) - (effectiveErrno(y) ?? -1));
  d.equal = !d.defaultAction && !d.defaultErrnoRet && !d.architectures.added.length && !d.architectures.removed.length &&
    !d.flags.added.length && !d.flags.removed.length && !d.listenerPath && !d.listenerMetadata && !d.actions.length && !d.conditions.length;
  return d;
}

function argsWords(args: readonly SeccompArg[]): string {
  return args.map(argInWords).join(' && ');
}

/** The human form `syscribe diff` prints. */
export function formatDiff(d: ProfileDiff, labels: { a: string; b: string } = { a: 'A', b: 'B' }): string {
  if (d.equal) return `no differences: ${labels.a} and ${labels.b} behave the same\n`;
  let s = `--- ${labels.a}\n+++ ${labels.b}\n`;
  if (d.defaultAction) s += `defaultAction: ${d.defaultAction.from} → ${d.defaultAction.to}\n`;
  if (d.defaultErrnoRet) s += `defaultErrnoRet: ${d.defaultErrnoRet.from} → ${d.defaultErrnoRet.to}\n`;
  if (d.architectures.added.length || d.architectures.removed.length) {
    s += `architectures:${d.architectures.added.map((x) => ` +${x}`).join('')}${d.architectures.removed.map((x) => ` -${x}`).join('')}\n`;
  }
  if (d.flags.added.length || d.flags.removed.length) s += `flags:${d.flags.added.map((x) => ` +${x}`).join('')}${d.flags.removed.map((x) => ` -${x}`).join('')}\n`;
  if (d.listenerPath) s += `listenerPath: ${d.listenerPath.from ?? '(none)'} → ${d.listenerPath.to ?? '(none)'}\n`;
  if (d.listenerMetadata) s += `listenerMetadata: ${d.listenerMetadata.from ?? '(none)'} → ${d.listenerMetadata.to ?? '(none)'}\n`;
  for (const c of d.actions) {
    s += `${c.label}:\n`;
    if (c.added.length) s += `  + ${c.added.join(' ')}\n`;
    if (c.removed.length) s += `  - ${c.removed.join(' ')}\n`;
    if (c.addedConditional.length) s += `  + (conditional) ${c.addedConditional.join(' ')}\n`;
    if (c.removedConditional.length) s += `  - (conditional) ${c.removedConditional.join(' ')}\n`;
  }
  if (d.conditions.length) {
    s += 'conditions changed:\n';
    for (const c of d.conditions) {
      s += `  ${c.name} ${c.label}:\n`;
      for (const r of c.removed) s += `    - ${argsWords(r)}\n`;
      for (const r of c.added) s += `    + ${argsWords(r)}\n`;
    }
  }
  return s;
}
