/**
 * What a rule does to a call: an action plus, for SCMP_ACT_ERRNO and
 * SCMP_ACT_TRACE, the value returned. Pure.
 *
 * Facts the runtimes agree on (runc libcontainer/seccomp, crun
 * src/libcrun/seccomp.c):
 * - ERRNO and TRACE without errnoRet return EPERM (1).
 * - SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD are the same action (libseccomp 0x0).
 * - A rule whose action (and errno) equals the default action is skipped:
 *   libseccomp refuses it (EACCES), so both runtimes leave it out.
 *
 * The precedence order ("least restrictive wins" in a union) is
 * profile/vocabulary.ts ACTION_ORDER / actionRank:
 * ALLOW > LOG > NOTIFY > TRACE > ERRNO > TRAP > KILL_THREAD (= KILL) > KILL_PROCESS.
 * Equal actions with different return values are ordered too, so that the
 * order is total and a union is a plain maximum (associative, commutative):
 * ENOSYS (38) first (libc falls back to an older call), then the smaller number.
 */
import type { Action } from '../profile/types.js';
import { ENOSYS, EPERM, actionRank, errnoName, takesErrno } from '../profile/vocabulary.js';

export interface Effect {
  action: Action;
  /** Only for SCMP_ACT_ERRNO / SCMP_ACT_TRACE; undefined means EPERM (1). */
  errnoRet?: number;
}

/** The errno a rule returns (EPERM when unset), or undefined for actions that return none. */
export function effectiveErrno(e: Effect): number | undefined {
  return takesErrno(e.action) ? (e.errnoRet ?? EPERM) : undefined;
}

/** One string per distinct behaviour: spelling differences (KILL vs KILL_THREAD, errnoRet 1 vs unset) vanish. */
export function effectKey(e: Effect): string {
  const a = e.action === 'SCMP_ACT_KILL' ? 'SCMP_ACT_KILL_THREAD' : e.action;
  const n = effectiveErrno(e);
  return n === undefined ? a : `${a}:${n}`;
}

export function sameEffect(a: Effect, b: Effect): boolean {
  return effectKey(a) === effectKey(b);
}

/** ENOSYS first, then ascending. */
function errnoPreference(n: number): number {
  return n === ENOSYS ? -1 : n;
}

/** > 0 when `a` is less restrictive than `b`, 0 when they behave the same. A total order. */
export function compareEffects(a: Effect, b: Effect): number {
  const r = actionRank(a.action) - actionRank(b.action);
  if (r) return r;
  const ea = effectiveErrno(a);
  const eb = effectiveErrno(b);
  if (ea === undefined || eb === undefined || ea === eb) return 0;
  return errnoPreference(eb) - errnoPreference(ea);
}

/**
 * Spelling of equal effects, chosen symmetrically (so merges stay commutative):
 * SCMP_ACT_KILL_THREAD when any spelling used it, errnoRet written when any spelling wrote it.
 */
export function joinSpelling(a: Effect, b: Effect): Effect {
  // Only called on equal effects: the actions differ at most as KILL vs KILL_THREAD.
  const action: Action = a.action === 'SCMP_ACT_KILL' && b.action === 'SCMP_ACT_KILL_THREAD' ? b.action : a.action;
  const errnoRet = a.errnoRet ?? b.errnoRet;
  return errnoRet === undefined ? { action } : { action, errnoRet };
}

/** The least restrictive of two effects (ties: joined spelling). */
export function maxEffect(a: Effect, b: Effect): Effect {
  const c = compareEffects(a, b);
  if (c > 0) return a;
  if (c < 0) return b;
  return joinSpelling(a, b);
}

/** A copy carrying only the fields that mean something for the action. */
export function effectOf(action: Action, errnoRet?: number): Effect {
  return takesErrno(action) && errnoRet !== undefined ? { action, errnoRet } : { action };
}

/** "SCMP_ACT_ERRNO (ENOSYS 38)", "SCMP_ACT_ALLOW". */
export function effectLabel(e: Effect): string {
  const n = effectiveErrno(e);
  if (n === undefined) return e.action;
  const name = errnoName(n);
  return `${e.action} (${name ? `${name} ` : 'errno '}${n})`;
}
