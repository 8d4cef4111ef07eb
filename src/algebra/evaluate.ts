/**
 * What a profile answers to one call, in syscribe's model of the runtimes
 * (normalize.ts). Pure.
 *
 * One simplification, stated: when several conditional rules of one syscall
 * with different actions match the same call, this returns the least
 * restrictive of them. libseccomp decides such overlaps by the order of its
 * argument tree instead; profiles syscribe writes avoid them where it can.
 */
import { argHolds } from '../generate/conditions.js';
import type { SeccompProfile } from '../profile/types.js';
import { type Effect, maxEffect } from './effect.js';
import { defaultEffect, reduceRules } from './normalize.js';

export type Evaluator = (name: string, args?: ReadonlyArray<bigint>) => Effect;

/** Build once per profile; missing arguments count as 0. */
export function evaluator(p: SeccompProfile): Evaluator {
  const D = defaultEffect(p);
  const { table } = reduceRules(p.syscalls ?? [], p);
  return (name, args = []) => {
    const rec = table.get(name);
    if (!rec) return D;
    if (rec.uncond) return rec.uncond;
    let best: Effect | undefined;
    for (const c of rec.cond) {
      if (c.args.every((a) => argHolds(a, args[a.index] ?? 0n))) best = best ? maxEffect(best, c.effect) : c.effect;
    }
    return best ?? D;
  };
}
