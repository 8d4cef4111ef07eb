// moby / containers-format profiles (Docker's default.json, containers/common seccomp.json) are read
// everywhere a profile is read, flattened for a target with the RuntimeDefault flattener.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flagFor } from '../../src/cli/flags.js';
import { describe, expect, it } from 'vitest';
import { evaluator } from '../../src/algebra/evaluate.js';
import { normalizeRules } from '../../src/algebra/normalize.js';
import { type FlattenTarget, defaultCaps, flattenBaseline, flattenRules } from '../../src/generate/flatten.js';
import { defaultTarget, parseProfileText } from '../../src/profile/load.js';
import { profileToJson } from '../../src/profile/serialize.js';
import { hostArch } from '../../src/arch.js';
import { refusal } from '../helpers/profiles.js';

const fixtures = join(__dirname, '..', 'fixtures', 'profiles');
const MOBY = readFileSync(join(fixtures, 'moby-default.excerpt.json'), 'utf8');
const CONTAINERS = readFileSync(join(fixtures, 'containers-common.excerpt.json'), 'utf8');

const DOCKER_CAPS = defaultCaps('docker');
const x86: FlattenTarget = { arch: 'x86_64', caps: DOCKER_CAPS, kernel: '6.1' };
const arm: FlattenTarget = { arch: 'aarch64', caps: ['CAP_SYS_ADMIN'], kernel: '4.4' };

const load = (text: string, target?: FlattenTarget, source = 'moby.json') => {
  const all = parseProfileText(text, source, target ? { target } : {});
  expect(all).toHaveLength(1);
  return all[0]!;
};

const bad = (text: string, target: FlattenTarget = x86): string => refusal(text, 'bad.json', { target });

describe("Docker's default.json (excerpt, verbatim)", () => {
  it('is flattened for x86_64, the default caps and kernel 6.1 as docker does', () => {
    const l = load(MOBY, x86);
    expect(l.flattened).toEqual(x86);
    expect(l.notes).toEqual([
      `moby.json: flattened a moby-format profile for x86_64, caps ${DOCKER_CAPS.join(',')}, kernel 6.1: 11 of 13 rules apply, architectures SCMP_ARCH_X86_64,SCMP_ARCH_X86,SCMP_ARCH_X32 (target.arch/target.caps/target.kernel choose another target)`,
    ]);
    // The CLI names the options by their flags (cli/flags.ts).
    expect(parseProfileText(MOBY, 'moby.json', { target: x86, name: flagFor })[0]!.notes[0]).toMatch(/ \(--arch\/--cap\/--kernel choose another target\)$/);
    const p = l.profile;
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(p.defaultErrnoRet).toBe(1);
    // Plain OCI: none of the moby keys survive.
    expect(profileToJson(p)).not.toMatch(/includes|excludes|archMap|comment|minKernel/);
    const ev = evaluator(p);
    expect(ev('ptrace').action).toBe('SCMP_ACT_ALLOW'); // includes minKernel 4.8
    expect(ev('arch_prctl').action).toBe('SCMP_ACT_ALLOW'); // includes arches amd64
    expect(ev('chroot').action).toBe('SCMP_ACT_ALLOW'); // includes CAP_SYS_CHROOT (in the default set)
    expect(ev('mount').action).toBe('SCMP_ACT_ERRNO'); // includes CAP_SYS_ADMIN: not in the set
    expect(ev('clone3')).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 }); // excludes CAP_SYS_ADMIN
    // clone: the non-s390 rule (arg0 masked with the namespace flags must be 0) applies, the s390 one (arg1) does not.
    expect(ev('clone', [0x11n, 0x7e020000n]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('clone', [0x10000000n, 0n]).action).toBe('SCMP_ACT_ERRNO'); // CLONE_NEWNS-ish flag
    expect(ev('personality', [0xffffffffn]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('personality', [0x1n]).action).toBe('SCMP_ACT_ERRNO');
  });

  it('another target: aarch64, CAP_SYS_ADMIN only, kernel 4.4', () => {
    const l = load(MOBY, arm);
    expect(l.notes[0]).toMatch(/for aarch64, caps CAP_SYS_ADMIN, kernel 4\.4: 6 of 13 rules apply, architectures SCMP_ARCH_AARCH64,SCMP_ARCH_ARM /);
    const ev = evaluator(l.profile);
    expect(l.profile.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(ev('ptrace').action).toBe('SCMP_ACT_ERRNO'); // kernel < 4.8
    expect(ev('arch_prctl').action).toBe('SCMP_ACT_ERRNO');
    expect(ev('mount').action).toBe('SCMP_ACT_ALLOW');
    expect(ev('clone', [0x10000000n]).action).toBe('SCMP_ACT_ALLOW'); // unconditional with CAP_SYS_ADMIN
    expect(ev('clone3').action).toBe('SCMP_ACT_ALLOW');
    expect(ev('chroot').action).toBe('SCMP_ACT_ERRNO');
  });

  it('gives the same rules as the flattener applied to the conditional rules directly', () => {
    const raw = JSON.parse(MOBY) as { syscalls: Array<Record<string, unknown>> };
    for (const t of [x86, arm, { arch: 's390x', caps: [], kernel: '5.10' } as FlattenTarget]) {
      const direct = flattenRules(raw.syscalls.map((r) => {
        const o = { ...r } as Record<string, unknown>;
        delete o.comment;
        if (Array.isArray(o.args) && !o.args.length) delete o.args;
        return o;
      }) as never, t);
      expect(normalizeRules(load(MOBY, t).profile.syscalls!)).toEqual(normalizeRules(direct));
    }
  });

  it('without a target: native arch, Docker\'s default caps, the running kernel', () => {
    const t = defaultTarget();
    expect(t.arch).toBe(hostArch().id);
    expect(t.caps).toEqual([...DOCKER_CAPS].sort());
    expect(load(MOBY).flattened).toEqual(t);
  });
});

describe('containers/common seccomp.json (excerpt, verbatim)', () => {
  it('default caps: socket allowed outright (CAP_AUDIT_WRITE), informational errno strings dropped, ENOSYS default kept', () => {
    const l = load(CONTAINERS, x86, 'cc.json');
    expect(l.notes[0]).toMatch(/^cc\.json: flattened a moby-format profile for x86_64, .*: 10 of 16 rules apply/);
    const p = l.profile;
    expect(p.defaultErrnoRet).toBe(38);
    expect(profileToJson(p)).not.toMatch(/"errno"|defaultErrno"|includes|excludes/);
    const ev = evaluator(p);
    expect(ev('bdflush')).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(ev('socket', [16n, 3n, 9n]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('chroot').action).toBe('SCMP_ACT_ALLOW');
    expect(ev('setns')).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 }); // excludes CAP_SYS_ADMIN: the EPERM rule
    expect(ev('bpf')).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 }); // its CAP_SYS_ADMIN allow rule does not apply: the default
  });

  it('no capabilities: NETLINK_AUDIT sockets get EINVAL, chroot EPERM', () => {
    const ev = evaluator(load(CONTAINERS, { arch: 'x86_64', caps: [], kernel: '6.1' }).profile);
    expect(ev('socket', [16n, 3n, 9n])).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 22 });
    expect(ev('socket', [2n, 1n, 0n]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('chroot')).toEqual({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
  });
});

describe('other moby-format forms', () => {
  it('the old one-name rule ("name") is read as docker reads it', () => {
    const p = load(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'read', action: 'SCMP_ACT_ALLOW', args: [] }] }), x86).profile;
    expect(p.syscalls).toEqual([{ names: ['read'], action: 'SCMP_ACT_ALLOW' }]);
  });
  it('excludes.minKernel drops the rule from that kernel on', () => {
    const t = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['old'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.4' } }] });
    expect(load(t, { ...x86, kernel: '5.3' }).profile.syscalls).toEqual([{ names: ['old'], action: 'SCMP_ACT_ALLOW' }]);
    expect(load(t, { ...x86, kernel: '5.4' }).profile.syscalls).toEqual([]);
  });
  it('no archMap entry for the native arch: no architectures (runc: native only)', () => {
    const t = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', archMap: [{ architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] }], syscalls: [] });
    expect(load(t, x86).profile.architectures).toBeUndefined();
  });
  it('refuses what docker refuses, and broken rules even where they do not apply', () => {
    expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] })))
      .toBe('bad.json: /archMap: both architectures and archMap are set; docker refuses that (use one)');
    expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'read', names: ['write'], action: 'SCMP_ACT_ALLOW' }] })))
      .toBe('bad.json: /syscalls/0: both name and names are set; docker refuses that (use names)');
    expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { kernel: '5.4' } }] })))
      .toBe('bad.json: /syscalls/0/includes/kernel: unknown includes condition (known: arches, caps, minKernel)');
    expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: 5 } }] })))
      .toBe('bad.json: /syscalls/0/includes/minKernel: want "X.Y", got 5');
    // An s390-only rule with a bad action: not applied on x86_64, still an error.
    expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALOW', includes: { arches: ['s390x'] } }] })))
      .toMatch(/^bad\.json: not a valid seccomp profile: \/syscalls\/0\/action: must be one of/);
    expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALLOW', excludes: {}, typo: 1 }] })))
      .toBe("bad.json: not a valid seccomp profile: /syscalls/0: unknown key 'typo'");
  });
});

describe('the whole upstream files (src/data/upstream, the baselines\' own inputs)', () => {
  const upstream = join(__dirname, '..', '..', 'src', 'data', 'upstream');
  const targets: FlattenTarget[] = [
    x86,
    { arch: 'x86_64', caps: [], kernel: '4.4' },
    { arch: 'aarch64', caps: [...DOCKER_CAPS, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], kernel: '6.1' },
    { arch: 's390x', caps: ['CAP_SYS_ADMIN'], kernel: '5.10' },
    { arch: 'ppc64le', caps: DOCKER_CAPS, kernel: '6.1' },
  ];
  const names = (rules: { names: string[] }[], drop: string[] = []) =>
    rules.map((r) => ({ ...r, names: r.names.filter((n) => !drop.includes(n)) })).filter((r) => r.names.length);

  it("Docker's default.json read as a file = the docker RuntimeDefault flattened for the same target", () => {
    const text = readFileSync(join(upstream, 'moby-default.json'), 'utf8');
    for (const t of targets) {
      const p = load(text, t, 'default.json').profile;
      const b = flattenBaseline('docker', t);
      expect(normalizeRules(p.syscalls!, p), t.arch).toEqual(normalizeRules(b.rules, b));
      expect(p.defaultErrnoRet).toBe(1);
    }
  });

  it("containers/common's seccomp.json = the crio RuntimeDefault except CRI-O's own unshare change", () => {
    const text = readFileSync(join(upstream, 'containers-common-seccomp.json'), 'utf8');
    for (const t of targets) {
      const p = load(text, t, 'seccomp.json').profile;
      const b = flattenBaseline('crio', t);
      expect(normalizeRules(names(p.syscalls!, ['unshare']), p), t.arch).toEqual(normalizeRules(names(b.rules, ['unshare']), b));
      expect(evaluator(p)('unshare').action).toBe('SCMP_ACT_ALLOW'); // Podman allows it; CRI-O only with CAP_SYS_ADMIN
      expect(p.defaultErrnoRet).toBe(38);
    }
  });
});
