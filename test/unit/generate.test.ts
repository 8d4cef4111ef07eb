import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import type { ArchId } from '../../src/arch.js';
import { flattenBaseline, defaultCaps, capThatAllows } from '../../src/generate/flatten.js';
import { generateProfile } from '../../src/generate/index.js';
import { canonicalRules } from '../../src/profile/canonical.js';
import { callAllowed, conditionInWords } from '../../src/generate/conditions.js';
import { validateProfile } from '../../src/profile/validate.js';
import { profileToJson, profileToCrd } from '../../src/profile/serialize.js';
import { parse as parseYaml } from 'yaml';

function observe(calls: Array<[ArchId, string, Array<bigint | undefined>?]>) {
  const c = new Collector();
  for (const [arch, name, args] of calls) c.add({ arch, name, ...(args ? { args } : {}) });
  return c.result();
}

const x86_64 = { arch: 'x86_64' as const, caps: defaultCaps('containerd'), kernel: '6.1' };
const allowedUncond = (rules: { names: string[]; action: string; args?: unknown[] }[]) =>
  new Set(rules.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length).flatMap((r) => r.names));

describe('flattenBaseline', () => {
  it('containerd on x86_64 with the OCI default caps', () => {
    const f = flattenBaseline('containerd', x86_64);
    const allow = allowedUncond(f.rules);
    expect(allow.has('read')).toBe(true);
    expect(allow.has('arch_prctl')).toBe(true); // arches [amd64]
    expect(allow.has('modify_ldt')).toBe(true);
    expect(allow.has('chroot')).toBe(true); // CAP_SYS_CHROOT is in the default 14
    expect(allow.has('mount')).toBe(false); // CAP_SYS_ADMIN only
    expect(allow.has('clone')).toBe(false); // conditional without CAP_SYS_ADMIN
    expect(allow.has('ptrace')).toBe(true); // minKernel 4.8
    expect(allow.has('riscv_hwprobe')).toBe(false); // containerd: riscv64 only
    expect(allow.has('lsm_get_self_attr')).toBe(true); // containerd: unconditional
    expect(f.rules.filter((r) => r.names.includes('socket'))).toHaveLength(3);
    const clone3 = f.rules.find((r) => r.names.includes('clone3'));
    expect(clone3).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    expect(f.rules.some((r) => r.names.includes('s390_runtime_instr'))).toBe(false);
    expect(f.defaultErrnoRet).toBeUndefined();
  });

  it('evaluates caps, arches and kernel', () => {
    const admin = flattenBaseline('containerd', { ...x86_64, caps: [...x86_64.caps, 'CAP_SYS_ADMIN'] });
    expect(allowedUncond(admin.rules).has('mount')).toBe(true);
    expect(allowedUncond(admin.rules).has('clone')).toBe(true);
    expect(admin.rules.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO')).toBe(false);
    const old = flattenBaseline('docker', { ...x86_64, kernel: '4.4' });
    expect(allowedUncond(old.rules).has('ptrace')).toBe(false);
    expect(allowedUncond(flattenBaseline('docker', x86_64).rules).has('lsm_get_self_attr')).toBe(false); // moby: CAP_SYS_ADMIN
    const arm = flattenBaseline('containerd', { ...x86_64, arch: 'aarch64' });
    expect(allowedUncond(arm.rules).has('cacheflush')).toBe(true);
    expect(allowedUncond(arm.rules).has('arch_prctl')).toBe(false);
    const rv = flattenBaseline('docker', { ...x86_64, arch: 'riscv64' });
    expect(allowedUncond(rv.rules).has('riscv_flush_icache')).toBe(true);
  });

  it('CRI-O: ENOSYS default, EPERM rules, unshare needs CAP_SYS_ADMIN, its own default caps', () => {
    const caps = defaultCaps('crio');
    expect(caps).not.toContain('CAP_SYS_CHROOT');
    const f = flattenBaseline('crio', { arch: 'x86_64', caps, kernel: '6.1' });
    expect(f.defaultErrnoRet).toBe(38);
    const allow = allowedUncond(f.rules);
    expect(allow.has('unshare')).toBe(false);
    expect(allow.has('mount')).toBe(true);
    expect(allow.has('clone3')).toBe(true);
    expect(f.rules.find((r) => r.names.includes('chroot'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(capThatAllows('crio', 'unshare', { arch: 'x86_64', caps, kernel: '6.1' })).toBe('CAP_SYS_ADMIN');
  });
});

describe('conditions', () => {
  const f = flattenBaseline('containerd', x86_64);
  const socket = f.rules.filter((r) => r.names.includes('socket'));
  it('socket: AF_INET passes, AF_VSOCK and AF_ALG fail, unknown stays unknown', () => {
    expect(callAllowed(socket, [2n, 1n, 6n])).toBe(true);
    expect(callAllowed(socket, [40n, 1n, 0n])).toBe(false);
    expect(callAllowed(socket, [38n, 5n, 0n])).toBe(false);
    expect(callAllowed(socket, [undefined])).toBeUndefined();
    expect(conditionInWords('socket', socket)).toBe('socket except AF_ALG (38) and AF_VSOCK (40)');
  });
  it('clone: flags with a namespace bit fail', () => {
    const clone = f.rules.filter((r) => r.names.includes('clone'));
    expect(callAllowed(clone, [0x1200011n])).toBe(true); // CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
    expect(callAllowed(clone, [0x20000000n | 17n])).toBe(false); // CLONE_NEWPID
    expect(conditionInWords('clone', clone)).toMatch(/without namespace flags/);
  });
});

describe('generateProfile', () => {
  it('baseline none + runtime none: ALLOW names are exactly the observed ones; arches as seen', () => {
    const o = observe([['x86_64', 'read'], ['x86_64', 'openat'], ['x86', 'mmap2'], ['x86_64', 'read']]);
    const { profile, report } = generateProfile(o, { baseline: 'none', runtime: 'none' });
    expect(profile.syscalls).toEqual([{ names: ['mmap2', 'openat', 'read'], action: 'SCMP_ACT_ALLOW' }]);
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    expect(report.added.map((a) => a.name)).toEqual(['mmap2', 'openat', 'read']);
    expect(validateProfile(profile).ok).toBe(true);
  });

  it('containerd: adds what the baseline blocks, with risk lines and cap hints', () => {
    const o = observe([['x86_64', 'read'], ['x86_64', 'mount'], ['x86_64', 'unshare']]);
    const { profile, report } = generateProfile(o, { baseline: 'containerd', runtime: 'none', kernel: '6.1' });
    expect(report.added.map((a) => a.name)).toEqual(['mount', 'unshare']);
    expect(report.added[0]!.hint).toMatch(/CAP_SYS_ADMIN/);
    expect(report.risky.map((r) => r.name)).toEqual(['mount', 'unshare']);
    const allow = allowedUncond(profile.syscalls!);
    expect(allow.has('mount') && allow.has('read') && allow.has('epoll_wait')).toBe(true);
    expect(validateProfile(profile).ok).toBe(true);
  });

  it('socket(AF_VSOCK) recorded: narrowest allow added, baseline condition kept', () => {
    const o = observe([['x86_64', 'socket', [40n, 1n, 0n]], ['x86_64', 'socket', [2n, 1n, 6n]]]);
    const { profile, report } = generateProfile(o, { baseline: 'containerd', runtime: 'none', kernel: '6.1' });
    const sock = profile.syscalls!.filter((r) => r.names.includes('socket'));
    expect(sock.map((r) => r.args)).toContainEqual([{ index: 0, value: 40, op: 'SCMP_CMP_EQ' }]);
    expect(sock).toHaveLength(4);
    expect(allowedUncond(profile.syscalls!).has('socket')).toBe(false);
    expect(report.narrowed).toEqual([{ name: 'socket', args: [[{ index: 0, value: 40, op: 'SCMP_CMP_EQ' }]], why: expect.stringContaining('AF_VSOCK') }]);
  });

  it('conditional names with unknown args are kept and reported; --widen allows them', () => {
    const o = observe([['x86_64', 'socket'], ['x86_64', 'clone']]);
    const kept = generateProfile(o, { baseline: 'containerd', runtime: 'none', kernel: '6.1' });
    expect(kept.report.conditional.map((c) => [c.name, c.status])).toEqual([['clone', 'unknown-args'], ['socket', 'unknown-args']]);
    expect(allowedUncond(kept.profile.syscalls!).has('socket')).toBe(false);
    const wide = generateProfile(o, { baseline: 'containerd', runtime: 'none', kernel: '6.1', widen: true });
    expect(allowedUncond(wide.profile.syscalls!).has('socket')).toBe(true);
    expect(wide.profile.syscalls!.filter((r) => r.names.includes('socket'))).toHaveLength(1);
  });

  it('clone3 keeps its deliberate ENOSYS answer', () => {
    const { profile, report } = generateProfile(observe([['x86_64', 'clone3']]), { baseline: 'containerd', runtime: 'none', kernel: '6.1' });
    expect(report.enosys.map((e) => e.name)).toEqual(['clone3']);
    expect(profile.syscalls!.find((r) => r.names.includes('clone3'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  });

  it('CRI-O EPERM rule replaced by an allow when the app needs the call', () => {
    const { profile, report } = generateProfile(observe([['x86_64', 'chroot']]), { baseline: 'crio', runtime: 'none', kernel: '6.1' });
    expect(report.added.map((a) => a.name)).toEqual(['chroot']);
    expect(profile.syscalls!.filter((r) => r.names.includes('chroot')).map((r) => r.action)).toEqual(['SCMP_ACT_ALLOW']);
    expect(profile.defaultErrnoRet).toBe(38);
  });

  it('runtime calls are allowed and the native arch listed for a 32-bit-only recording', () => {
    const o = observe([['x86', 'mmap2']]);
    const { profile } = generateProfile(o, { baseline: 'none', runtime: 'runc', runtimeSyscalls: ['write', 'execve'] });
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    expect(allowedUncond(profile.syscalls!)).toEqual(new Set(['execve', 'mmap2', 'write']));
  });

  it('options: default action, errno, arches, log flag; output is pure OCI and deterministic', () => {
    const o = observe([['x86_64', 'read']]);
    const opts = { baseline: 'docker' as const, runtime: 'none' as const, kernel: '6.1', defaultAction: 'SCMP_ACT_LOG' as const, arches: ['x86_64' as const, 'x32' as const], logDenials: true };
    const a = generateProfile(o, opts).profile;
    expect(a.defaultAction).toBe('SCMP_ACT_LOG');
    expect(a.defaultErrnoRet).toBeUndefined();
    expect(a.flags).toEqual(['SECCOMP_FILTER_FLAG_LOG']);
    expect(a.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32']);
    const json = profileToJson(a);
    expect(json).toBe(profileToJson(generateProfile(o, opts).profile));
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).not.toMatch(/includes|excludes|archMap|comment|minKernel/);
    expect(generateProfile(o, { baseline: 'docker', runtime: 'none', errnoRet: 38 }).profile.defaultErrnoRet).toBe(38);
  });

  it('CRD output', () => {
    const p = generateProfile(observe([['x86_64', 'read']]), { baseline: 'none', runtime: 'none' }).profile;
    const doc = parseYaml(profileToCrd(p, { name: 'my-app', version: 'v1' }));
    expect(doc).toMatchObject({ apiVersion: 'security-profiles-operator.x-k8s.io/v1', kind: 'SeccompProfile', metadata: { name: 'my-app' }, spec: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'] }] } });
  });

  it('canonicalRules merges equal rules and orders them', () => {
    const r = canonicalRules([
      { names: ['b'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['z', 'a'], action: 'SCMP_ACT_ALLOW' },
      { names: ['c'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['y'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['a'], action: 'SCMP_ACT_ALLOW' },
    ]);
    expect(r).toEqual([
      { names: ['a', 'z'], action: 'SCMP_ACT_ALLOW' },
      { names: ['y'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['b', 'c'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    ]);
  });
});

describe('validateProfile', () => {
  it('rejects moby-format keys with the failing path', () => {
    const r = validateProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: {} }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^\/syscalls\/0: unknown key 'includes'/);
    const bad = validateProfile({ defaultAction: 'SCMP_ACT_NOPE' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^\/defaultAction: must be one of/);
    expect(validateProfile({ syscalls: [] }).ok).toBe(false);
  });
});
