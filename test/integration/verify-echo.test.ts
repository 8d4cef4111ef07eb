// verify on small programs with hand-built profiles: what the program needs (from a live strace of it on this
// host) + the runtime's measured post-filter set. Real runc and crun, real auditd. Needs root, runc, crun, strace, auditd.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';
import { runtimeBaseSyscalls } from '../../src/runtime/runtime-base.js';
import { logTwin, mayDeny, verifyProfile } from '../../src/runtime/verify.js';
import type { SeccompProfile } from '../../src/profile/types.js';

const root = join(__dirname, '..', '..');
let dir: string;

/** The syscalls CMD makes on this host, from strace -f (names as strace prints them; x86_64 names are libseccomp's). */
function needs(cmd: string[]): string[] {
  const log = join(dir, `strace-${Math.random().toString(16).slice(2)}.log`);
  const r = spawnSync('strace', ['-f', '-qq', '-o', log, ...cmd], { stdio: 'ignore', cwd: dir });
  expect(r.status, `strace ${cmd.join(' ')}`).toBe(0);
  const names = new Set<string>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

function profile(runtime: 'runc' | 'crun', cmdNeeds: string[], minus: string[] = []): SeccompProfile {
  const names = [...new Set([...cmdNeeds, ...runtimeBaseSyscalls(runtime)])].filter((n) => !minus.includes(n)).sort();
  for (const m of minus) expect(names).not.toContain(m);
  return { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] };
}

const cli = (args: string[]) => runCli(args, [], { cwd: dir });

function file(name: string, p: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(p));
  return f;
}

let ECHO: string[];
let UNAME: string[];

beforeAll(() => {
  if (!isRoot()) throw new Error('verify runs containers with runc/crun and needs root');
  for (const t of ['runc', 'crun', 'strace']) requireTool(t);
  requireTool('auditd');
  if (spawnSync('pgrep', ['-x', 'auditd']).status !== 0) spawnSync('auditd');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-verify-echo-'));
  ECHO = needs(['/bin/echo', 'hi']);
  UNAME = needs(['sh', '-c', 'uname -n; exit 0']);
  expect(ECHO).toContain('write');
  expect(UNAME).toContain('uname');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each([['runc' as const], ['crun' as const]])('verify /bin/echo hi in %s', (runtime) => {
  it('passes with echo\'s calls + the runtime base (API), same stdout', async () => {
    const r = await verifyProfile({ profile: profile(runtime, ECHO), cmd: ['/bin/echo', 'hi'], cwd: dir, runtime, compareOutput: true });
    expect(r.pass, `${r.reason} ${r.confined.stderr}`).toBe(true);
    expect(r.confined.stdout).toBe('hi');
    expect(r.unconfined.exitCode).toBe(0);
    expect(r.version).toMatch(new RegExp(`^${runtime} \\d`));
  });

  it('without write: exit 1 and names write (CLI)', async () => {
    // The runtime itself writes after installing the filter (runc to its exec fifo; crun, with noNewPrivileges
    // false, to its sync pipe: write is in both bases), so the container may fail before echo runs. Either way:
    // a finding, named.
    const p = file(`${runtime}-no-write.json`, profile(runtime, ECHO, ['write']));
    const r = await cli(['verify', '--runtime', runtime, '--profile', p, '--', '/bin/echo', 'hi']);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(new RegExp(`^FAIL: (exit status 1 under the profile, 0 without it|${runtime} failed under the profile: )`));
    expect(r.out).toMatch(/^denied syscalls: write$/m);
  });

  it('without mprotect (only the program needs it): exit 127 and names mprotect (CLI)', async () => {
    const p = file(`${runtime}-no-mprotect.json`, profile(runtime, ECHO, ['mprotect']));
    const r = await cli(['verify', '--runtime', runtime, '--profile', p, '--', '/bin/echo', 'hi']);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/^FAIL: exit status 127 under the profile, 0 without it/);
    expect(r.out).toMatch(/^denied syscalls: mprotect$/m);
  });

  it('passes via the CLI, exit 0', async () => {
    const p = file(`${runtime}-ok.json`, profile(runtime, ECHO));
    const r = await cli(['verify', '--runtime', runtime, '--profile', p, '--', '/bin/echo', 'hi']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^pass: \/bin\/echo hi exits 0 with and without/);
  });

  it('without the runtime\'s own execve the container never starts; named', async () => {
    const r = await verifyProfile({ profile: profile(runtime, ECHO, ['execve']), cmd: ['/bin/echo', 'hi'], cwd: dir, runtime });
    expect(r.pass).toBe(false);
    expect(r.denied).toEqual(['execve']);
  });

  it('--compare-output catches a change the exit status hides, and names the call', async () => {
    const cmd = ['sh', '-c', 'uname -n; exit 0'];
    const p = profile(runtime, UNAME, ['uname']);
    const loose = await verifyProfile({ profile: p, cmd, cwd: dir, runtime });
    expect(loose.pass).toBe(true); // same exit status: uname's failure does not show
    const strict = await verifyProfile({ profile: p, cmd, cwd: dir, runtime, compareOutput: true });
    expect(strict.pass).toBe(false);
    expect(strict.reason).toMatch(/^stdout differs under the profile \(line 1: "syscribe" without the profile, "" with it\)/);
    expect(strict.denied).toEqual(['uname']);
  });
});

describe('verify under runc: the runtime base is needed', () => {
  it('without getdents64 (runc closes its fds by reading /proc/self/fd after the filter) runc init fails; named', async () => {
    const r = await verifyProfile({ profile: profile('runc', ECHO, ['getdents64']), cmd: ['/bin/echo', 'hi'], cwd: dir, runtime: 'runc' });
    expect(r.pass).toBe(false);
    expect(r.confined.stderr).toMatch(/readdirent \/proc\/self\/fd: operation not permitted/);
    expect(r.denied).toEqual(['getdents64']);
  });
});

describe('verify: cannot run (exit 2)', () => {
  it('a missing profile file', async () => {
    const r = await cli(['verify', '--profile', join(dir, 'missing.json'), '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no such file/i);
  });

  it('an invalid profile', async () => {
    const p = file('invalid.json', { syscalls: [] });
    const r = await cli(['verify', '--profile', p, '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/defaultAction/);
  });

  it('no command', async () => {
    const p = file('ok-any.json', { defaultAction: 'SCMP_ACT_ALLOW' });
    const r = await cli(['verify', '--profile', p]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/name the command after --/);
  });

  it.each([['runc' as const], ['crun' as const]])('a command that does not exist, in %s: cannot verify', async (runtime) => {
    const r = await verifyProfile({ profile: { defaultAction: 'SCMP_ACT_ALLOW' }, cmd: ['/nonexistent/prog'], cwd: dir, runtime });
    expect(r.verdict).toBe('cannot-verify');
    expect(r.pass).toBe(false);
    expect(r.confined).toBeUndefined(); // not run under the profile at all
    expect(r.reason).toMatch(new RegExp(`^${runtime} could not run /nonexistent/prog even without a profile: .*(no such file|not found)`, 'i'));
  });

  it('a program that does not finish in time without the profile: cannot verify', async () => {
    const r = await verifyProfile({ profile: { defaultAction: 'SCMP_ACT_ALLOW' }, cmd: ['sleep', '30'], cwd: dir, timeoutSec: 1 });
    expect(r.verdict).toBe('cannot-verify');
    expect(r.reason).toMatch(/^sleep 30 did not finish within 1s even without the profile/);
  });
});

describe('verify: a hang under the profile is a finding', () => {
  it('times out under the profile (not without it), the container is gone, and the call is named', async () => {
    // /tmp is a fresh tmpfs in every run: mkdir succeeds at once, unless it is denied; then the loop never ends.
    const p = profile('runc', needs(['sh', '-c', `until mkdir ${join(dir, 'd')} 2>/dev/null; do :; done`]), ['mkdir', 'mkdirat']);
    const r = await verifyProfile({ profile: p, cmd: ['sh', '-c', 'until mkdir /tmp/d 2>/dev/null; do :; done'], cwd: dir, timeoutSec: 2 });
    expect(r.pass).toBe(false);
    expect(r.reason).toBe('timed out after 2s under the profile (exits 0 without it)');
    expect(r.confined.timedOut).toBe(true);
    expect(r.denied).toContain('mkdir');
    const left = spawnSync('runc', ['list', '-q'], { encoding: 'utf8' }).stdout.split('\n').filter((id) => id.startsWith(`syscribe-${process.pid}-`));
    expect(left).toEqual([]);
  }, 30_000);
});

describe('logTwin and mayDeny (pure)', () => {
  const P: SeccompProfile = {
    defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, flags: ['SECCOMP_FILTER_FLAG_LOG'],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    ],
  };

  it('turns every denial into SCMP_ACT_LOG and drops what only denials use', () => {
    expect(logTwin(P)).toEqual({
      defaultAction: 'SCMP_ACT_LOG',
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
        { names: ['ptrace'], action: 'SCMP_ACT_LOG' },
        { names: ['kill'], action: 'SCMP_ACT_LOG' },
      ],
    });
    expect(logTwin({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] }))
      .toEqual({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_LOG' }] });
  });

  it('mayDeny: only what P lets through unconditionally is never its denial', () => {
    const d = mayDeny(P);
    expect(d('read')).toBe(false);
    expect(d('personality')).toBe(true); // conditional
    expect(d('ptrace')).toBe(true);
    expect(d('openat')).toBe(true); // default
    const a = mayDeny({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] });
    expect(a('mount')).toBe(true);
    expect(a('openat')).toBe(false);
  });
});
