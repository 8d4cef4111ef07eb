import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEffects, maxEffect, sameEffect } from '../../src/algebra/effect.js';
import { evaluator } from '../../src/algebra/evaluate.js';
import { mergeProfiles } from '../../src/algebra/merge.js';
import { normalizeProfile } from '../../src/algebra/normalize.js';
import { ACTIONS, type Action, type SeccompArg, type SeccompProfile, type SyscallRule } from '../../src/profile/types.js';
import { validateProfile } from '../../src/profile/validate.js';

/** FC_RUNS=20000 for a deeper search. */
const RUNS = Number(process.env.FC_RUNS ?? 400);
const NAMES = ['read', 'socket', 'ptrace', 'clone'];
const VALUES = [0, 1, 40];
const DEFAULTS: Action[] = ['SCMP_ACT_ERRNO', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP'];

const argArb: fc.Arbitrary<SeccompArg> = fc.record({
  index: fc.constantFrom(0, 1),
  value: fc.constantFrom(...VALUES),
  op: fc.constantFrom('SCMP_CMP_EQ' as const, 'SCMP_CMP_NE' as const, 'SCMP_CMP_GT' as const, 'SCMP_CMP_LT' as const),
});

// One comparison per argument index (runc and crun treat two on one index specially).
const argsArb = fc.uniqueArray(argArb, { maxLength: 2, selector: (a) => a.index });

const ruleArb: fc.Arbitrary<SyscallRule> = fc
  .record({
    names: fc.subarray(NAMES, { minLength: 1 }),
    action: fc.constantFrom(...ACTIONS),
    errnoRet: fc.constantFrom(undefined, 1, 13, 38),
    args: fc.oneof(fc.constant([] as SeccompArg[]), argsArb),
  })
  .map(({ names, action, errnoRet, args }) => {
    const r: SyscallRule = { names, action };
    if (errnoRet !== undefined && (action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE')) r.errnoRet = errnoRet;
    if (args.length) r.args = args;
    return r;
  });

const archArb = fc.subarray(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64']);

/** Three profiles sharing one default (merge refuses different defaults). */
const triple = fc
  .record({ d: fc.constantFrom(...DEFAULTS), errno: fc.constantFrom(undefined, 1, 38) })
  .chain(({ d, errno }) => {
    const one = fc.record({ syscalls: fc.array(ruleArb, { maxLength: 6 }), architectures: archArb }).map(({ syscalls, architectures }) => {
      const p: SeccompProfile = { defaultAction: d, syscalls };
      if (errno !== undefined && d === 'SCMP_ACT_ERRNO') p.defaultErrnoRet = errno;
      if (architectures.length) p.architectures = architectures;
      return p;
    });
    return fc.tuple(one, one, one);
  });

const m = (...ps: SeccompProfile[]) => mergeProfiles(ps.map((profile, i) => ({ source: `p${i}`, profile })));
const json = (p: SeccompProfile) => JSON.stringify(normalizeProfile(p));

const CALLS: Array<[string, bigint[]]> = NAMES.flatMap((n) => VALUES.flatMap((a) => [...VALUES, 41].map((b) => [n, [BigInt(a), BigInt(b)]] as [string, bigint[]])));

describe('merge algebra (property)', () => {
  it('is commutative, associative and idempotent on normalized output', () => {
    fc.assert(
      fc.property(triple, ([a, b, c]) => {
        const ab = m(a, b).profile;
        expect(json(ab)).toBe(json(m(b, a).profile));
        const abc = json(m(a, b, c).profile);
        expect(json(m(ab, c).profile)).toBe(abc);
        expect(json(m(a, m(b, c).profile).profile)).toBe(abc);
        expect(json(m(c, a, b).profile)).toBe(abc);
        expect(json(m(a, a).profile)).toBe(json(m(a).profile));
        // The output is already canonical and valid.
        expect(JSON.stringify(ab)).toBe(json(ab));
        expect(validateProfile(ab).ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('never writes an unconditional allow for a name no input allowed unconditionally', () => {
    fc.assert(
      fc.property(triple, ([a, b, c]) => {
        const out = m(a, b, c).profile;
        const uncondAllow = new Set((out.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length).flatMap((r) => r.names));
        const inputUncond = new Set([a, b, c].flatMap((p) => (p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length).flatMap((r) => r.names)));
        for (const n of uncondAllow) expect(inputUncond.has(n), n).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers every call with the least restrictive of the inputs\' answers (exactly, unless it warned)', () => {
    let exact = 0;
    let conditional = 0;
    fc.assert(
      fc.property(triple, ([a, b, c]) => {
        const r = m(a, b, c);
        const kinds = new Set(r.warnings.map((w) => w.kind));
        if (!kinds.has('restriction-dropped') && !kinds.has('narrowed')) exact++;
        if (r.profile.syscalls!.some((x) => x.args?.length)) conditional++;
        const ev = [a, b, c].map(evaluator);
        const em = evaluator(r.profile);
        for (const [n, args] of CALLS) {
          const union = ev.map((e) => e(n, args)).reduce(maxEffect);
          const got = em(n, args);
          // Never more permissive than the union, unless restrictions had to be dropped (warned).
          if (!kinds.has('restriction-dropped')) expect(compareEffects(got, union), `${n}(${args}) ${JSON.stringify(r.profile)}`).toBeLessThanOrEqual(0);
          if (!kinds.has('restriction-dropped') && !kinds.has('narrowed')) expect(sameEffect(got, union), `${n}(${args}) ${JSON.stringify(r.profile)}`).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: most runs are checked for exact equality, and many keep conditions.
    expect(exact).toBeGreaterThan(RUNS * 0.6);
    expect(conditional).toBeGreaterThan(RUNS * 0.15);
  });
});
