import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffProfiles, formatDiff } from '../../src/algebra/diff.js';
import { runDiff } from '../../src/app/diff.js';
import { runCli } from '../helpers/cli.js';
import { UserError } from '../../src/errors.js';
import { profileToCrd, profileToJson } from '../../src/profile/serialize.js';
import type { SeccompProfile } from '../../src/profile/types.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const OLD: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  syscalls: [
    { names: ['read', 'write', 'ptrace'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ],
};
const NEW: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
  flags: ['SECCOMP_FILTER_FLAG_LOG'],
  syscalls: [
    { names: ['read', 'write', 'bind', 'personality'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }] },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, op: 'SCMP_CMP_MASKED_EQ' }] },
    { names: ['ptrace'], action: 'SCMP_ACT_LOG' },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
  ],
};

describe('diffProfiles', () => {
  it('is empty for the same behaviour spelled differently', () => {
    const a: SeccompProfile = { defaultAction: 'SCMP_ACT_KILL', syscalls: [{ names: ['write', 'read'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }, { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 2, op: 'SCMP_CMP_EQ' }, { index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }] };
    const b: SeccompProfile = { defaultAction: 'SCMP_ACT_KILL_THREAD', architectures: [], syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, op: 'SCMP_CMP_EQ' }] }, { names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }, { names: ['write'], action: 'SCMP_ACT_ALLOW' }, { names: ['kill'], action: 'SCMP_ACT_KILL' }] };
    const d = diffProfiles(a, b);
    expect(d).toEqual({ equal: true, architectures: { added: [], removed: [] }, flags: { added: [], removed: [] }, actions: [], conditions: [] });
    expect(formatDiff(d, { a: 'a.json', b: 'b.json' })).toBe('no differences: a.json and b.json behave the same\n');
  });

  it('reports default, architectures, flags, names per action and changed conditions', () => {
    const d = diffProfiles(OLD, NEW);
    expect(d).toEqual({
      equal: false,
      defaultErrnoRet: { from: 1, to: 38 },
      architectures: { added: ['SCMP_ARCH_AARCH64'], removed: ['SCMP_ARCH_X86'] },
      flags: { added: ['SECCOMP_FILTER_FLAG_LOG'], removed: [] },
      actions: [
        { action: 'SCMP_ACT_ALLOW', label: 'SCMP_ACT_ALLOW', added: ['bind', 'personality'], removed: ['ptrace'], addedConditional: ['clone'], removedConditional: ['personality'] },
        { action: 'SCMP_ACT_LOG', label: 'SCMP_ACT_LOG', added: ['ptrace'], removed: [], addedConditional: [], removedConditional: [] },
        { action: 'SCMP_ACT_ERRNO', errnoRet: 1, label: 'SCMP_ACT_ERRNO (EPERM 1)', added: ['clone3'], removed: [], addedConditional: [], removedConditional: [] },
        { action: 'SCMP_ACT_ERRNO', errnoRet: 38, label: 'SCMP_ACT_ERRNO (ENOSYS 38)', added: [], removed: ['clone3'], addedConditional: [], removedConditional: [] },
      ],
      conditions: [
        { name: 'socket', action: 'SCMP_ACT_ALLOW', label: 'SCMP_ACT_ALLOW', removed: [[{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]], added: [[{ index: 0, value: 38, op: 'SCMP_CMP_LT' }]] },
      ],
    });
    expect(formatDiff(d, { a: 'old.json', b: 'new.json' })).toBe([
      '--- old.json',
      '+++ new.json',
      'defaultErrnoRet: 1 → 38',
      'architectures: +SCMP_ARCH_AARCH64 -SCMP_ARCH_X86',
      'flags: +SECCOMP_FILTER_FLAG_LOG',
      'SCMP_ACT_ALLOW:',
      '  + bind personality',
      '  - ptrace',
      '  + (conditional) clone',
      '  - (conditional) personality',
      'SCMP_ACT_LOG:',
      '  + ptrace',
      'SCMP_ACT_ERRNO (EPERM 1):',
      '  + clone3',
      'SCMP_ACT_ERRNO (ENOSYS 38):',
      '  - clone3',
      'conditions changed:',
      '  socket SCMP_ACT_ALLOW:',
      '    - arg0 != 40',
      '    + arg0 < 38',
      '',
    ].join('\n'));
  });

  it('default action and listener changes', () => {
    const d = diffProfiles({ defaultAction: 'SCMP_ACT_ERRNO', listenerPath: '/run/a.sock' }, { defaultAction: 'SCMP_ACT_LOG' });
    expect(d.defaultAction).toEqual({ from: 'SCMP_ACT_ERRNO', to: 'SCMP_ACT_LOG' });
    expect(d.defaultErrnoRet).toBeUndefined();
    expect(d.listenerPath).toEqual({ from: '/run/a.sock' });
    expect(d.equal).toBe(false);
  });
});

describe('syscribe diff', () => {
  it('exit 1 and JSON when they differ (OCI vs SeccompProfile), 0 when equal', async () => {
    const a = file('old.json', profileToJson(OLD));
    const b = file('new.yaml', profileToCrd(NEW, { name: 'new' }));
    const r = await runDiff(a, b, true);
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(r.text);
    expect(j.a).toBe(a);
    expect(j.b).toBe(b);
    expect(j.equal).toBe(false);
    expect(j.actions[0].added).toEqual(['bind', 'personality']);
    // profileToCrd leaves defaultErrnoRet out (not a SeccompProfile field): nothing to warn about.
    expect(r.warnings).toEqual([]);
    const same = await runDiff(a, file('same.yaml', profileToCrd(OLD, { name: 'old', version: 'v1' })));
    expect(same.exitCode).toBe(0);
    expect(same.text).toMatch(/^no differences: /);
  });

  it('through the command: its exit status (1: they differ, 0: equal); input errors are exit 2', async () => {
    const a = file('c1.json', profileToJson(OLD));
    const b = file('c2.json', profileToJson(NEW));
    const r = await runCli(['diff', a, b]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^--- .*c1\.json\n\+\+\+ .*c2\.json\n/);
    const same = await runCli(['diff', a, file('c3.json', profileToJson(OLD))]);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/^no differences: /);
    const missing = await runCli(['diff', a, join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`syscribe: ${join(dir, 'missing.json')}: no such file\n`);
    const e = await runDiff(a, join(dir, 'missing.json')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(2);
    expect((e as UserError).message).toBe(`${join(dir, 'missing.json')}: no such file`);
  });
});
