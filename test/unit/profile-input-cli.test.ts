// Profiles as users bring them, through the CLI (in process: test/helpers/cli.ts): moby-format files are
// flattened by merge, diff, check and install; 64-bit argument values go through them exactly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { defaultCaps } from '../../src/generate/flatten.js';

const fixtures = join(__dirname, '..', 'fixtures', 'profiles');
const MOBY = join(fixtures, 'moby-default.excerpt.json');
const CONTAINERS = join(fixtures, 'containers-common.excerpt.json');
const dir = mkdtempSync(join(tmpdir(), 'syscribe-profile-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const U64_MAX = '18446744073709551615';
const P63 = '9223372036854775808';
const P53_1 = '9007199254740993';
const MASK = '18446744069414584320';
const big = (v: { a?: string; b?: string } = {}) => `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[
{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":${v.a ?? U64_MAX},"op":"SCMP_CMP_EQ"}]},
{"names":["ioctl"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":${v.b ?? P53_1},"op":"SCMP_CMP_EQ"}]},
{"names":["mmap"],"action":"SCMP_ACT_ALLOW","args":[{"index":3,"value":${MASK},"valueTwo":${P63},"op":"SCMP_CMP_MASKED_EQ"}]}]}
`;
const TARGET = ['--arch', 'x86_64', '--kernel', '6.1'];
const NOTE = `note: ${MOBY}: flattened a moby-format profile for x86_64, caps ${[...defaultCaps('docker')].sort().join(',')}, kernel 6.1: 11 of 13 rules apply`;

describe('moby-format input', () => {
  it('merge flattens it (and says for what); the result is plain OCI', async () => {
    const r = await cli('merge', MOBY, ...TARGET);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(NOTE);
    expect(r.out).not.toMatch(/includes|excludes|archMap|comment/);
    const p = JSON.parse(r.out);
    expect(p.architectures).toEqual(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32']);
    const names = p.syscalls.flatMap((x: { names: string[] }) => x.names);
    expect(names).toContain('ptrace');
    expect(names).not.toContain('mount');
    // --cap and --kernel choose another target.
    const admin = JSON.parse((await cli('merge', MOBY, '--arch', 'x86_64', '--kernel', '4.4', '--cap', 'CAP_SYS_ADMIN')).out);
    const an = admin.syscalls.flatMap((x: { names: string[] }) => x.names);
    expect(an).toContain('mount');
    expect(an).not.toContain('ptrace');
  });

  it('diff: the moby file and its flattened form behave the same; Docker vs CRI-O/Podman defaults differ', async () => {
    const flat = file('moby-flat.json', (await cli('merge', MOBY, ...TARGET)).out);
    const same = await cli('diff', MOBY, flat, ...TARGET);
    expect(same.code, same.err).toBe(0);
    expect(same.out).toMatch(/^no differences/);
    expect(same.err).toContain(NOTE);
    const d = await cli('diff', MOBY, CONTAINERS, ...TARGET);
    expect(d.code, d.err).toBe(1);
    expect(d.out).toContain('defaultErrnoRet: 1 → 38');
  });

  it('check reads it (flattened) as what the app calls', async () => {
    const r = await cli('check', MOBY, '--json', ...TARGET);
    expect(r.code, r.err).not.toBe(2);
    expect(r.err).toContain(`note: ${MOBY}: flattened a moby-format profile for x86_64`);
    const j = JSON.parse(r.out);
    expect(j.results[0].observed).toBeGreaterThan(5);
  });

  it('install writes the flattened plain OCI profile (containerd would drop the conditions)', async () => {
    const root = join(dir, 'kubelet-seccomp');
    const r = await cli('install', 'docker-default', MOBY, '--root', root, ...TARGET);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(NOTE);
    const written = readFileSync(join(root, 'profiles', 'docker-default.json'), 'utf8');
    expect(written).not.toMatch(/includes|excludes|archMap|comment/);
    expect(JSON.parse(written).architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const same = await cli('diff', join(root, 'profiles', 'docker-default.json'), MOBY, ...TARGET);
    expect(same.code, same.out + same.err).toBe(0);
  });

  it('a broken condition is an input error naming the path', async () => {
    const p = file('bad-moby.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { capabilities: ['CAP_SYS_ADMIN'] } }] }));
    for (const cmd of [['merge', p], ['diff', p, p], ['check', p], ['install', 'x', p, '--root', join(dir, 'r')]]) {
      const r = await cli(...cmd);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.err).toBe(`syscribe: ${p}: /syscalls/0/includes/capabilities: unknown includes condition (known: arches, caps, minKernel)\n`);
    }
  });
});

describe('64-bit argument values', () => {
  const exact = (text: string) => {
    for (const n of [U64_MAX, P63, P53_1, MASK]) expect(text).toContain(`: ${n}`);
    expect(text).not.toMatch(/18446744073709552000|9007199254740992\b|e\+/);
  };

  it('merge writes 2^64-1, 2^63, 2^53+1 and the mask as read', async () => {
    const r = await cli('merge', file('big.json', big()));
    expect(r.code, r.err).toBe(0);
    exact(r.out);
  });

  it('diff tells 2^53+1 from 2^53 (exit 1), and equal 64-bit values are equal (exit 0)', async () => {
    const a = file('big-a.json', big());
    const b = file('big-b.json', big({ b: '9007199254740992' }));
    const d = await cli('diff', a, b);
    expect(d.code, d.err).toBe(1);
    expect(d.out).toContain('- arg1 == 0x20000000000001');
    expect(d.out).toContain('+ arg1 == 0x20000000000000');
    const j = await cli('diff', '--json', a, b);
    expect(j.code, j.err).toBe(1);
    expect(j.out).toContain(`"value": ${P53_1}`);
    expect(j.out).toContain('"value": 9007199254740992');
    const same = await cli('diff', a, file('big-a2.json', (await cli('merge', a)).out));
    expect(same.code, same.err).toBe(0);
  });

  it('install writes them exactly', async () => {
    const root = join(dir, 'root-big');
    const r = await cli('install', 'big', file('big-i.json', big()), '--root', root);
    expect(r.code, r.err).toBe(0);
    exact(readFileSync(join(root, 'profiles', 'big.json'), 'utf8'));
    // Installing the same profile again: unchanged (compared exactly, not as doubles).
    expect((await cli('install', 'big', join(dir, 'big-i.json'), '--root', root)).err).toContain('unchanged:');
    const other = await cli('install', 'big', file('big-j.json', big({ b: '9007199254740992' })), '--root', root);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/exists with a different profile/);
  });

  it('above 2^64-1 or negative: exit 2 naming the path, in every command', async () => {
    const over = file('over.json', big({ a: '18446744073709551616' }));
    const neg = file('neg.json', big({ b: '-1' }));
    for (const [p, msg] of [
      [over, '/syscalls/1/args/0/value: 18446744073709551616 is above 2^64-1 (18446744073709551615): not a 64-bit value'],
      [neg, '/syscalls/2/args/0/value: -1 is negative (seccomp compares unsigned 64-bit values)'],
    ] as const) {
      for (const cmd of [['merge', p], ['diff', p, p], ['check', p], ['install', 'x', p, '--root', join(dir, 'r2')]]) {
        const r = await cli(...cmd);
        expect(r.code, cmd.join(' ')).toBe(2);
        expect(r.err).toBe(`syscribe: ${p}: not a valid seccomp profile: ${msg}\n`);
      }
    }
  });
});
