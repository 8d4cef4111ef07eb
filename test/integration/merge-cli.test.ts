import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadMergeInputs, sniffInput } from '../../src/algebra/inputs.js';
import { makeMergeCommand } from '../../src/cli/merge.js';
import { runMerge } from '../../src/app/merge.js';
import { parseDefaultAction } from '../../src/cli/action-option.js';
import { UserError } from '../../src/errors.js';
import { profileToCrd, profileToJson } from '../../src/profile/serialize.js';
import type { SeccompProfile } from '../../src/profile/types.js';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const A: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] }],
};
const B: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_AARCH64'],
  syscalls: [{ names: ['openat', 'read'], action: 'SCMP_ACT_ALLOW' }, { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }],
};
const MERGED: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
  syscalls: [
    { names: ['openat', 'read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ],
};

let stracePath = '';
beforeAll(async () => {
  requireTool('strace');
  // A real recording: strace -f -o FILE /bin/true (needs strace: an integration test)
  stracePath = join(dir, 'true.strace');
  await execa('strace', ['-f', '-o', stracePath, '/bin/true']);
});

/** A non-zero exit: its code and stderr. */
class Failed extends Error {
  constructor(readonly exitCode: number, readonly stderr: string) { super(stderr); }
}

/**
 * `syscribe ARGS` in-process (runCli); a non-zero exit throws Failed. With `loaders`, `merge` is
 * the merge command made with them (a test's own, added as `merge-with`).
 */
async function cli(args: string[], loaders?: Parameters<typeof makeMergeCommand>[0]) {
  const extra = loaders ? [{ ...makeMergeCommand(loaders), command: 'merge-with <inputs..>' }] : [];
  const argv = loaders && args[0] === 'merge' ? ['merge-with', ...args.slice(1)] : args;
  const r = await runCli(argv, extra as never);
  if (r.code !== 0) throw new Failed(r.code, r.err);
  return { stdout: r.out, stderr: r.err };
}

describe('syscribe merge', () => {
  it('OCI JSON + SeccompProfile YAML → canonical OCI JSON on stdout', async () => {
    const a = file('a.json', profileToJson(A));
    const b = file('b.yaml', profileToCrd(B, { name: 'b', version: 'v1' }));
    const r = await cli(['merge', a, b]);
    expect(r.stdout).toBe(profileToJson(MERGED));
    expect(r.stderr).toBe('merged 2 inputs: 3 syscalls allowed, 1 more under argument conditions; default SCMP_ACT_ERRNO; architectures SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64\n');
  });

  it('-o writes atomically; --format crd writes a SeccompProfile', async () => {
    const a = file('a2.json', profileToJson(A));
    const b = file('b2.json', profileToJson(B));
    const out = join(dir, 'out.yaml');
    const r = await cli(['merge', a, b, '-o', out, '--format', 'crd', '--name', 'app', '--crd-version', 'v1']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/; written to .*out\.yaml\n$/);
    const doc = parseYaml(readFileSync(out, 'utf8'));
    expect(doc).toEqual({ apiVersion: 'security-profiles-operator.x-k8s.io/v1', kind: 'SeccompProfile', metadata: { name: 'app' }, spec: MERGED });
    expect(statSync(out).mode & 0o777).toBe(0o644);
    await expect(cli(['merge', a, b, '--format', 'crd'])).rejects.toThrow('--format crd needs --name');
  });

  it('different defaults: exit 2 with both named; --default-action picks; warnings go to stderr', async () => {
    const a = file('d1.json', profileToJson({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }));
    const b = file('d2.json', profileToJson({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const e = await cli(['merge', a, b]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Failed);
    expect((e as Failed).exitCode).toBe(2);
    expect((e as Failed).stderr).toContain(`${a}: SCMP_ACT_ERRNO (EPERM 1), ${b}: SCMP_ACT_LOG`);
    const c = file('d3.json', profileToJson({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const r = await cli(['merge', a, c, '--default-action', 'errno', '--errno', 'EPERM']);
    expect(JSON.parse(r.stdout)).toEqual({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
    expect(r.stderr.split('\n')[0]).toBe(`warning: mount: ${a} answers SCMP_ACT_ERRNO (EACCES 13), ${c} (default) SCMP_ACT_ERRNO (EPERM 1); kept SCMP_ACT_ERRNO (EPERM 1) (ENOSYS first, then the lower errno)`);
    await expect(cli(['merge', a, '--errno', '38'])).rejects.toThrow('--errno goes with --default-action');
    expect(() => parseDefaultAction('notify')).toThrow(UserError);
    expect(parseDefaultAction('kill-process')).toBe('SCMP_ACT_KILL_PROCESS');
    expect(parseDefaultAction('SCMP_ACT_LOG')).toBe('SCMP_ACT_LOG');
  });

  it('refuses an invalid input, naming file and path', async () => {
    const a = file('ok.json', profileToJson(A));
    const bad = file('bad.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [], action: 'SCMP_ACT_ALLOW' }] }));
    await expect(cli(['merge', a, bad])).rejects.toThrow(`${bad}: not a valid seccomp profile: /syscalls/0/names: must NOT have fewer than 1 items`);
  });
});

describe('merge inputs: recordings', () => {
  it('tells a real strace recording (plain or gzipped) from profiles by content', async () => {
    expect(await sniffInput(stracePath)).toBe('observation');
    expect(await sniffInput(file('rec.gz', gzipSync(readFileSync(stracePath))))).toBe('observation');
    expect(await sniffInput(file('p.txt', profileToJson(A)))).toBe('profile');
    expect(await sniffInput(file('p.yml', profileToCrd(A, { name: 'a' })))).toBe('profile');
  });

  it('without an observation loader, a recording is refused with what to do instead', async () => {
    const a = file('r1.json', profileToJson(A));
    await expect(runMerge({ inputs: [a, stracePath], format: 'oci' })).rejects.toThrow(
      `${stracePath}: not a seccomp profile (it looks like a strace or audit recording); this caller merges profiles only`,
    );
  });

  it('with one (the integration point), it gets the profiles\' default and merges what it returns, in order', async () => {
    const a = file('r2.json', profileToJson({ ...A, defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }));
    const calls: unknown[] = [];
    const loadObservation = async (path: string, defaults: { defaultAction: string; defaultErrnoRet?: number }) => {
      calls.push([path, defaults]);
      return { ...defaults, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['execve', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] } as SeccompProfile;
    };
    const loaded = await loadMergeInputs([stracePath, a], { loadObservation });
    expect(calls).toEqual([[stracePath, { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }]]);
    expect(loaded.inputs.map((i) => i.source)).toEqual([`${stracePath} (observed)`, a]);
    const r = await cli(['merge', a, stracePath], { loadObservation });
    expect(JSON.parse(r.stdout).syscalls[0]).toEqual({ names: ['execve', 'exit_group', 'read', 'write'], action: 'SCMP_ACT_ALLOW' });
    expect(r.stderr).toMatch(/^merged 2 inputs \(1 recording\): /);
    // Only recordings: the default is --default-action, else SCMP_ACT_ERRNO.
    calls.length = 0;
    await loadMergeInputs([stracePath], { loadObservation }, { defaultAction: 'SCMP_ACT_LOG' });
    await loadMergeInputs([stracePath], { loadObservation });
    expect(calls).toEqual([[stracePath, { defaultAction: 'SCMP_ACT_LOG' }], [stracePath, { defaultAction: 'SCMP_ACT_ERRNO' }]]);
  });
});
