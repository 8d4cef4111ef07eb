import { describe, expect, it } from 'vitest';
import { mergeProfiles, type MergeInput } from '../../src/algebra/merge.js';
import { evaluator } from '../../src/algebra/evaluate.js';
import { UserError } from '../../src/errors.js';
import { flattenBaseline, defaultCaps } from '../../src/generate/flatten.js';
import type { SeccompProfile } from '../../src/profile/types.js';
import { validateProfile } from '../../src/profile/validate.js';

const ERRNO = 'SCMP_ACT_ERRNO' as const;
const inp = (source: string, profile: SeccompProfile): MergeInput => ({ source, profile });
const NE40 = [{ index: 0, value: 40, op: 'SCMP_CMP_NE' as const }];
const EQ40 = [{ index: 0, value: 40, op: 'SCMP_CMP_EQ' as const }];

describe('mergeProfiles', () => {
  it('unites names and architectures; output is canonical', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: ERRNO, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls: [{ names: ['write', 'read'], action: 'SCMP_ACT_ALLOW' }] }),
      inp('b', { defaultAction: ERRNO, architectures: ['SCMP_ARCH_AARCH64'], syscalls: [{ names: ['read', 'openat'], action: 'SCMP_ACT_ALLOW' }, { names: ['close'], action: 'SCMP_ACT_ALLOW' }] }),
    ]);
    expect(r.profile).toEqual({
      defaultAction: ERRNO,
      architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
      syscalls: [{ names: ['close', 'openat', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(r.warnings).toEqual([]);
    expect(validateProfile(r.profile).ok).toBe(true);
  });

  it('keeps a conditional allow conditional when the other input has no rule for the name', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: ERRNO, syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: NE40 }] }),
      inp('b', { defaultAction: ERRNO, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }),
    ]);
    expect(r.profile.syscalls).toEqual([
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: NE40 },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('an unconditional allow in one input absorbs the other input\'s conditional allows', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: ERRNO, syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: NE40 }] }),
      inp('b', { defaultAction: ERRNO, syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW' }] }),
    ]);
    expect(r.profile.syscalls).toEqual([{ names: ['socket'], action: 'SCMP_ACT_ALLOW' }]);
    expect(r.warnings).toEqual([]);
  });

  it('conditional allows of both inputs are ORed (one rule each)', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: ERRNO, syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }] }),
      inp('b', { defaultAction: ERRNO, syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }, { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }] }),
    ]);
    expect(r.profile.syscalls).toEqual([
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    ]);
  });

  it('action precedence: the least restrictive wins; errnoRet is kept', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_TRAP' }, { names: ['clone3'], action: ERRNO, errnoRet: 38 }, { names: ['kill'], action: 'SCMP_ACT_KILL' }] }),
      inp('b', { defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_LOG' }, { names: ['clone3'], action: 'SCMP_ACT_TRAP' }, { names: ['kill'], action: 'SCMP_ACT_KILL_THREAD' }] }),
      inp('c', { defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['ptrace'], action: ERRNO }] }),
    ]);
    expect(r.profile.syscalls).toEqual([
      { names: ['ptrace'], action: 'SCMP_ACT_LOG' },
      { names: ['clone3'], action: ERRNO, errnoRet: 38 },
      { names: ['kill'], action: 'SCMP_ACT_KILL_THREAD' },
    ]);
  });

  it('ENOSYS beats the default EPERM silently; a lost explicit errno is a warning', () => {
    const r = mergeProfiles([
      inp('a.json', { defaultAction: ERRNO, syscalls: [{ names: ['clone3'], action: ERRNO, errnoRet: 38 }, { names: ['mount'], action: ERRNO, errnoRet: 13 }] }),
      inp('b.json', { defaultAction: ERRNO, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }),
    ]);
    expect(r.profile.syscalls).toEqual([
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['clone3'], action: ERRNO, errnoRet: 38 },
    ]);
    expect(r.warnings).toEqual([{
      kind: 'errno', name: 'mount',
      message: 'mount: a.json answers SCMP_ACT_ERRNO (EACCES 13), b.json (default) SCMP_ACT_ERRNO (EPERM 1); kept SCMP_ACT_ERRNO (EPERM 1) (ENOSYS first, then the lower errno)',
    }]);
  });

  it('different default actions are an input error (exit 2) unless --default-action says which', () => {
    const a = inp('a.json', { defaultAction: ERRNO, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: 'SCMP_ACT_LOG' }] });
    const b = inp('b.json', { defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ALLOW' }, { names: ['mount'], action: ERRNO }] });
    let err: unknown;
    try {
      mergeProfiles([a, b]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toMatch(/^the inputs have different default actions \(a\.json: SCMP_ACT_ERRNO \(EPERM 1\), b\.json: SCMP_ACT_LOG\); choose the merged one with defaultAction/);
    // --default-action replaces every input's default: rules equal to it vanish, unlisted names get it.
    const r = mergeProfiles([a, b], { defaultAction: ERRNO });
    expect(r.profile).toEqual({
      defaultAction: ERRNO,
      syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: 'SCMP_ACT_LOG' }],
    });
    const l = mergeProfiles([a, b], { defaultAction: 'SCMP_ACT_LOG' });
    // a has no mount rule, so under LOG a logs mount: the union logs it too.
    expect(l.profile.syscalls).toEqual([{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }]);
  });

  it('defaultErrnoRet: unset equals EPERM; a different value is an error; --default-action keeps an agreed errno', () => {
    const a = inp('a', { defaultAction: ERRNO, syscalls: [] });
    const b = inp('b', { defaultAction: ERRNO, defaultErrnoRet: 1, syscalls: [] });
    const c = inp('c', { defaultAction: ERRNO, defaultErrnoRet: 38, syscalls: [] });
    expect(mergeProfiles([a, b]).profile).toEqual({ defaultAction: ERRNO, defaultErrnoRet: 1, syscalls: [] });
    expect(() => mergeProfiles([a, c])).toThrow(/different default actions \(a: SCMP_ACT_ERRNO \(EPERM 1\), c: SCMP_ACT_ERRNO \(ENOSYS 38\)\)/);
    expect(() => mergeProfiles([a, c], { defaultAction: ERRNO })).toThrow(/different errno values .*say which with defaultErrnoRet/);
    expect(mergeProfiles([a, c], { defaultAction: ERRNO, defaultErrnoRet: 38 }).profile).toEqual({ defaultAction: ERRNO, defaultErrnoRet: 38, syscalls: [] });
    expect(mergeProfiles([c, inp('l', { defaultAction: 'SCMP_ACT_LOG' })], { defaultAction: ERRNO }).profile.defaultErrnoRet).toBe(38);
  });

  it('an unconditional LOG against a conditional ALLOW: one filter cannot say both; keeps LOG and warns', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: ERRNO, syscalls: [{ names: ['socket'], action: 'SCMP_ACT_LOG' }] }),
      inp('b', { defaultAction: ERRNO, syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: NE40 }] }),
    ]);
    expect(r.profile.syscalls).toEqual([{ names: ['socket'], action: 'SCMP_ACT_LOG' }]);
    expect(r.warnings.map((w) => [w.kind, w.name])).toEqual([['narrowed', 'socket']]);
    expect(r.warnings[0]!.message).toBe('socket: b gives SCMP_ACT_ALLOW when arg0 != 40, but a answers every call with SCMP_ACT_LOG; one filter cannot say both (an unconditional rule replaces a syscall\'s conditional rules), so every socket call gets SCMP_ACT_LOG');
  });

  describe('allow-by-default (deny list) profiles', () => {
    const deny = (source: string, rules: SeccompProfile['syscalls']) => inp(source, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules! });
    it('a conditional deny survives only when every input has it', () => {
      const a = deny('a', [{ names: ['socket'], action: ERRNO, args: EQ40 }, { names: ['ptrace'], action: ERRNO }]);
      const b = deny('b', [{ names: ['socket'], action: 'SCMP_ACT_KILL_PROCESS', args: EQ40 }, { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' }]);
      expect(mergeProfiles([a, b]).profile.syscalls).toEqual([
        { names: ['ptrace'], action: ERRNO },
        { names: ['socket'], action: ERRNO, args: EQ40 },
      ]);
      // c denies nothing: the union denies nothing, exactly, without warnings.
      const r = mergeProfiles([a, b, deny('c', [])]);
      expect(r.profile.syscalls).toEqual([]);
      expect(r.warnings).toEqual([]);
    });
    it('different conditions in every input cannot be written exactly: warns', () => {
      const r = mergeProfiles([
        deny('a', [{ names: ['socket'], action: ERRNO, args: EQ40 }]),
        deny('b', [{ names: ['socket'], action: ERRNO, args: [{ index: 0, value: 38, op: 'SCMP_CMP_GE' }] }]),
      ]);
      expect(r.profile.syscalls).toEqual([]);
      expect(r.warnings.map((w) => [w.kind, w.name])).toEqual([['restriction-dropped', 'socket']]);
    });
  });

  it('never turns a conditional rule into an unconditional allow: CRI-O socket rules + a profile without socket', () => {
    const target = { arch: 'x86_64' as const, caps: defaultCaps('crio'), kernel: '6.1' };
    const crio = flattenBaseline('crio', target);
    const p: SeccompProfile = { defaultAction: crio.defaultAction, syscalls: crio.rules };
    if (crio.defaultErrnoRet !== undefined) p.defaultErrnoRet = crio.defaultErrnoRet;
    const other: SeccompProfile = { ...p, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
    const r = mergeProfiles([inp('crio', p), inp('other', other)]);
    const socket = r.profile.syscalls!.filter((x) => x.names.includes('socket'));
    expect(socket.length).toBeGreaterThan(0);
    expect(socket.every((x) => x.args?.length)).toBe(true);
    // Call by call: the union of what each input answers.
    const ev = [evaluator(p), evaluator(other)];
    const m = evaluator(r.profile);
    for (const fam of [1n, 2n, 10n, 16n, 38n, 40n]) {
      for (const proto of [0n, 9n]) {
        const args = [fam, 0n, proto];
        const want = ev.map((e) => e('socket', args)).reduce((x, y) => (x.action === 'SCMP_ACT_ALLOW' ? x : y));
        expect(m('socket', args).action).toBe(want.action);
      }
    }
  });

  it('flags are united; listeners must agree', () => {
    const r = mergeProfiles([
      inp('a', { defaultAction: ERRNO, flags: ['SECCOMP_FILTER_FLAG_LOG'], listenerPath: '/run/agent.sock' }),
      inp('b', { defaultAction: ERRNO, flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG'] }),
    ]);
    expect(r.profile).toEqual({ defaultAction: ERRNO, flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC'], listenerPath: '/run/agent.sock', syscalls: [] });
    expect(() => mergeProfiles([
      inp('a', { defaultAction: ERRNO, listenerPath: '/run/a.sock' }),
      inp('b', { defaultAction: ERRNO, listenerPath: '/run/b.sock' }),
    ])).toThrow('the inputs have different listenerPath values (a: /run/a.sock, b: /run/b.sock); a profile has one seccomp agent');
  });

  it('reports conflicts inside one input with its name', () => {
    const r = mergeProfiles([inp('x.json', { defaultAction: ERRNO, syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_LOG' }, { names: ['ptrace'], action: 'SCMP_ACT_ALLOW' }] })]);
    expect(r.profile.syscalls).toEqual([{ names: ['ptrace'], action: 'SCMP_ACT_LOG' }]);
    expect(r.warnings).toEqual([{ kind: 'uncond-conflict', name: 'ptrace', message: 'x.json: ptrace: unconditional rules with SCMP_ACT_LOG and SCMP_ACT_ALLOW; the first one applies (libseccomp keeps the first)' }]);
  });

  it('merging one profile is its canonical form; nothing to merge is an error', () => {
    const p: SeccompProfile = { defaultAction: ERRNO, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['write'], action: 'SCMP_ACT_ALLOW' }, { names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: ERRNO }] };
    expect(mergeProfiles([inp('p', p)]).profile).toEqual({ defaultAction: ERRNO, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] });
    expect(() => mergeProfiles([])).toThrow(UserError);
  });

  it('merges the containerd and CRI-O RuntimeDefaults: everything either allows stays allowed', () => {
    const target = { arch: 'x86_64' as const, caps: defaultCaps('containerd'), kernel: '6.1' };
    const toProfile = (f: ReturnType<typeof flattenBaseline>): SeccompProfile => ({ defaultAction: f.defaultAction, syscalls: f.rules });
    const c = toProfile(flattenBaseline('containerd', target));
    const o = toProfile(flattenBaseline('crio', target));
    // Their defaults differ (EPERM vs ENOSYS): say which.
    expect(() => mergeProfiles([inp('containerd', c), inp('crio', { ...o, defaultErrnoRet: 38 })])).toThrow(UserError);
    const r = mergeProfiles([inp('containerd', c), inp('crio', o)], { defaultAction: ERRNO, defaultErrnoRet: 1 });
    expect(validateProfile(r.profile).ok).toBe(true);
    const ec = evaluator(c);
    const eo = evaluator(o);
    const em = evaluator(r.profile);
    const names = new Set([...(c.syscalls ?? []), ...(o.syscalls ?? [])].flatMap((x) => x.names));
    for (const n of names) {
      for (const args of [[], [0n], [1n, 0n, 9n], [16n, 0n, 9n], [38n], [40n], [0x10000000n]]) {
        if (ec(n, args).action === 'SCMP_ACT_ALLOW' || eo(n, args).action === 'SCMP_ACT_ALLOW') expect(em(n, args).action, `${n} ${args}`).toBe('SCMP_ACT_ALLOW');
      }
    }
  });
});
