import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installProfile, usageSnippet } from '../../src/install/install.js';
import type { SeccompProfile } from '../../src/profile/types.js';

const P: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
let base: string;
let root: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'syscribe-install-'));
  root = join(base, 'seccomp');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('installProfile', () => {
  it('writes ROOT/profiles/NAME.json, mode 0644, and says what to paste', async () => {
    const r = await installProfile('my-app', P, { root });
    expect(r).toEqual({ path: join(root, 'profiles', 'my-app.json'), localhostProfile: 'profiles/my-app.json', status: 'written' });
    expect(statSync(r.path).mode & 0o777).toBe(0o644);
    expect(JSON.parse(readFileSync(r.path, 'utf8'))).toEqual(P);
    const s = usageSnippet(r);
    expect(s).toContain('type: Localhost');
    expect(s).toContain('localhostProfile: profiles/my-app.json');
    expect(s).toContain('allowPrivilegeEscalation: false');
    expect(s).toContain('drop: [ALL]');
    expect(s).toContain('runAsNonRoot: true');
    expect(s).toContain(`docker run --security-opt seccomp=${r.path}`);
    expect(s).toContain(`podman run --security-opt seccomp=${r.path}`);
  });

  it.each([['../x'], ['/etc/x'], ['a/../../x'], ['a/b'], ['..'], ['.hidden'], ['x\0y']])('refuses the name %j', async (name) => {
    await expect(installProfile(name, P, { root })).rejects.toThrow(/profile name/);
    expect(existsSync(join(base, 'x.json'))).toBe(false);
  });

  it.each([['../out'], ['/abs'], ['a/../..']])('refuses --dir %j', async (dir) => {
    await expect(installProfile('x', P, { root, dir })).rejects.toThrow(/^dir /);
  });

  it('refuses a symlinked directory on the way out of the root', async () => {
    mkdirSync(root, { recursive: true });
    const outside = join(base, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(root, 'profiles'));
    await expect(installProfile('x', P, { root })).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, 'x.json'))).toBe(false);
  });

  it('refuses to overwrite a different profile unless --force; identical is a no-op', async () => {
    await installProfile('x', P, { root });
    expect((await installProfile('x', P, { root })).status).toBe('unchanged');
    const Q: SeccompProfile = { ...P, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
    await expect(installProfile('x', Q, { root })).rejects.toThrow(/use force to replace it/);
    expect((await installProfile('x', Q, { root, force: true })).status).toBe('replaced');
    expect(JSON.parse(readFileSync(join(root, 'profiles', 'x.json'), 'utf8'))).toEqual(Q);
  });

  it('refuses to replace a symlink or non-file target', async () => {
    mkdirSync(join(root, 'profiles'), { recursive: true });
    writeFileSync(join(base, 'victim'), 'x');
    symlinkSync(join(base, 'victim'), join(root, 'profiles', 'x.json'));
    await expect(installProfile('x', P, { root, force: true })).rejects.toThrow(/not a regular file/);
    expect(readFileSync(join(base, 'victim'), 'utf8')).toBe('x');
  });

  it('is 0644 whatever the umask, and creates the directories (0755)', async () => {
    const old = process.umask(0o077);
    try {
      const r = await installProfile('m', P, { root, dir: 'a/b' });
      expect(r.localhostProfile).toBe('a/b/m.json');
      expect(statSync(r.path).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(old);
    }
  });

  it('refuses a symlinked directory deeper on the way (--dir a/b with a → outside)', async () => {
    mkdirSync(root, { recursive: true });
    const outside = join(base, 'outside');
    mkdirSync(join(outside, 'b'), { recursive: true });
    symlinkSync(outside, join(root, 'a'));
    await expect(installProfile('x', P, { root, dir: 'a/b' })).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, 'b', 'x.json'))).toBe(false);
  });

  it('refuses a file where a directory should be', async () => {
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'profiles'), '');
    await expect(installProfile('x', P, { root })).rejects.toThrow(/not a directory/);
  });

  it('the same profile formatted differently counts as identical (no-op)', async () => {
    mkdirSync(join(root, 'profiles'), { recursive: true });
    const f = join(root, 'profiles', 'x.json');
    writeFileSync(f, JSON.stringify(P));
    expect((await installProfile('x', P, { root })).status).toBe('unchanged');
    expect(readFileSync(f, 'utf8')).toBe(JSON.stringify(P)); // untouched
  });

  it('validates the profile first', async () => {
    await expect(installProfile('x', { defaultAction: 'SCMP_ACT_NOPE' } as unknown as SeccompProfile, { root })).rejects.toThrow(/not a valid OCI seccomp profile/);
    expect(existsSync(root)).toBe(false);
  });

  it('leaves no temp file behind', async () => {
    await installProfile('x', P, { root });
    expect(readdirSync(join(root, 'profiles'))).toEqual(['x.json']);
  });
});

