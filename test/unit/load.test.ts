import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { UserError } from '../../src/errors.js';
import { loadProfile, loadProfileFile, looksLikeProfile, parseProfileText } from '../../src/profile/load.js';
import { profileToCrd, profileToJson } from '../../src/profile/serialize.js';
import type { SeccompProfile } from '../../src/profile/types.js';
import { refusal } from '../helpers/profiles.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ],
};

async function err(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('loadProfile', () => {
  it('reads OCI JSON as written', async () => {
    const l = await loadProfile(file('p.json', profileToJson(PROFILE)));
    expect(l.format).toBe('oci');
    expect(l.profile).toEqual(PROFILE);
    expect(l.warnings).toEqual([]);
  });

  it.each(['v1beta1', 'v1'] as const)('reads a SeccompProfile %s written by syscribe\'s serializer', async (version) => {
    const path = file(`p-${version}.yaml`, profileToCrd({ ...PROFILE, defaultErrnoRet: undefined } as SeccompProfile, { name: 'my-app', version }));
    const l = await loadProfile(path);
    expect(l).toMatchObject({ source: path, format: 'crd', apiVersion: `security-profiles-operator.x-k8s.io/${version}`, name: 'my-app' });
    const { defaultErrnoRet: _, ...want } = PROFILE;
    expect(l.profile).toEqual(want);
  });

  it('reads what the operator writes: zero values omitted, v1beta1 errnoRet as a string', () => {
    // Hand-made (the operator is not installed here): the shape SPO's Go types give with omitempty.
    const text = [
      'apiVersion: security-profiles-operator.x-k8s.io/v1beta1',
      'kind: SeccompProfile',
      'metadata:',
      '  name: old',
      '  namespace: default',
      'spec:',
      '  defaultAction: SCMP_ACT_ERRNO',
      '  architectures: [SCMP_ARCH_X86_64]',
      '  syscalls:',
      '  - names: [personality]',
      '    action: SCMP_ACT_ALLOW',
      '    args:',
      '    - index: 0',
      '      op: SCMP_CMP_EQ',
      '  - names: [clone3]',
      '    action: SCMP_ACT_ERRNO',
      '    errnoRet: "38"',
      '  - names: [ptrace]',
      '    action: SCMP_ACT_ERRNO',
      '    errnoRet: 0',
      'status:',
      '  status: Installed',
    ].join('\n');
    const [l] = parseProfileText(text, 'old.yaml');
    expect(l!.profile).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0 }] },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
        { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
      ],
    });
  });

  it('several documents, and kind: List, give one profile each', async () => {
    const a = profileToCrd(PROFILE, { name: 'a' });
    const b = profileToCrd({ defaultAction: 'SCMP_ACT_LOG', syscalls: [] }, { name: 'b', version: 'v1' });
    const path = file('multi.yaml', `${a}---\n${b}---\n`);
    const all = await loadProfileFile(path);
    expect(all.map((x) => [x.source, x.name, x.profile.defaultAction])).toEqual([[`${path}#1`, 'a', 'SCMP_ACT_ERRNO'], [`${path}#2`, 'b', 'SCMP_ACT_LOG']]);
    expect((await err(loadProfile(path))).message).toBe(`${path}: holds 2 profiles; name a file with one`);
    const list = yamlStringify({ apiVersion: 'v1', kind: 'List', items: [a, b].map((t) => parseProfileText(t, 'x')[0]).map((l, i) => ({ apiVersion: l!.apiVersion, kind: 'SeccompProfile', metadata: { name: `n${i}` }, spec: l!.profile })) });
    expect(parseProfileText(list, 'list.yaml').map((x) => [x.source, x.name])).toEqual([['list.yaml#1', 'n0'], ['list.yaml#2', 'n1']]);
  });

  it('reads linux.seccomp of an OCI bundle config.json; ignores comment keys', () => {
    const cfg = { ociVersion: '1.2.0', linux: { seccomp: { defaultAction: 'SCMP_ACT_ERRNO', comment: 'x', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', comment: 'why' }] } } };
    expect(parseProfileText(JSON.stringify(cfg), 'config.json')[0]!.profile).toEqual({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
  });

  it('warns about spec.disabled and spec.defaultErrnoRet', () => {
    const t = yamlStringify({ apiVersion: 'security-profiles-operator.x-k8s.io/v1', kind: 'SeccompProfile', metadata: { name: 'd' }, spec: { disabled: true, defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 } });
    expect(parseProfileText(t, 'd.yaml')[0]!.warnings).toEqual([
      'd.yaml: /spec/disabled is true: the operator does not install this profile',
      'd.yaml: /spec/defaultErrnoRet is not a SeccompProfile field (the operator drops it; strict kubectl validation rejects it); read as written',
    ]);
  });

  describe('refuses, naming the file and the failing path', () => {
    const bad = (text: string, name = 'bad.json'): string => refusal(text, name);
    it('schema errors in OCI JSON', () => {
      expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_IS' }] }] })))
        .toBe('bad.json: not a valid seccomp profile: /syscalls/1/args/0/op: must be one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ');
      expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOWED' }))).toMatch(/^bad\.json: not a valid seccomp profile: \/defaultAction: must be one of SCMP_ACT_KILL, /);
      expect(bad(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', extra: 1 }))).toBe("bad.json: not a valid seccomp profile: /: unknown key 'extra'");
    });
    it('schema errors inside a SeccompProfile point into spec', () => {
      const t = yamlStringify({ apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1', kind: 'SeccompProfile', metadata: { name: 'x' }, spec: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'ALLOW' }], bogus: true } });
      expect(bad(t, 'x.yaml')).toBe("x.yaml: not a valid seccomp profile: /spec: unknown key 'bogus'; /spec/syscalls/0/action: must be one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY");
    });
    it('moby-format conditions inside a SeccompProfile spec (the operator would drop them); moby-format files themselves are flattened (moby-load.test.ts)', () => {
      const crd = yamlStringify({ apiVersion: 'security-profiles-operator.x-k8s.io/v1', kind: 'SeccompProfile', metadata: { name: 'x' }, spec: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } }] } });
      expect(bad(crd, 'x.yaml')).toMatch(/^x\.yaml: \/spec\/syscalls: moby-format conditions \(archMap, includes, excludes\) in a SeccompProfile/);
    });
    it('SeccompProfile features syscribe cannot honour, and other versions', () => {
      const crd = (spec: object, apiVersion = 'security-profiles-operator.x-k8s.io/v1beta1') => yamlStringify({ apiVersion, kind: 'SeccompProfile', metadata: { name: 'x' }, spec });
      expect(bad(crd({ baseProfileName: 'runc-v1.2.0', defaultAction: 'SCMP_ACT_ERRNO' }), 'x.yaml'))
        .toMatch(/^x\.yaml: \/spec\/baseProfileName: "runc-v1\.2\.0": base profiles are not supported/);
      expect(bad(crd({ defaultAction: 'SCMP_ACT_ERRNO' }, 'security-profiles-operator.x-k8s.io/v1alpha1'), 'x.yaml'))
        .toBe('x.yaml: /apiVersion: "security-profiles-operator.x-k8s.io/v1alpha1" is not supported (want security-profiles-operator.x-k8s.io/v1beta1 or security-profiles-operator.x-k8s.io/v1)');
      expect(bad(yamlStringify({ apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1', kind: 'AppArmorProfile', spec: {} }), 'x.yaml')).toBe('x.yaml: /kind: "AppArmorProfile": want SeccompProfile');
      expect(bad(yamlStringify({ apiVersion: 'security-profiles-operator.x-k8s.io/v1', kind: 'SeccompProfile' }), 'x.yaml')).toBe('x.yaml: /spec: missing (a SeccompProfile holds the profile in spec)');
    });
    it('broken or foreign files', () => {
      expect(bad('{"defaultAction": ', 'b.json')).toMatch(/^b\.json: invalid JSON: /);
      expect(bad('defaultAction: [\n', 'b.yaml')).toMatch(/^b\.yaml: invalid YAML: .*line 2/);
      expect(bad('', 'e.json')).toBe('e.json: empty file');
      expect(bad('- a\n- b\n', 'l.yaml')).toBe('l.yaml: not a seccomp profile (expected an object with defaultAction, or a SeccompProfile; got a list)');
      expect(bad('{"syscalls": []}', 'n.json')).toBe('n.json: not a seccomp profile: no /defaultAction (and not a SeccompProfile object)');
    });
    it('missing files', async () => {
      expect((await err(loadProfile(join(dir, 'nope.json')))).message).toBe(`${join(dir, 'nope.json')}: no such file`);
      expect((await err(loadProfile(dir))).message).toBe(`${dir}: is a directory`);
    });
  });

  it('looksLikeProfile tells profiles from recordings', () => {
    expect(looksLikeProfile('\ufeff  {"defaultAction":"SCMP_ACT_ERRNO"}')).toBe(true);
    expect(looksLikeProfile('# made by hand\n---\napiVersion: security-profiles-operator.x-k8s.io/v1\n')).toBe(true);
    expect(looksLikeProfile('defaultAction: SCMP_ACT_LOG\n')).toBe(true);
    expect(looksLikeProfile('12345 execve("/bin/true", ["true"], 0x7ffd /* 20 vars */) = 0\n')).toBe(false);
    expect(looksLikeProfile('type=SECCOMP msg=audit(1700000000.123:42): auid=0 uid=0 syscall=39 compat=0\n')).toBe(false);
  });
});
