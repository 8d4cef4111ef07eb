// 64-bit argument values written by syscribe, run under real runc (libseccomp): runc accepts the file
// (a double would be written as 18446744073709552000, which runc refuses to unmarshal into uint64), and the
// rules match exactly the value written — 2^64-1 and not 2^64-2, a 64-bit MASKED_EQ on both halves.
// Also a moby-format profile given to verify: flattened for --cap before it reaches runc.
// Needs root, runc, gcc (CI runs as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const root = join(__dirname, '..', '..');
let dir: string;
let probe: string;

const syscribe = (...args: string[]) => runCli(args, [], { cwd: dir });

const U64_MAX = '18446744073709551615';
// getpgid(2^64-1) → ERRNO 42; (getsid's arg0 & 0xffffffff00000000) == 2^63 → ERRNO 43; everything else allowed.
const INPUT = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
{"names":["getpgid"],"action":"SCMP_ACT_ERRNO","errnoRet":42,"args":[{"index":0,"value":${U64_MAX},"op":"SCMP_CMP_EQ"}]},
{"names":["getsid"],"action":"SCMP_ACT_ERRNO","errnoRet":43,"args":[{"index":0,"value":18446744069414584320,"valueTwo":9223372036854775808,"op":"SCMP_CMP_MASKED_EQ"}]}]}
`;

beforeAll(() => {
  if (!isRoot()) throw new Error('these tests run containers with runc and need root (CI runs as root)');
  requireTool('runc');
  requireTool('gcc');
  dir = mkdtempSync(join(tmpdir(), `syscribe-exact-runc-${process.pid}-`));
  probe = join(dir, 'argprobe');
  execFileSync('gcc', ['-O1', '-o', probe, join(root, 'test', 'fixtures', 'argprobe.c')]);
  // Outside any filter both calls fail with ESRCH (3): there is no such process.
  expect(spawnSync(probe, ['getpgid', '0xffffffffffffffff']).status).toBe(3);
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function verify(profile: string, ...cmd: string[]) {
  return await syscribe('verify', '--profile', profile, '--timeout', '30', '--', ...cmd);
}
/** The probe exits 3 (ESRCH) without a filter for these values: that is its normal outcome. */
async function verify3(profile: string, ...cmd: string[]) {
  return await syscribe('verify', '--profile', profile, '--timeout', '30', '--expect-exit', '3', '--', ...cmd);
}

describe('runc runs what syscribe writes, 64 bits exact', () => {
  let written: string;
  beforeAll(async () => {
    const input = join(dir, 'in.json');
    writeFileSync(input, INPUT);
    written = join(dir, 'merged.json');
    const m = await syscribe('merge', input, '-o', written);
    expect(m.code, m.err).toBe(0);
    const text = readFileSync(written, 'utf8');
    expect(text).toContain(`"value": ${U64_MAX}`);
    expect(text).toContain('"valueTwo": 9223372036854775808');
  });

  it('arg0 == 2^64-1: the rule fires for exactly that value', async () => {
    const hit = await verify3(written, probe, 'getpgid', '0xffffffffffffffff');
    expect(hit.code, hit.out + hit.err).toBe(1);
    expect(hit.out).toMatch(/^FAIL: exit status 42 under the profile, 3 without it/);
    const miss = await verify3(written, probe, 'getpgid', '0xfffffffffffffffe');
    expect(miss.code, miss.out + miss.err).toBe(0);
    expect(miss.out).toMatch(/^pass: .*argprobe getpgid 0xfffffffffffffffe exits 3 with and without/);
  });

  it('MASKED_EQ with a 64-bit mask and value: both halves compared', async () => {
    expect((await verify3(written, probe, 'getsid', '0x8000000012345678')).out).toMatch(/^FAIL: exit status 43 under the profile/);
    for (const v of ['0x8000000112345678', '0x0000000012345678']) {
      const r = await verify3(written, probe, 'getsid', v);
      expect(r.code, v + r.out + r.err).toBe(0);
    }
  });

  it('the installed copy is accepted by runc too', async () => {
    const kroot = join(dir, 'kubelet');
    const i = await syscribe('install', 'big', written, '--root', kroot);
    expect(i.code, i.err).toBe(0);
    const r = await verify3(join(kroot, 'profiles', 'big.json'), probe, 'getpgid', '0xffffffffffffffff');
    expect(r.out).toMatch(/^FAIL: exit status 42 under the profile, 3 without it/);
  });

  it('verify flattens a moby-format profile for --cap before runc sees it', async () => {
    const moby = join(dir, 'moby.json');
    writeFileSync(moby, JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
      syscalls: [
        { names: ['getpgid'], action: 'SCMP_ACT_ERRNO', errnoRet: 42, args: [], comment: '', includes: { caps: ['CAP_SYS_ADMIN'] }, excludes: {} },
        { names: ['getsid'], action: 'SCMP_ACT_ERRNO', errnoRet: 43, args: [], comment: '', includes: {}, excludes: { caps: ['CAP_SYS_ADMIN'] } },
      ],
    }));
    // Default caps (no CAP_SYS_ADMIN): only the getsid rule applies.
    const d1 = await verify(moby, probe, 'getpgid', '1');
    expect(d1.code, d1.out + d1.err).toBe(0);
    expect(d1.err).toMatch(/note: .*moby\.json: flattened a moby-format profile for x86_64, caps .*: 1 of 2 rules apply/);
    expect((await verify(moby, probe, 'getsid', '1')).out).toMatch(/^FAIL: exit status 43 under the profile/);
    // With CAP_SYS_ADMIN: the other way round.
    const a1 = await syscribe('verify', '--profile', moby, '--cap', 'CAP_SYS_ADMIN', '--timeout', '30', '--', probe, 'getpgid', '1');
    expect(a1.out).toMatch(/^FAIL: exit status 42 under the profile/);
    const a2 = await syscribe('verify', '--profile', moby, '--cap', 'CAP_SYS_ADMIN', '--timeout', '30', '--', probe, 'getsid', '1');
    expect(a2.code, a2.out + a2.err).toBe(0);
  });

  it("Docker's own default.json: verify flattens it and a real command runs under it in runc; install writes it flattened", async () => {
    const moby = join(root, 'src', 'data', 'upstream', 'moby-default.json');
    const cmd = ['sh', '-c', 'ls /usr | sort | head -3'];
    const v = await verify(moby, ...cmd);
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.err).toMatch(/note: .*moby-default\.json: flattened a moby-format profile for x86_64, .*: 15 of 33 rules apply/);
    const kroot = join(dir, 'kubelet-moby');
    const i = await syscribe('install', 'docker-default', moby, '--root', kroot);
    expect(i.code, i.err).toBe(0);
    const installed = join(kroot, 'profiles', 'docker-default.json');
    expect(readFileSync(installed, 'utf8')).not.toMatch(/includes|excludes|archMap/);
    const again = await verify(installed, ...cmd);
    expect(again.code, again.out + again.err).toBe(0);
  });
});
