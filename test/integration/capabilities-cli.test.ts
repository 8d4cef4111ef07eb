// Capabilities on the command line: unknown names are exit 2 (with "did you mean"),
// --cap is the exact set, --cap-add/--cap-drop change the runtime's default set
// (securityContext vocabulary), for the generator commands and check.
// The recording is real: strace of `unshare -m true` (unshare + mount: CAP_SYS_ADMIN rules).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';
import { CRIO_DEFAULT_CAPS, LINUX_CAPABILITIES, OCI_DEFAULT_CAPS } from '../../src/profile/capabilities.js';

let dir: string;
let log: string;

beforeAll(() => {
  requireTool('strace');
  requireTool('unshare', 'util-linux');
  dir = mkdtempSync(join(tmpdir(), `syscribe-caps-${process.pid}-`));
  log = join(dir, 'unshare.strace');
  execFileSync('strace', ['-f', '-o', log, 'unshare', '-m', 'true']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(args);
const sorted = (l: readonly string[]) => [...l].sort();
const allowed = (file: string): string[] =>
  (JSON.parse(readFileSync(file, 'utf8')).syscalls as Array<{ action: string; names: string[]; args?: unknown[] }>)
    .filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names);

describe('unknown capabilities are usage errors', () => {
  it('--cap CAP_BOGUS: exit 2, one line, no profile written', async () => {
    const out = join(dir, 'bogus.json');
    const r = await run('strace', log, '--cap', 'CAP_BOGUS', '-o', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^syscribe: --cap CAP_BOGUS: not a Linux capability/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
  it('a near miss gets "did you mean"; every flag and command checks', async () => {
    expect((await run('strace', log, '--cap-add', 'SYS_ADMN')).err).toMatch(/--cap-add SYS_ADMN: not a Linux capability \(did you mean CAP_SYS_ADMIN\?\)/);
    expect((await run('audit-profile', '--cap-drop', 'cap_net_rwa')).err).toMatch(/did you mean CAP_NET_RAW\?/);
    const c = await run('check', log, '--cap', 'CAP_SYS_ADMINN');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/did you mean CAP_SYS_ADMIN\?/);
    expect((await run('check', log, '--cap', 'SYS_ADMIN', '--cap-add', 'KILL')).code).toBe(2);
  });
});

describe('--cap is exact, --cap-add/--cap-drop change the default set', () => {
  it('--cap-add SYS_ADMIN (any spelling) adds to the default set: mount and unshare allowed', async () => {
    for (const spelling of ['SYS_ADMIN', 'cap_sys_admin', 'CAP_SYS_ADMIN']) {
      const out = join(dir, `add-${spelling}.json`);
      const r = await run('strace', log, '--cap-add', spelling, '--json', '-o', out);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).caps).toEqual(sorted([...OCI_DEFAULT_CAPS, 'CAP_SYS_ADMIN']));
      expect(allowed(out)).toEqual(expect.arrayContaining(['mount', 'unshare']));
    }
  });
  it('--cap SYS_ADMIN is exactly that one capability', async () => {
    const r = await run('strace', log, '--cap', 'SYS_ADMIN', '--json', '-o', join(dir, 'exact.json'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).caps).toEqual(['CAP_SYS_ADMIN']);
  });
  it('--cap-drop ALL --cap-add NET_BIND_SERVICE (the restricted pattern); --cap-drop removes one', async () => {
    const r = await run('strace', log, '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '--json', '-o', join(dir, 'restricted.json'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).caps).toEqual(['CAP_NET_BIND_SERVICE']);
    const d = await run('strace', log, '--baseline', 'crio', '--cap-drop', 'KILL,CHOWN', '--json', '-o', join(dir, 'drop.json'));
    expect(JSON.parse(d.out).caps).toEqual(sorted(CRIO_DEFAULT_CAPS.filter((c) => c !== 'CAP_KILL' && c !== 'CAP_CHOWN')));
  });
  it('check --cap-add SYS_ADMIN --all-runtimes: each runtime\'s own default set plus SYS_ADMIN; nothing blocked', async () => {
    const before = await run('check', log, '--all-runtimes', '--json');
    expect(before.code).toBe(1);
    const r = await run('check', log, '--all-runtimes', '--cap-add', 'SYS_ADMIN', '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out).results as Array<{ baseline: string; caps: string[]; blocked: boolean }>;
    expect(res.find((x) => x.baseline === 'crio')!.caps).toEqual(sorted([...CRIO_DEFAULT_CAPS, 'CAP_SYS_ADMIN']));
    expect(res.find((x) => x.baseline === 'docker')!.caps).toEqual(sorted([...OCI_DEFAULT_CAPS, 'CAP_SYS_ADMIN']));
    expect(res.every((x) => !x.blocked)).toBe(true);
  });
  it('profile readers (merge, diff, install, verify) flatten a moby-format profile for the same flags', async () => {
    const moby = join(__dirname, '..', 'fixtures', 'profiles', 'moby-default.excerpt.json');
    const names = (out: string): string[] => (JSON.parse(out).syscalls as Array<{ names: string[] }>).flatMap((x) => x.names);
    const plain = await run('merge', moby, '--arch', 'x86_64', '--kernel', '6.1');
    expect(plain.code).toBe(0);
    expect(names(plain.out)).not.toContain('mount');
    const admin = await run('merge', moby, '--arch', 'x86_64', '--kernel', '6.1', '--cap-add', 'sys_admin');
    expect(admin.code).toBe(0);
    expect(admin.err).toContain(`caps ${sorted([...OCI_DEFAULT_CAPS, 'CAP_SYS_ADMIN']).join(',')}`);
    expect(names(admin.out)).toContain('mount');
    for (const args of [['merge', moby, '--cap', 'CAP_BOGUS'], ['diff', moby, moby, '--cap-add', 'NET_ADMN'], ['install', 'x', moby, '--root', dir, '--cap-drop', 'nope']]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^syscribe: --cap(-add|-drop)? \S+: not a Linux capability/);
    }
  });
  it('the list is the kernel\'s: 41 names, CAP_CHOWN … CAP_CHECKPOINT_RESTORE; --cap ALL is all of them', async () => {
    expect(LINUX_CAPABILITIES).toHaveLength(41);
    expect(LINUX_CAPABILITIES[0]).toBe('CAP_CHOWN');
    expect(LINUX_CAPABILITIES[21]).toBe('CAP_SYS_ADMIN');
    expect(LINUX_CAPABILITIES[40]).toBe('CAP_CHECKPOINT_RESTORE');
    // This kernel knows no capability we do not (cap_last_cap is the highest number).
    const last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
    expect(last).toBeLessThanOrEqual(40);
    const r = await run('strace', log, '--cap', 'ALL', '--json', '-o', join(dir, 'all.json'));
    expect(JSON.parse(r.out).caps).toEqual(sorted(LINUX_CAPABILITIES));
  });
});
