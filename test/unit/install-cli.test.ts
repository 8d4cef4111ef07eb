// syscribe install through the CLI (needs dist/: npx tsc -p .).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bin = join(__dirname, '..', '..', 'bin', 'syscribe.js');
let base: string;
let root: string;
let prof: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: base });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'syscribe-install-cli-'));
  root = join(base, 'seccomp');
  prof = join(base, 'app.json');
  writeFileSync(prof, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('syscribe install', () => {
  it('installs and prints what to paste', () => {
    const r = cli('install', 'my-app', prof, '--root', root);
    expect(r.code, r.err).toBe(0);
    const path = join(root, 'profiles', 'my-app.json');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(r.err).toContain(`written: ${path}`);
    expect(r.out).toContain('localhostProfile: profiles/my-app.json');
    expect(r.out).toContain('type: Localhost');
    expect(r.out).toContain('# or pod level (pod.spec.securityContext)');
    expect(r.out).toContain(`docker run --security-opt seccomp=${path} IMAGE`);
    expect(r.out).toContain(`podman run --security-opt seccomp=${path} IMAGE`);
    expect(cli('install', 'my-app', prof, '--root', root).err).toContain(`unchanged: ${path}`);
  });

  it.each([['../x'], ['/etc/x'], ['a/../../x']])('refuses the name %j (exit 2), writes nothing', (name) => {
    const r = cli('install', name, prof, '--root', root);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/profile name/);
    expect(existsSync(join(base, 'x.json'))).toBe(false);
    expect(existsSync('/etc/x.json')).toBe(false);
  });

  it('refuses to replace a different profile without --force (exit 2), replaces with it', () => {
    expect(cli('install', 'a', prof, '--root', root, '--dir', 'apps').code).toBe(0);
    const other = join(base, 'other.json');
    writeFileSync(other, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }));
    const r = cli('install', 'a', other, '--root', root, '--dir', 'apps');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exists with a different profile: use --force/);
    expect(cli('install', 'a', other, '--root', root, '--dir', 'apps', '--force').code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'apps', 'a.json'), 'utf8')).defaultAction).toBe('SCMP_ACT_ALLOW');
  });

  it('refuses an invalid profile (exit 2)', () => {
    writeFileSync(prof, JSON.stringify({ syscalls: [] }));
    const r = cli('install', 'x', prof, '--root', root);
    expect(r.code).toBe(2);
    expect(existsSync(root)).toBe(false);
  });
});
