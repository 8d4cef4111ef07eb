import { describe, expect, it } from 'vitest';
import { normalizeProfile, normalizeRules, reduceRules } from '../../src/algebra/normalize.js';
import { canonicalArgs } from '../../src/profile/canonical.js';
import { compareEffects, effectKey, maxEffect } from '../../src/algebra/effect.js';
import type { SyscallRule } from '../../src/profile/types.js';

describe('effects', () => {
  it('orders actions least restrictive first', () => {
    const order = ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRAP', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS'] as const;
    for (let i = 0; i + 1 < order.length; i++) expect(compareEffects({ action: order[i]! }, { action: order[i + 1]! })).toBeGreaterThan(0);
    expect(compareEffects({ action: 'SCMP_ACT_KILL' }, { action: 'SCMP_ACT_KILL_THREAD' })).toBe(0);
  });
  it('ERRNO without errnoRet is EPERM; ENOSYS beats other errnos, then the lower number', () => {
    expect(effectKey({ action: 'SCMP_ACT_ERRNO' })).toBe(effectKey({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 }));
    expect(maxEffect({ action: 'SCMP_ACT_ERRNO' }, { action: 'SCMP_ACT_ERRNO', errnoRet: 38 })).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    expect(maxEffect({ action: 'SCMP_ACT_ERRNO', errnoRet: 13 }, { action: 'SCMP_ACT_ERRNO' })).toEqual({ action: 'SCMP_ACT_ERRNO' });
    // Equal effects: spelling joined symmetrically.
    expect(maxEffect({ action: 'SCMP_ACT_ERRNO' }, { action: 'SCMP_ACT_ERRNO', errnoRet: 1 })).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(maxEffect({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 }, { action: 'SCMP_ACT_ERRNO' })).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(maxEffect({ action: 'SCMP_ACT_KILL' }, { action: 'SCMP_ACT_KILL_THREAD' })).toEqual({ action: 'SCMP_ACT_KILL_THREAD' });
    expect(maxEffect({ action: 'SCMP_ACT_KILL_THREAD' }, { action: 'SCMP_ACT_KILL' })).toEqual({ action: 'SCMP_ACT_KILL_THREAD' });
  });
});

describe('normalizeRules', () => {
  it('groups names with identical action, errnoRet and args; sorts; unconditional ALLOW first', () => {
    const rules: SyscallRule[] = [
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['write', 'read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
      { names: ['close', 'read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: ['getpid'], action: 'SCMP_ACT_LOG' },
      { names: ['bind'], action: 'SCMP_ACT_ERRNO' },
    ];
    expect(normalizeRules(rules)).toEqual([
      { names: ['close', 'read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
      { names: ['getpid'], action: 'SCMP_ACT_LOG' },
      // Same behaviour, spelled differently: each name keeps its spelling.
      { names: ['bind'], action: 'SCMP_ACT_ERRNO' },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ]);
  });

  it('an unconditional rule absorbs conditional rules of the same name and action', () => {
    const rules: SyscallRule[] = [
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }] },
      { names: ['socket', 'bind'], action: 'SCMP_ACT_ALLOW' },
      { names: ['socket', 'bind'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 40, op: 'SCMP_CMP_EQ' }] },
    ];
    // Without the default, a conditional rule with another action stays (it matters if ALLOW were the default).
    expect(normalizeRules(rules)).toEqual([
      { names: ['bind', 'socket'], action: 'SCMP_ACT_ALLOW' },
      { names: ['bind', 'socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 40, op: 'SCMP_CMP_EQ' }] },
    ]);
    // With it, the unconditional rule replaces every conditional rule of the name (libseccomp).
    expect(normalizeRules(rules, { defaultAction: 'SCMP_ACT_ERRNO' })).toEqual([{ names: ['bind', 'socket'], action: 'SCMP_ACT_ALLOW' }]);
  });

  it('with the default: drops rules equal to it (runc and crun skip them), but not other errnos', () => {
    const rules: SyscallRule[] = [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
      { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ];
    expect(normalizeRules(rules, { defaultAction: 'SCMP_ACT_ERRNO' })).toEqual([
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ]);
    expect(normalizeRules(rules, { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 })).toEqual([
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
      { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    ]);
  });

  it('sorts arguments inside a rule and merges equal argument lists written in another order', () => {
    const a = [{ index: 2, value: 9, op: 'SCMP_CMP_EQ' as const }, { index: 0, value: 16, op: 'SCMP_CMP_EQ' as const }];
    const rules: SyscallRule[] = [
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: a },
      { names: ['socketcall'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [...a].reverse() },
    ];
    expect(normalizeRules(rules)).toEqual([
      { names: ['socket', 'socketcall'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }] },
    ]);
    expect(canonicalArgs([{ index: 0, value: 1, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }])).toEqual([{ index: 0, value: 1, op: 'SCMP_CMP_MASKED_EQ' }]);
  });

  it('conflicting unconditional rules: the first applies, and says so', () => {
    const rules: SyscallRule[] = [
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: ['ptrace'], action: 'SCMP_ACT_ALLOW' },
    ];
    const r = reduceRules(rules, { defaultAction: 'SCMP_ACT_KILL_PROCESS' });
    expect(r.table.get('ptrace')).toEqual({ uncond: { action: 'SCMP_ACT_ERRNO', errnoRet: 38 }, cond: [] });
    expect(r.notes.map((n) => n.kind)).toEqual(['uncond-conflict']);
    // Unless the first equals the default: the runtime skips it, the second applies.
    expect(normalizeRules(rules, { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 })).toEqual([{ names: ['ptrace'], action: 'SCMP_ACT_ALLOW' }]);
  });

  it('is idempotent and order-independent on a real RuntimeDefault-shaped list', () => {
    const rules: SyscallRule[] = [
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }] },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }] },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
      { names: ['read', 'write', 'close'], action: 'SCMP_ACT_ALLOW' },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ];
    const once = normalizeRules(rules, { defaultAction: 'SCMP_ACT_ERRNO' });
    expect(normalizeRules(once, { defaultAction: 'SCMP_ACT_ERRNO' })).toEqual(once);
    expect(normalizeRules([...rules].reverse(), { defaultAction: 'SCMP_ACT_ERRNO' })).toEqual(once);
    expect(once[0]).toEqual({ names: ['close', 'read', 'write'], action: 'SCMP_ACT_ALLOW' });
    expect(once.map((r) => r.names[0])).toEqual(['close', 'personality', 'personality', 'socket', 'socket', 'socket', 'clone3']);
  });

  it('normalizeProfile: arch order, flags sorted, empty architectures dropped', () => {
    expect(normalizeProfile({
      defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X32', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86'],
      flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }],
    })).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
      flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(normalizeProfile({ defaultAction: 'SCMP_ACT_LOG', architectures: [] })).toEqual({ defaultAction: 'SCMP_ACT_LOG', syscalls: [] });
  });
});
