// `syscribe audit` end to end on the real fixtures (test/fixtures/audit/README.md), in process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { safeFileName } from '../../src/app/audit.js';
import { containerIdFromCgroup, startTimeFromStat } from '../../src/ingest/container.js';
import { runCli } from '../helpers/cli.js';

const FIX = new URL('../fixtures/audit/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'syscribe-audit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `syscribe audit ARGS` in-process; a non-zero exit throws its error line (without `syscribe: `). */
async function run(args: string[]): Promise<void> {
  const r = await runCli(['audit', ...args]);
  if (r.code !== 0) throw new Error(`${r.err.replace(/^syscribe: /, '')} (exit ${r.code})`);
}

function allowed(file: string): { names: string[]; arches: string[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { architectures: string[]; syscalls: Array<{ names: string[]; action: string }> };
  return { names: p.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names).sort(), arches: [...p.architectures].sort() };
}

const NONE = ['--baseline', 'none', '--runtime', 'none'];
const ALL = ['close', 'exit_group', 'getpid', 'getuid', 'ioctl', 'listns', 'newfstatat', 'openat', 'read', 'write'];

describe('syscribe audit FILE…', () => {
  test('contract: ALLOW names are exactly the distinct syscalls, arches cover every arch seen', async () => {
    const out = join(dir, 'dmesg.json');
    await run([join(FIX, 'dmesg.log'), ...NONE, '-o', out]);
    expect(allowed(out)).toEqual({ names: ALL, arches: ['SCMP_ARCH_X32', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64'] });
  });

  test('several files of different forms, one gzipped', async () => {
    const gz = join(dir, 'ausearch-i.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(FIX, 'ausearch-i.log'))));
    const out = join(dir, 'mixed.json');
    await run([join(FIX, 'journald-json.log'), gz, join(FIX, 'syslog.log'), ...NONE, '-o', out]);
    expect(allowed(out).names).toEqual(['close', 'exit_group', 'getpid', 'getuid', 'listns', 'newfstatat', 'openat', 'read', 'write']);
  });

  test('filters: --comm, --pid, --action, --since/--until', async () => {
    const f = join(FIX, 'auditd-enriched.log');
    const o1 = join(dir, 'comm.json');
    await run([f, ...NONE, '--comm', 'my app', '-o', o1]);
    expect(allowed(o1)).toEqual({ names: ['close', 'exit_group', 'getpid', 'listns', 'openat', 'read'], arches: ['SCMP_ARCH_X86_64'] });
    const o2 = join(dir, 'pid.json');
    await run([f, ...NONE, '--pid', '7299', '-o', o2]);
    expect(allowed(o2)).toEqual({ names: ['close', 'exit_group', 'getpid', 'openat', 'read'], arches: ['SCMP_ARCH_X86'] });
    const o3 = join(dir, 'errno.json');
    await run([f, ...NONE, '--action', 'errno', '-o', o3]);
    expect(allowed(o3).names).toEqual(['getuid']);
    const o4 = join(dir, 'time.json');
    // serials 1097..1103 (sc-logtest) are at .593; "my app" at .597
    await run([f, ...NONE, '--since', '1795419507.597', '--exe', '/tmp/my app', '-o', o4]);
    expect(allowed(o4).names).toEqual(['close', 'exit_group', 'getpid', 'listns', 'openat', 'read']);
    const o5 = join(dir, 'until.json');
    // Nothing passes both: observed nothing is a finding (no profile) unless --allow-empty.
    await expect(run([f, ...NONE, '--until', '2026-11-23T07:38:27.594Z', '--comm', 'my app', '-o', o5])).rejects.toThrow(/^observed nothing: /);
    await run([f, ...NONE, '--until', '2026-11-23T07:38:27.594Z', '--comm', 'my app', '--allow-empty', '-o', o5]);
    expect(allowed(o5).names).toEqual([]);
  });

  test('container attribution from a proc root: --container prefix and --split-by container', async () => {
    const proc = join(dir, 'proc');
    const C1 = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
    const C2 = 'c'.repeat(64);
    const mk = (pid: number, cgroup: string) => {
      mkdirSync(join(proc, String(pid)), { recursive: true });
      writeFileSync(join(proc, String(pid), 'stat'), `${pid} (x y) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 56789 1 1 1 1 1\n`);
      writeFileSync(join(proc, String(pid), 'cgroup'), cgroup);
    };
    mk(7296, `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${C1}.scope\n`);
    mk(7299, `12:pids:/docker/${C2}\n11:memory:/docker/${C2}\n`);
    mk(7300, '0::/user.slice/user-0.slice/session-4.scope\n');
    const f = join(FIX, 'auditd-enriched.log');
    const o1 = join(dir, 'c1.json');
    await run([f, ...NONE, '--proc-root', proc, '--container', C1.slice(0, 12), '-o', o1]);
    expect(allowed(o1).names).toEqual(['close', 'exit_group', 'getpid', 'listns', 'openat', 'read']);
    const out = join(dir, 'split');
    await run([f, ...NONE, '--proc-root', proc, '--split-by', 'container', '-o', out]);
    expect(readdirSync(out).sort()).toEqual([`${C1}.json`, `${C2}.json`, 'no-container.json']);
    expect(allowed(join(out, `${C2}.json`))).toEqual({ names: ['close', 'exit_group', 'getpid', 'openat', 'read'], arches: ['SCMP_ARCH_X86'] });
  });

  test('--split-by exe: file names never escape the directory', async () => {
    const out = join(dir, 'split-exe');
    await run([join(FIX, 'auditd-enriched.log'), ...NONE, '--split-by', 'exe', '-o', out]);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(5);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9._-]+\.json$/);
    expect(safeFileName('../../etc/passwd', 'json')).not.toContain('/');
    expect(safeFileName('..', 'json').startsWith('.')).toBe(false);
  });

  test('clear errors', async () => {
    await expect(run([join(dir, 'nope.log'), '-o', join(dir, 'x.json')])).rejects.toThrow(/nope.log: no such file/);
    await expect(run([join(FIX, 'dmesg.log'), '--since', 'yesterday-ish'])).rejects.toThrow(/--since yesterday-ish: not a time/);
    await expect(run([join(FIX, 'dmesg.log'), '--action', 'maybe'])).rejects.toThrow(/--action maybe: unknown/);
    await expect(run([join(FIX, 'dmesg.log'), '--split-by', 'comm'])).rejects.toThrow(/-o must name a directory/);
    await expect(run([join(FIX, 'dmesg.log'), '--follow'])).rejects.toThrow(/--follow needs -o/);
  });

  test('--dmesg reads the real kernel ring buffer', async () => {
    // With auditd stopped the kernel prints type=1326 records to its log: make some, then read them back.
    const comm = `sc-dm${process.pid % 100000}`;
    const prog = join(dir, comm);
    execFileSync('gcc', [join(FIX, 'src', 'logtest.c'), '-o', prog, '-lseccomp']);
    const auditd = spawnSync('pgrep', ['-x', 'auditd'], { encoding: 'utf8' }).stdout.trim();
    try {
      if (auditd) {
        process.kill(Number(auditd), 'SIGTERM');
        for (let i = 0; i < 50 && spawnSync('pgrep', ['-x', 'auditd']).status === 0; i++) await new Promise((r) => setTimeout(r, 100));
      }
      spawnSync(prog, [], { stdio: 'ignore' });
    } finally {
      if (auditd) execFileSync('auditd');
    }
    const out = join(dir, 'ring.json');
    // The kernel rate-limits audit printk: under load (other audit traffic) it may drop every one of
    // our records (--allow-empty: then the profile is empty), so only check what arrived is right.
    await run(['--dmesg', ...NONE, '-o', out, '--comm', comm, '--allow-empty']);
    const got = allowed(out).names;
    for (const n of got) expect(['close', 'exit_group', 'getpid', 'getuid', 'ioctl', 'listns', 'newfstatat', 'openat', 'read', 'write', 'fstat', 'brk', 'mmap', 'munmap']).toContain(n);
  });
});

describe('container id parsing', () => {
  const H = 'f'.repeat(64);
  test.each([
    [`0::/system.slice/docker-${H}.scope`],
    [`0::/kubepods.slice/kubepods-pod1.slice/crio-${H}.scope`],
    [`0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${H}.scope`],
    [`11:memory:/kubepods/besteffort/pod1234/${H}`],
    [`4:cpu:/docker/${H}`],
  ])('%s', (cg) => expect(containerIdFromCgroup(cg)).toBe(H));
  test('host processes have none', () => expect(containerIdFromCgroup('0::/user.slice/session-1.scope')).toBeUndefined());
  test('start time is field 22 even when comm has spaces and parens', () => {
    expect(startTimeFromStat('42 (a) b) c) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 98765 1 1')).toBe('98765');
  });
});
