/**
 * The runtime model normalize.ts and merge.ts rely on, checked against real
 * runc + libseccomp, and merged profiles run for real. The container's rootfs
 * is built from this machine's /bin/sh and /bin/mkdir plus their libraries.
 * Every profile here allows by default and answers mkdir(2) with an errno, so
 * `mkdir` prints which rule won: "Permission denied" (EACCES, 13) or
 * "Operation not permitted" (EPERM, 1).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluator } from '../../src/algebra/evaluate.js';
import { mergeProfiles } from '../../src/algebra/merge.js';
import { normalizeProfile, reduceRules } from '../../src/algebra/normalize.js';
import type { SeccompProfile, SyscallRule } from '../../src/profile/types.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-runc-'));
const bundle = join(dir, 'bundle');
let runc = '';

beforeAll(async () => {
  runc = requireTool('runc');
  if (!isRoot()) throw new Error('this test runs containers with runc: run it as root');
  const rootfs = join(bundle, 'rootfs');
  for (const d of ['tmp', 'proc', 'dev', 'sys']) mkdirSync(join(rootfs, d), { recursive: true });
  for (const bin of ['/bin/sh', '/bin/mkdir']) {
    const files = [bin, ...(await execa('ldd', [bin])).stdout.split('\n').map((l) => /(\/\S+)/.exec(l)?.[1]).filter((x): x is string => !!x)];
    for (const f of files) {
      mkdirSync(join(rootfs, dirname(f)), { recursive: true });
      cpSync(f, join(rootfs, f), { dereference: true });
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `mkdir -m MODE /tmp/x` in a container with this seccomp profile; stdout+stderr. */
async function mkdirIn(seccomp: SeccompProfile, mode = '700'): Promise<string> {
  const config = {
    ociVersion: '1.0.2',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/bin/sh', '-c', `mkdir -m ${mode} /tmp/x 2>&1; echo rc=$?`], env: ['PATH=/bin'], cwd: '/', noNewPrivileges: true },
    root: { path: 'rootfs', readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
    ],
    linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }], seccomp },
  };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const id = `syscribe-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const r = await execa(runc, ['run', id], { cwd: bundle, reject: false, timeout: 30_000 });
    return `${r.stdout}${r.stderr}`.trim();
  } finally {
    await execa(runc, ['delete', '-f', id], { reject: false });
  }
}

const EACCES = "mkdir: cannot create directory '/tmp/x': Permission denied\nrc=1";
const EPERM = "mkdir: cannot create directory '/tmp/x': Operation not permitted\nrc=1";
const OK = 'rc=0';
const errno = (n: number): SyscallRule => ({ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: n });
// mkdir(path, mode): mode is argument 1; mkdirat(dirfd, path, mode): argument 2.
const whenMode = (action: SyscallRule['action'], mode: number, errnoRet?: number): SyscallRule[] => [
  { names: ['mkdir'], action, ...(errnoRet !== undefined ? { errnoRet } : {}), args: [{ index: 1, value: mode, op: 'SCMP_CMP_EQ' }] },
  { names: ['mkdirat'], action, ...(errnoRet !== undefined ? { errnoRet } : {}), args: [{ index: 2, value: mode, op: 'SCMP_CMP_EQ' }] },
];
const allowDefault = (syscalls: SyscallRule[]): SeccompProfile => ({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls });

/** What evaluate.ts predicts for mkdir(path, mode), as mkdir's output. */
function predicted(p: SeccompProfile, mode: number): string {
  const e = evaluator(p)('mkdir', [0n, BigInt(mode)]);
  if (e.action === 'SCMP_ACT_ALLOW' || e.action === 'SCMP_ACT_LOG') return OK;
  return (e.errnoRet ?? 1) === 13 ? EACCES : EPERM;
}

describe('the runtime model, against runc + libseccomp', () => {
  it('the first unconditional rule of a syscall wins', async () => {
    const p = allowDefault([errno(13), errno(1)]);
    expect(await mkdirIn(p)).toBe(EACCES);
    expect(predicted(p, 0o700)).toBe(EACCES);
    // normalize keeps that behaviour
    expect(await mkdirIn(normalizeProfile(p))).toBe(EACCES);
  });

  it('an unconditional rule replaces the conditional rules of its syscall, before or after them', async () => {
    for (const p of [allowDefault([...whenMode('SCMP_ACT_ERRNO', 0o700, 1), errno(13)]), allowDefault([errno(13), ...whenMode('SCMP_ACT_ERRNO', 0o700, 1)])]) {
      expect(await mkdirIn(p)).toBe(EACCES);
      expect(predicted(p, 0o700)).toBe(EACCES);
      expect(normalizeProfile(p).syscalls).toEqual([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }]);
    }
    // Alone, the conditional rule applies.
    expect(await mkdirIn(allowDefault(whenMode('SCMP_ACT_ERRNO', 0o700, 1)))).toBe(EPERM);
    expect(await mkdirIn(allowDefault(whenMode('SCMP_ACT_ERRNO', 0o700, 1)), '755')).toBe(OK);
  });

  it('a rule equal to the default action is skipped', async () => {
    const p: SeccompProfile = { defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_LOG' }, errno(13)] };
    expect(await mkdirIn(p)).toBe(EACCES);
    expect(predicted(p, 0o700)).toBe(EACCES);
  });

  it('two rules with the same arguments and different actions: runc refuses the profile', async () => {
    const p = allowDefault([...whenMode('SCMP_ACT_ERRNO', 0o700, 1), ...whenMode('SCMP_ACT_ERRNO', 0o700, 13)]);
    expect(await mkdirIn(p)).toMatch(/error adding seccomp rule for syscall mkdir: file exists/);
    expect(reduceRules(p.syscalls!, p).notes.map((n) => n.kind)).toEqual(['cond-conflict', 'cond-conflict']);
    // The normalized profile loads (the less restrictive of the two kept).
    expect(await mkdirIn(normalizeProfile(p))).toBe(EPERM);
  });
});

describe('merged profiles, run', () => {
  const a = allowDefault(whenMode('SCMP_ACT_ERRNO', 0o700, 13));
  // The same restriction spelled differently (other rule order, one rule per name).
  const b = allowDefault([...whenMode('SCMP_ACT_ERRNO', 0o700, 13)].reverse());
  const c = allowDefault([{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }]);

  it('a restriction every input has survives; calls outside it pass', async () => {
    const m = mergeProfiles([{ source: 'a', profile: a }, { source: 'b', profile: b }]).profile;
    expect(m.syscalls).toEqual([
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 1, value: 448, op: 'SCMP_CMP_EQ' }] },
      { names: ['mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 2, value: 448, op: 'SCMP_CMP_EQ' }] },
    ]);
    expect(await mkdirIn(m, '700')).toBe(EACCES);
    expect(await mkdirIn(m, '755')).toBe(OK);
  });

  it('an input without it lets the call through, so the union does', async () => {
    const m = mergeProfiles([{ source: 'a', profile: a }, { source: 'b', profile: b }, { source: 'c', profile: c }]).profile;
    expect(m.syscalls).toEqual([]);
    expect(await mkdirIn(m, '700')).toBe(OK);
  });
});
