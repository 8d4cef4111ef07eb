// record --in-container: real strace around real runc and crun runs (root). Proves what the filter
// sees in the container differs from a host recording, that the runtime's late calls are in and its
// earlier ones are not, and that the profiles start in the privilege mode they were recorded in.
// record is spawned (spawnCli): the recorded program's stdin, stdout and exit status are syscribe's
// own process's (checked), and SIGTERM stops it; the usage refusals run in-process (runCli).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';
import { makeBundle, runBundle } from '../../src/runtime/bundle.js';
import { verifyProfile } from '../../src/runtime/verify.js';
import type { SeccompProfile } from '../../src/profile/types.js';

const SH = ['sh', '-c', 'cd /tmp && pwd; ls / | sort | head -1'];
let dir: string;
let other: string;

async function syscribe(args: string[], input?: string) {
  // PWD as a login shell would set it: dash then trusts it on the host and calls no getcwd there.
  const r = await spawnCli(args, { cwd: dir, env: { PWD: dir }, stdin: input ?? '', timeout: 120_000 });
  return { code: r.exitCode ?? null, out: r.stdout, err: r.stderr };
}

const load = (f: string): SeccompProfile => JSON.parse(readFileSync(f, 'utf8'));
function names(f: string): Set<string> {
  return new Set(load(f).syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
}

/** Record CMD in the container; fails the test unless syscribe exits `code`. */
async function recordIn(name: string, extra: string[], cmd = SH, code = 0) {
  const out = join(dir, `${name}.json`);
  const r = await syscribe(['record', '--in-container', '--baseline', 'none', ...extra, '-o', out, '--', ...cmd]);
  expect(r.code, r.err).toBe(code);
  return { ...r, file: out, names: names(out) };
}

beforeAll(() => {
  if (!isRoot()) throw new Error('record --in-container runs containers with runc/crun and needs root (CI runs as root)');
  requireTool('strace');
  requireTool('runc');
  requireTool('crun');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-incontainer-'));
  other = mkdtempSync(join(tmpdir(), 'syscribe-incontainer-other-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (other) rmSync(other, { recursive: true, force: true });
});

describe('record --in-container', () => {
  it('(1) sees the getcwd dash makes only in the container; a host recording misses it and the profile then breaks sh there', async () => {
    const host = join(dir, 'host.json');
    const h = await syscribe(['record', '--baseline', 'none', '--runtime', 'none', '-o', host, '--', ...SH]);
    expect(h.code, h.err).toBe(0);
    expect(h.out).toBe('/tmp\nbin\n');
    // noNewPrivileges true: runc itself calls no getcwd after the install, so any getcwd is the program's.
    const ic = await recordIn('nnp-true-sh', ['--no-new-privileges', '--runtime', 'runc']);
    expect(ic.out).toBe('/tmp\nbin\n');
    const hostNames = names(host);
    const onlyInContainer = [...ic.names].filter((n) => !hostNames.has(n)).sort();
    expect(hostNames.has('getcwd')).toBe(false);
    expect(onlyInContainer).toContain('getcwd');
    // What else differs here: runc's own calls between the install and the execve (measured: epoll_ctl, fstatfs).
    for (const n of onlyInContainer) expect(['getcwd', 'epoll_ctl', 'fstatfs', 'futex', 'getpid', 'write', 'close', 'openat', 'getdents64', 'execve']).toContain(n);

    // The consequence the issue reports: without getcwd, sh complains in the container; with the recorded profile it does not.
    const withoutGetcwd = load(ic.file);
    for (const r of withoutGetcwd.syscalls!) r.names = r.names.filter((n) => n !== 'getcwd');
    for (const [profile, complains] of [[withoutGetcwd, true], [load(ic.file), false]] as const) {
      const b = await makeBundle({ args: SH, cwd: dir, seccomp: profile, noNewPrivileges: true });
      try {
        const r = await runBundle(b, 'runc');
        expect(r.runtimeError).toBeUndefined();
        expect(r.stdout.trim()).toBe('/tmp\nbin');
        expect(r.stderr.includes('getcwd() failed: Operation not permitted'), r.stderr).toBe(complains);
      } finally {
        await b.remove();
      }
    }
  });

  it('(2)(3)(4) noNewPrivileges false (the default): runc\'s late calls are in, its set-up calls are not, and the profile starts in that mode', async () => {
    const r = await recordIn('nnp-false', ['--runtime', 'runc', '--verify']);
    expect(r.out).toBe('/tmp\nbin\n');
    expect(r.err).toMatch(/recorded in the container: runc \S+ .*noNewPrivileges false; cut at prctl\(PR_SET_SECCOMP, SECCOMP_MODE_FILTER/);
    expect(r.err).toMatch(/verify: pass in runc .*noNewPrivileges false \(exit 0 with and without the profile\)/);
    expect(r.err).toMatch(/runtime: none/); // nothing added from a measured set: these calls were recorded
    // runc 1.1.5's calls between the install and the execve (../shared/notes/runc-after-filter.md)
    for (const n of ['capget', 'capset', 'setuid', 'setgid', 'setgroups', 'prctl', 'chdir', 'getcwd', 'faccessat2', 'fcntl', 'fstat', 'fstatfs', 'epoll_ctl', 'execve']) expect(r.names).toContain(n);
    // (3) what runc does before the install (namespaces, mounts, root, hostname) and its other processes' calls
    for (const n of ['mount', 'umount2', 'pivot_root', 'sethostname', 'unshare', 'setns', 'mknodat', 'symlinkat', 'seccomp', 'nanosleep', 'epoll_pwait', 'waitid', 'sched_yield']) expect(r.names).not.toContain(n);
  });

  it('(2) --no-new-privileges: a smaller set that starts in that mode, and not with noNewPrivileges false', async () => {
    const f = await recordIn('nnp-false-2', ['--runtime', 'runc']);
    const t = await recordIn('nnp-true', ['--runtime', 'runc', '--no-new-privileges', '--verify']);
    expect(t.err).toMatch(/verify: pass in runc .*noNewPrivileges true/);
    for (const n of ['capget', 'capset', 'setuid', 'setgid', 'setgroups', 'prctl', 'faccessat2', 'fcntl']) expect(t.names).not.toContain(n);
    expect([...t.names].filter((n) => !f.names.has(n))).toEqual([]);
    expect(t.names.size).toBeLessThan(f.names.size);
    // The privilege mode matters: the smaller profile does not start a container with noNewPrivileges false.
    const v = await verifyProfile({ profile: load(t.file), cmd: SH, cwd: dir, runtime: 'runc', noNewPrivileges: false });
    expect(v.pass).toBe(false);
    expect(v.reason).toMatch(/runc failed under the profile|exit status/);
  });

  it('(4) crun: its install is seccomp(SECCOMP_SET_MODE_FILTER, …) and the recorded profile starts under crun', async () => {
    const r = await recordIn('crun', ['--runtime', 'crun', '--verify']);
    expect(r.out).toBe('/tmp\nbin\n');
    expect(r.err).toMatch(/recorded in the container: crun \S+ .*cut at seccomp\(SECCOMP_SET_MODE_FILTER/);
    expect(r.err).toMatch(/verify: pass in crun .*noNewPrivileges false/);
    for (const n of ['prctl', 'setresuid', 'setresgid', 'capset', 'getcwd']) expect(r.names).toContain(n);
    for (const n of ['mount', 'pivot_root', 'sethostname', 'seccomp', 'clone3']) expect(r.names).not.toContain(n);
  });

  it('keeps the program\'s stdin, stdout and exit status', async () => {
    const out = join(dir, 'exit.json');
    const r = await syscribe(['record', '--in-container', '--baseline', 'none', '-o', out, '--', 'sh', '-c', 'read a; echo "got $a"; exit 3'], 'hello\n');
    expect(r.code, r.err).toBe(3);
    expect(r.out).toBe('got hello\n');
    // the default --runtime any: recorded in runc, and the measured sets of runc and crun added for other runtimes/releases
    expect(r.err).toMatch(/recorded in the container: runc /);
    expect(r.err).toMatch(/measured sets of every runtime \(--runtime any\) were added/);
    expect(r.err).toMatch(/^runtime: runc and crun/m);
    expect(names(out)).toContain('read');
  });

  it('SIGTERM to syscribe stops the container as docker stop does (the signal to its pid 1) and still writes the profile', async () => {
    const out = join(dir, 'term.json');
    const child = spawnCli(['record', '--in-container', '--runtime', 'runc', '--baseline', 'none', '-o', out, '--', 'sh', '-c', 'trap "echo stopping; exit 5" TERM; sleep 60 & echo started; wait'], { cwd: dir });
    let stdout = '';
    const started = Date.now();
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('started')) resolve();
    }));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stdout).toBe('started\nstopping\n');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(names(out)).toContain('clone'); // the background sleep
    expect(names(out)).toContain('rt_sigreturn'); // sh's TERM trap ran
  });

  it('says why it cannot record: a program the container does not have, --pid, bpftrace', async () => {
    const prog = join(other, 'prog');
    writeFileSync(prog, '#!/bin/sh\nexit 0\n');
    chmodSync(prog, 0o755);
    const out = join(dir, 'missing.json');
    const m = await syscribe(['record', '--in-container', '-o', out, '--', prog]);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/^syscribe: runc (could not run|failed to start) .*prog/m);
    expect(m.err.trim().split('\n').filter((l) => l.startsWith('syscribe:'))).toHaveLength(1);
    // a control character in the name reaches the terminal escaped
    const esc = join(other, 'pr\x1b[2Jog');
    writeFileSync(esc, '#!/bin/sh\nexit 0\n');
    chmodSync(esc, 0o755);
    const e = await syscribe(['record', '--in-container', '-o', out, '--', esc]);
    expect(e.code).toBe(2);
    // (runc's own message before it is the container's stderr, passed through as it is)
    const line = e.err.split('\n').find((l) => l.startsWith('syscribe:'))!;
    expect(line).not.toContain('\x1b');
    expect(line).toContain('pr\\x1b[2Jog');
    expect((await runCli(['record', '--in-container', '--pid', '1', '-o', out])).code).toBe(2);
    expect((await runCli(['record', '--in-container', '--backend', 'bpftrace', '-o', out, '--', 'true'])).code).toBe(2);
    expect(() => readFileSync(out)).toThrow();
  });
});
