// syscribe install through the CLI (in process: test/helpers/cli.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let base: string;
let root: string;
let prof: string;

const cli = (...args: string[]) => runCli(args);

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'syscribe-install-cli-'));
  root = join(base, 'seccomp');
  prof = join(base, 'app.json');
  writeFileSync(prof, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('syscribe install', () => {
  it('installs and prints what to paste', async () => {
    const r = await cli('install', 'my-app', prof, '--root', root);
    expect(r.code, r.err).toBe(0);
    const path = join(root, 'profiles', 'my-app.json');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(r.err).toContain(`written: ${path}`);
    expect(r.out).toContain('localhostProfile: profiles/my-app.json');
    expect(r.out).toContain('type: Localhost');
    expect(r.out).toContain('# or pod level (pod.spec.securityContext)');
    expect(r.out).toContain(`docker run --security-opt seccomp=${path} IMAGE`);
    expect(r.out).toContain(`podman run --security-opt seccomp=${path} IMAGE`);
    expect((await cli('install', 'my-app', prof, '--root', root)).err).toContain(`unchanged: ${path}`);
  });

  it.each([['../x'], ['/etc/x'], ['a/../../x']])('refuses the name %j (exit 2), writes nothing', async (name) => {
    const r = await cli('install', name, prof, '--root', root);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/profile name/);
    expect(existsSync(join(base, 'x.json'))).toBe(false);
    expect(existsSync('/etc/x.json')).toBe(false);
  });

  it('refuses to replace a different profile without --force (exit 2), replaces with it', async () => {
    expect((await cli('install', 'a', prof, '--root', root, '--dir', 'apps')).code).toBe(0);
    const other = join(base, 'other.json');
    writeFileSync(other, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }));
    const r = await cli('install', 'a', other, '--root', root, '--dir', 'apps');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exists with a different profile: use --force/);
    expect((await cli('install', 'a', other, '--root', root, '--dir', 'apps', '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'apps', 'a.json'), 'utf8')).defaultAction).toBe('SCMP_ACT_ALLOW');
  });

  it('refuses an invalid profile (exit 2)', async () => {
    writeFileSync(prof, JSON.stringify({ syscalls: [] }));
    const r = await cli('install', 'x', prof, '--root', root);
    expect(r.code).toBe(2);
    expect(existsSync(root)).toBe(false);
  });
});
