// The strace and record commands end to end, with the installed strace and bpftrace.
// In-process (runCli), except where the recorded command's own stdout and exit status are checked:
// they pass through syscribe's process (spawnCli).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

let dir: string;

beforeAll(() => {
  requireTool('strace');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(args);
const allowNames = (file: string): string[] =>
  JSON.parse(readFileSync(file, 'utf8')).syscalls.filter((r: { action: string; args?: unknown[] }) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r: { names: string[] }) => r.names).sort();

/** The syscall names of a plain `strace -f -o` log, by a deliberately simple independent reading. */
function namesInLog(log: string): string[] {
  const s = new Set<string>();
  for (const l of readFileSync(log, 'utf8').split('\n')) {
    const m = /^\d+ +([a-z0-9_]+)\(/.exec(l) ?? /^\d+ +<\.\.\. ([a-z0-9_]+) resumed>/.exec(l);
    if (m) s.add(m[1]!);
  }
  return [...s].sort();
}

describe('syscribe strace', () => {
  it('contract: --baseline none --runtime none allows exactly the syscalls in the log', async () => {
    const log = join(dir, 'sh.strace');
    execFileSync('strace', ['-f', '-o', log, 'sh', '-c', 'ls / | wc -l'], { stdio: 'ignore' });
    const out = join(dir, 'exact.json');
    const r = await run('strace', log, '--baseline', 'none', '--runtime', 'none', '-o', out);
    expect(r.code).toBe(0);
    expect(allowNames(out)).toEqual(namesInLog(log));
    expect(JSON.parse(readFileSync(out, 'utf8')).architectures).toEqual(['SCMP_ARCH_X86_64']);
    expect(r.err).toMatch(/lines: \d+ parsed, \d+ ignored, 0 malformed/);
    // Atomic write leaves no temp file behind; the same input gives the same bytes.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = join(dir, 'again.json');
    await run('strace', log, '--baseline', 'none', '--runtime', 'none', '-o', again);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('reports malformed lines with line numbers and unknown numbers, never fatal', async () => {
    const log = join(dir, 'bad.strace');
    writeFileSync(log, '1234  openat(AT_FDCWD, "/x", O_RDONLY) = 3\n1234  read(3, "abc", 3) = 3\n1234  ???garbage(\n1234  syscall_0x3e7(0) = -1 ENOSYS (Function not implemented)\n1234  +++ exited with 0 +++\n');
    const r = await run('strace', log, '--baseline', 'none', '--runtime', 'none', '--json', '-o', join(dir, 'bad.json'));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.lines).toEqual({ parsed: 3, ignored: 1, malformed: 1 });
    expect(j.malformed[0].line).toBe(3);
    expect(j.unknown).toEqual([{ arch: 'x86_64', nr: 999, count: 1 }]);
    expect(j.allowed).toEqual(['openat', 'read']);
  });

  it('usage and input errors: exit 2, one line', async () => {
    expect((await run('strace', join(dir, 'nope.log'))).code).toBe(2);
    const j = await run('strace', join(dir, 'bad.strace'), '--json');
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/needs -o/);
    const c = await run('strace', join(dir, 'bad.strace'), '--format', 'crd');
    expect(c.err).toMatch(/--name/);
    expect((await run('strace', join(dir, 'bad.strace'), '--baselin', 'none')).err).toMatch(/did you mean --baseline/);
  });

  it('CRD output is a SeccompProfile', async () => {
    const r = await run('strace', join(dir, 'sh.strace'), '--format', 'crd', '--name', 'sh-demo', '--crd-version', 'v1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^apiVersion: security-profiles-operator.x-k8s.io\/v1\nkind: SeccompProfile\nmetadata:\n  name: sh-demo\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n/);
  });
});

describe('syscribe record', () => {
  it('strace backend: CMD output and exit status pass through; the profile has its calls', async () => {
    const out = join(dir, 'rec.json');
    const r = await spawnCli(['record', '--baseline', 'none', '--runtime', 'none', '-o', out, '--', 'sh', '-c', 'echo hello; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('hello\n');
    const names = allowNames(out);
    for (const n of ['execve', 'write', 'exit_group']) expect(names).toContain(n);
  });

  it('--verify proves the profile in runc and --install puts it under the seccomp root', async () => {
    if (!isRoot()) throw new Error('runc needs root (CI runs as root)');
    requireTool('runc');
    const out = join(dir, 'echo.json');
    const kroot = join(dir, 'kubelet-seccomp');
    const r = await runCli(['record', '--verify', '--install', 'echo-demo', '--root', kroot, '-o', out, '--', '/bin/echo', 'hi'], [], { cwd: dir });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/verify: pass/);
    expect(r.err).toMatch(/localhostProfile: profiles\/echo-demo.json/);
    expect(readFileSync(join(kroot, 'profiles', 'echo-demo.json'), 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('refuses a missing command with a clear message', async () => {
    const r = await run('record', '-o', join(dir, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/name a command after --/);
  });

  it('bpftrace backend finds the same syscall set as the strace backend', async () => {
    if (!isRoot()) throw new Error('the bpftrace backend test needs root (CI runs as root)');
    requireTool('bpftrace');
    const a = join(dir, 'ls-strace.json');
    const b = join(dir, 'ls-bpf.json');
    expect((await run('record', '--backend', 'strace', '--baseline', 'none', '--runtime', 'none', '-o', a, '--', 'ls', '/')).code).toBe(0);
    const rb = await run('record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', b, '--', 'ls', '/');
    expect(rb.code, rb.err).toBe(0);
    expect(allowNames(b)).toEqual(allowNames(a));
  });

  it('bpftrace backend files 32-bit calls under x86', async () => {
    requireTool('gcc');
    const src = join(dir, 'h.c');
    writeFileSync(src, '#include <stdio.h>\nint main(void){puts("hi32");return 0;}\n');
    execFileSync('gcc', ['-m32', '-static', src, '-o', join(dir, 'h32')]);
    const out = join(dir, 'h32.json');
    const r = await spawnCli(['record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', out, '--', join(dir, 'h32')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('hi32\n');
    expect(r.stderr).toMatch(/observed: x86 \d+ syscalls/);
    expect(JSON.parse(readFileSync(out, 'utf8')).architectures).toEqual(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    expect(allowNames(out)).toContain('set_thread_area');
  });
});
