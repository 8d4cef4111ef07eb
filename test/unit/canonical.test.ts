/**
 * One canonical form: generate (strace, record, audit) and merge write the same
 * rules in the same order, so the same input gives the same bytes whichever
 * command wrote it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArchId } from '../../src/arch.js';
import { mergeProfiles } from '../../src/algebra/merge.js';
import { normalizeRules } from '../../src/algebra/normalize.js';
import { Collector } from '../../src/collect/collector.js';
import { generateProfile } from '../../src/generate/index.js';
import { canonicalRules } from '../../src/profile/canonical.js';
import { profileToJson } from '../../src/profile/serialize.js';
import { ACTIONS, type SeccompArg, type SeccompProfile, type SyscallRule } from '../../src/profile/types.js';

function observe(calls: Array<[ArchId, string, Array<bigint | undefined>?]>) {
  const c = new Collector();
  for (const [arch, name, args] of calls) c.add({ arch, name, ...(args ? { args } : {}) });
  return c.result();
}

describe('one canonical form', () => {
  it('ERRNO rules with errno 38 and 13: the generator and merge give the same order', () => {
    const rules: SyscallRule[] = [
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    ];
    const expected = [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ];
    expect(canonicalRules(rules)).toEqual(expected);
    expect(normalizeRules(rules)).toEqual(expected);
  });

  it('arguments: sorted within a rule, rules for one name by value (numerically)', () => {
    const rules: SyscallRule[] = [
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 10, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: 9, op: 'SCMP_CMP_EQ' }, { index: 0, value: 16, op: 'SCMP_CMP_EQ' }] },
    ];
    const expected = [
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 10, op: 'SCMP_CMP_EQ' }] },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }] },
    ];
    expect(canonicalRules(rules)).toEqual(expected);
    expect(normalizeRules(rules)).toEqual(expected);
  });

  it('any rule list without redundant rules: the canonicaliser and merge agree (property)', () => {
    const arg: fc.Arbitrary<SeccompArg> = fc.record({
      index: fc.constantFrom(0, 1, 2),
      value: fc.constantFrom(0, 1, 2, 9, 10, 40, 2n ** 63n),
      op: fc.constantFrom('SCMP_CMP_EQ' as const, 'SCMP_CMP_NE' as const, 'SCMP_CMP_GT' as const),
    });
    const rule = fc.record({
      action: fc.constantFrom(...ACTIONS),
      errnoRet: fc.constantFrom(undefined, 1, 13, 38),
      args: fc.uniqueArray(arg, { maxLength: 2, selector: (a) => a.index }),
    });
    // Each name once: nothing for merge's reading (reduceRules) to drop, so only the order can differ.
    const list = fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), rule), { maxLength: 8, selector: ([n]) => n })
      .map((xs) => xs.map(([name, { action, errnoRet, args }]) => {
        const r: SyscallRule = { names: [name], action };
        if (errnoRet !== undefined && (action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE')) r.errnoRet = errnoRet;
        if (args.length) r.args = args;
        return r;
      }));
    fc.assert(fc.property(list, (rules) => {
      expect(canonicalRules(rules)).toEqual(normalizeRules(rules));
    }), { numRuns: 500 });
  });

  it('a generated profile is written byte for byte as `merge` of it writes it', () => {
    const o = observe([
      ['x86_64', 'read'], ['x86_64', 'openat'], ['x86_64', 'mkdir'], ['x86_64', 'ptrace'],
      ['x86_64', 'personality', [10n]], ['x86_64', 'personality', [1n]], ['x86_64', 'socket', [16n, 3n, 9n]],
      ['x86_64', 'clone', [0x10000000n]],
    ]);
    for (const baseline of ['docker', 'containerd', 'crio', 'none'] as const) {
      for (const defaultAction of ['SCMP_ACT_ERRNO', 'SCMP_ACT_LOG'] as const) {
        const json = profileToJson(generateProfile(o, { baseline, runtime: 'any', runtimeSyscalls: ['capget', 'exit_group'], kernel: '6.1', defaultAction }).profile);
        const merged = mergeProfiles([{ source: 'p.json', profile: JSON.parse(json) }]);
        // The crio baseline (containers/common) lists setns both in its ALLOW rule and in an ERRNO rule without
        // CAP_SYS_ADMIN; libseccomp keeps the first, and merge writes only that one (with a warning).
        const conflicts = new Set(merged.warnings.map((w) => (expect(w.kind).toBe('uncond-conflict'), w.name)));
        expect([...conflicts], baseline).toEqual(baseline === 'crio' ? ['setns'] : []);
        const p: SeccompProfile = JSON.parse(json);
        for (const r of p.syscalls!) if (r.action !== 'SCMP_ACT_ALLOW') r.names = r.names.filter((n) => !conflicts.has(n));
        expect(profileToJson(merged.profile), `${baseline} ${defaultAction}`).toBe(profileToJson(p));
      }
    }
  });
});
