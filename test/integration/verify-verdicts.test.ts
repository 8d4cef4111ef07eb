// verify's three verdicts for a command that runs to its end: pass (0), FAIL (1), cannot verify (2) — a command
// that fails without the profile proves nothing about the profile. Real runc, real auditd. Needs root, runc, auditd.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';
import { runtimeBaseSyscalls } from '../../src/runtime/runtime-base.js';
import { markLog, recordsSince, writeSentinel } from '../../src/runtime/denials.js';

const root = join(__dirname, '..', '..');
let dir: string;
let allowAll: string;
/** Everything allowed but uname (ERRNO): `uname` fails under it, sh goes on. */
let noUname: string;

const cli = (...args: string[]) => runCli(args, [], { cwd: dir });

function file(name: string, p: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(p));
  return f;
}

beforeAll(() => {
  if (!isRoot()) throw new Error('verify runs containers with runc and needs root');
  requireTool('runc');
  requireTool('auditd');
  if (spawnSync('pgrep', ['-x', 'auditd']).status !== 0) spawnSync('auditd');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-verify-verdicts-'));
  allowAll = file('allow.json', { defaultAction: 'SCMP_ACT_ALLOW' });
  noUname = file('no-uname.json', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['uname'], action: 'SCMP_ACT_ERRNO' }] });
  expect(runtimeBaseSyscalls('runc')).not.toContain('uname');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a command that fails without the profile: cannot verify (exit 2), never pass', () => {
  it('sh -c "exit 3" under an allow-all profile: same exit both ways, and still not a pass', async () => {
    const r = await cli('verify', '--profile', allowAll, '--', 'sh', '-c', 'echo "no config here" >&2; exit 3');
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/^cannot verify: the command fails without the profile too: exit status 3 \(runc /);
    expect(r.out).toMatch(/^stderr without the profile \(first lines\):\n {2}no config here$/m);
    expect(r.out).not.toMatch(/^pass/m);
  });

  it('also when it fails differently under the profile: the profile is not blamed', async () => {
    const r = await cli('verify', '--profile', noUname, '--', 'sh', '-c', 'uname -n || exit 7; exit 3');
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/^cannot verify: the command fails without the profile too: exit status 3/);
    expect(r.out).not.toMatch(/denied syscalls/);
  });

  it('the command\'s stderr reaches the terminal with control characters escaped', async () => {
    const r = await cli('verify', '--profile', allowAll, '--', 'sh', '-c', 'printf "\\033[2J\\033]0;pwned\\007bad\\n" >&2; exit 1');
    expect(r.code).toBe(2);
    expect(r.out).toContain('  \\x1b[2J\\x1b]0;pwned\\x07bad');
    expect(r.out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/); // eslint-disable-line no-control-regex
  });

  it('a command that says why on stdout only: its stdout is shown instead', async () => {
    const r = await cli('verify', '--profile', allowAll, '--', 'sh', '-c', 'echo "usage: app CONFIG"; exit 64');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^stdout without the profile \(first lines; stderr was empty\):\n {2}usage: app CONFIG$/m);
  });

  it('a command that cannot start without the profile: cannot verify, with the runtime\'s words', async () => {
    const r = await cli('verify', '--profile', allowAll, '--', '/nonexistent/prog');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^cannot verify: runc could not run \/nonexistent\/prog even without a profile: .*no such file/);
  });

  it('--json: verdict cannot-verify, no confined run, the stderr lines', async () => {
    const r = await cli('verify', '--json', '--profile', allowAll, '--', 'sh', '-c', 'echo oops >&2; exit 3');
    expect(r.code).toBe(2);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ verdict: 'cannot-verify', reason: 'the command fails without the profile too: exit status 3', runtime: 'runc', confined: null, denied: [] });
    expect(j.unconfined).toMatchObject({ exitCode: 3, stderr: ['oops'] });
  });
});

describe('--expect-exit N: a command whose expected outcome is a non-zero status', () => {
  it('grep -q that finds nothing exits 1 with and without the profile: pass', async () => {
    const r = await cli('verify', '--expect-exit', '1', '--profile', allowAll, '--', 'grep', '-q', 'no-such-line', '/etc/hostname');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^pass: grep -q no-such-line \/etc\/hostname exits 1 with and without/);
  });

  it('a different status under the profile is a FAIL that names the call', async () => {
    const r = await cli('verify', '--expect-exit', '3', '--profile', noUname, '--', 'sh', '-c', 'uname -n >/dev/null || exit 7; exit 3');
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/^FAIL: exit status 7 under the profile, 3 without it/);
    expect(r.out, r.err).toMatch(/^denied syscalls: uname$/m);
  });

  it('a status other than the expected one without the profile: cannot verify', async () => {
    const r = await cli('verify', '--expect-exit', '1', '--profile', allowAll, '--', 'true');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^cannot verify: the command fails without the profile too: exit status 0, expected 1 \(--expect-exit\)/);
  });

  it('--json on a pass and a fail', async () => {
    const ok = JSON.parse((await cli('verify', '--json', '--profile', allowAll, '--', 'true')).out);
    expect(ok).toMatchObject({ verdict: 'pass', reason: null, denied: [], unconfined: { exitCode: 0 }, confined: { exitCode: 0 } });
    const bad = await cli('verify', '--json', '--profile', noUname, '--', 'sh', '-c', 'uname -n >/dev/null');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ verdict: 'fail', denied: ['uname'], confined: { exitCode: 1 } });
  });
});

describe('usage errors', () => {
  it.each([
    [['--probe', 'true'], /--probe needs a server that gets ready/],
    [['--ready-port', '0'], /--ready-port 0: a TCP port/],
    [['--ready-port', '80', '--ready-cmd', 'true'], /exclude each other/],
    [['--ready-port', '80', '--probe', 'curl http://x/ | head'], /'\|' is shell syntax/],
    [['--ready-port', '80', '--expect-exit', '1'], /--expect-exit is for commands/],
    [['--expect-exit', '300'], /--expect-exit 300: an exit status 0-255/],
  ])('%j', async (flags, re) => {
    const r = await cli('verify', '--profile', allowAll, ...flags, '--', 'true');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(re);
  });
});

describe('reading denials: a sentinel record instead of a guess at auditd\'s delay', () => {
  it('auditctl -m puts a marker in the audit log; recordsSince returns once it is read', async () => {
    const mark = await markLog();
    expect(mark.source).toBe('audit');
    const s = await writeSentinel(mark);
    expect(s).toMatch(/^syscribe-sentinel-\d+-/);
    const got = await recordsSince(mark, () => true, { sentinel: s!, maxMs: 15_000 });
    expect(got.sentinelSeen).toBe(true);
  });
});

describe('--no-new-privileges: verify in the privilege mode the profile was made for', () => {
  it('a --no-new-privileges profile fails in the default bundle (noNewPrivileges false, as docker/podman/Kubernetes) and passes with --no-new-privileges', async () => {
    requireTool('strace');
    const log = join(dir, 'echo.strace');
    expect(spawnSync('strace', ['-f', '-qq', '-o', log, '/bin/echo', 'hi'], { stdio: 'ignore' }).status).toBe(0);
    const nnp = join(dir, 'echo-nnp.json');
    const g = await cli('strace', log, '--baseline', 'none', '--runtime', 'runc', '--no-new-privileges', '-o', nnp);
    expect(g.code, g.err).toBe(0);
    const def = await cli('verify', '--profile', nnp, '--', '/bin/echo', 'hi');
    expect(def.code, def.out + def.err).toBe(1);
    expect(def.out).toMatch(/^FAIL: runc failed under the profile: /);
    expect(def.out).toMatch(/^denied syscalls: .*\bcapset\b/m); // runc's own calls after the filter when it keeps privileges
    const strict = await cli('verify', '--no-new-privileges', '--json', '--profile', nnp, '--', '/bin/echo', 'hi');
    expect(strict.code, strict.out + strict.err).toBe(0);
    expect(JSON.parse(strict.out)).toMatchObject({ verdict: 'pass', noNewPrivileges: true });
  });
});

describe('record --verify', () => {
  it('a recorded command that fails is "cannot verify" (exit 2), not a pass', async () => {
    requireTool('strace');
    const r = await cli('record', '--baseline', 'none', '--verify', '-o', join(dir, 'rec-exit3.json'), '--', 'sh', '-c', 'exit 3');
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.err).toMatch(/^verify: cannot verify: the command fails without the profile too: exit status 3$/m);
  });
});
