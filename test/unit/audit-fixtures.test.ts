// Every fixture under test/fixtures/audit (see its README for how each was made):
// exact parsed / ignored / malformed counts, loss, and the syscall set per arch.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Collector, observedNames } from '../../src/collect/collector.js';
import { parseAuditLine } from '../../src/ingest/audit/index.js';
import type { ArchId } from '../../src/arch.js';

const DIR = new URL('../fixtures/audit/', import.meta.url);

function run(file: string) {
  const c = new Collector();
  const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((l, i) => c.line(parseAuditLine(l), i + 1, l, file));
  return c.result();
}

// The LOG program (open/read/close/getpid/470/999/exit_group), the -m32 one (openat/read/close/getpid/exit_group
// through the i386 table), the x32 one (x32 getpid + its own newfstatat/write/exit_group), the errno one (getuid).
const X86_64_ALL = ['close', 'exit_group', 'getpid', 'getuid', 'listns', 'newfstatat', 'openat', 'read', 'write'];
const X86_32 = ['close', 'exit_group', 'getpid', 'openat', 'read'];

const cases: Array<{ file: string; lines: [number, number, number]; lost?: number; x86_64: string[]; x86?: string[]; x32?: string[]; others?: Partial<Record<ArchId, string[]>>; unknown999?: number }> = [
  { file: 'auditd-enriched.log', lines: [24, 1, 0], x86_64: X86_64_ALL, x86: X86_32, x32: ['getpid'], unknown999: 2 },
  { file: 'ausearch-raw.log', lines: [12, 0, 0], x86_64: ['close', 'exit_group', 'getpid', 'listns', 'openat', 'read'], x86: X86_32, unknown999: 1 },
  { file: 'ausearch-i.log', lines: [17, 17, 0], x86_64: X86_64_ALL, x86: X86_32, x32: ['getpid'], unknown999: 1 },
  ...['dmesg.log', 'dmesg-T.log', 'dmesg-r.log', 'kmsg.log'].map((file) => ({
    file, lines: [25, 10, 0] as [number, number, number], lost: 35, x86_64: [...X86_64_ALL, 'ioctl'].sort(), x86: X86_32, x32: ['getpid'], unknown999: 2,
  })),
  // Real journald (systemd 252, auditd stopped): each record twice, once by the audit transport (audit[PID]: SECCOMP,
  // or _AUDIT_* fields in JSON) and once by the kernel transport (the printk line); same set either way.
  ...['short', 'short-iso', 'short-precise', 'short-monotonic', 'short-unix', 'cat', 'json'].map((f) => ({
    file: `journald-real-${f}.log`, lines: [19, 9, 0] as [number, number, number],
    x86_64: ['close', 'exit_group', 'getpid', 'listns', 'openat', 'read'], x86: X86_32, unknown999: 2,
  })),
  { file: 'journald-short.log', lines: [7, 3, 0], x86_64: ['close', 'exit_group', 'getpid', 'listns', 'openat', 'read'], x86: ['openat'] },
  { file: 'journald-json.log', lines: [3, 2, 0], x86_64: ['close', 'openat', 'read'] },
  { file: 'syslog.log', lines: [4, 3, 0], lost: 15, x86_64: ['openat', 'read'], x86: ['openat'], x32: ['getpid'] },
  { file: 'loss.log', lines: [0, 5, 0], lost: 17, x86_64: [] }, // 15 suppressed + max(2 limit lines, counter span 1)
  { file: 'malformed.log', lines: [2, 0, 4], x86_64: ['getpid'] },
  // Every other form, hand-made around a real record (see README).
  {
    file: 'other-forms.log', lines: [12, 10, 0], lost: 5,
    x86_64: ['brk', 'close', 'exit_group', 'getpid', 'mmap', 'mprotect', 'munmap', 'openat', 'read', 'rt_sigaction', 'rt_sigprocmask', 'write'],
  },
  // One record per arch code and per action (hand-made raw) and what ausearch 3.0.9 -i made of them (real).
  {
    file: 'arches-raw.log', lines: [18, 0, 1], x86_64: ['getpid', 'getuid', 'openat'], x86: ['open'], x32: ['getpid'],
    others: { arm: ['openat'], aarch64: ['openat'], ppc64le: ['openat'], s390x: ['openat'], riscv64: ['listns', 'openat'], loongarch64: ['openat'] },
  },
  {
    file: 'ausearch-i-arches.log', lines: [16, 19, 3], x86_64: ['getpid', 'getuid', 'openat'], x86: ['open'], x32: ['getpid'],
    others: { arm: ['openat'], aarch64: ['openat'], ppc64le: ['openat'], s390x: ['openat'], riscv64: ['listns'] },
  },
];

describe('audit fixtures', () => {
  for (const c of cases) {
    test(c.file, () => {
      const r = run(c.file);
      expect([r.lines.parsed, r.lines.ignored, r.lines.malformed]).toEqual(c.lines);
      expect(r.lost).toBe(c.lost ?? 0);
      const want: Partial<Record<ArchId, string[]>> = { x86_64: c.x86_64, x86: c.x86 ?? [], x32: c.x32 ?? [], ...c.others };
      const seen = [...r.arches.keys()].filter((a) => (r.arches.get(a)?.size ?? 0) > 0);
      for (const a of new Set<ArchId>([...seen, ...(Object.keys(want) as ArchId[])])) expect(observedNames(r, a), a).toEqual(want[a] ?? []);
      const u999 = r.unknown.find((u) => u.arch === 'x86_64' && u.nr === 999);
      expect(u999?.count).toBe(c.unknown999);
    });
  }

  test('malformed reasons', () => {
    expect(run('malformed.log').malformed.map((m) => m.reason)).toEqual([
      'seccomp record without arch=', 'seccomp record without syscall=', 'unknown audit arch 0xdeadbeef', 'syscall=3x is not a number',
    ]);
    // syscall=-1 is reported as unknown, never dropped.
    expect(run('malformed.log').unknown).toEqual([{ arch: 'x86_64', nr: -1, count: 1 }]);
  });

  test('the auditctl USER record quoting a SECCOMP record is not one', () => {
    const line = readFileSync(new URL('auditd-enriched.log', DIR), 'utf8').split('\n').find((l) => l.startsWith('type=USER'))!;
    expect(line).toContain('text=type=SECCOMP arch=c000003e syscall=1');
    expect(parseAuditLine(line).kind).toBe('ignored');
  });

  test('hex-encoded comm/exe of a binary called "my app" decode', () => {
    const line = readFileSync(new URL('auditd-enriched.log', DIR), 'utf8').split('\n').find((l) => l.includes('comm=6D7920617070'))!;
    const o = parseAuditLine(line).obs![0]!;
    expect([o.comm, o.exe]).toEqual(['my app', '/tmp/my app']);
    const i = readFileSync(new URL('ausearch-i.log', DIR), 'utf8').split('\n').find((l) => l.includes('comm=my app'))!;
    const oi = parseAuditLine(i).obs![0]!;
    expect([oi.comm, oi.exe, oi.action]).toEqual(['my app', '/tmp/my app', 'log']);
  });

  test('the errno record (SCMP_FLTATR_CTL_LOG) carries action errno in every form', () => {
    for (const f of ['auditd-enriched.log', 'ausearch-i.log', 'dmesg.log']) {
      const obs = readFileSync(new URL(f, DIR), 'utf8').split('\n').map(parseAuditLine).flatMap((r) => r.obs ?? []);
      const e = obs.filter((o) => o.comm === 'sc-errnotest');
      expect(e.map((o) => o.action), f).toEqual(['errno']);
    }
  });

  test('ausearch -i: arch names (armeb is AUDIT_ARCH_ARM), unknown-elf-type, interpreted actions, decoded comm', () => {
    const lines = readFileSync(new URL('ausearch-i-arches.log', DIR), 'utf8').split('\n').filter((l) => l.startsWith('type='));
    const res = lines.map(parseAuditLine);
    expect(res.filter((x) => x.kind === 'malformed').map((x) => x.reason)).toEqual([
      "ausearch -i does not know arch 0xc00000f3 (riscv64) and named syscall=clone from another arch's table; read the log raw (ausearch --raw)",
      "ausearch -i does not know arch 0xc0000102 (loongarch64) and named syscall=clone from another arch's table; read the log raw (ausearch --raw)",
      'unknown audit arch 0xdeadbeef',
    ]);
    const obs = res.flatMap((x) => x.obs ?? []);
    // code=kill is printed for both kill actions; user-notify and unknown-seccomp-code(0x…) are mapped.
    expect(obs.filter((o) => o.name === 'getuid').map((o) => o.action)).toEqual(['errno', 'kill', 'kill', 'user_notif', 'trap', '0x12340000']);
    // A comm that looks like hex is not decoded again in interpreted output; "my app" arrives decoded.
    expect(obs.filter((o) => o.name === 'getpid').map((o) => o.comm)).toEqual(['CAFE', 'my app']);
    expect(obs.every((o) => o.auid === 4294967295 && o.uid === undefined)).toBe(true);
    expect(obs.find((o) => o.arch === 'riscv64')).toMatchObject({ nr: 470, serial: 2009 });
    // Times are local (ausearch prints %x %T); the fraction is kept.
    expect(obs[1]!.time! - obs[0]!.time!).toBeCloseTo(0.001, 6);
  });

  test('the raw twin: every action code, hex-encoded comm, x32', () => {
    const obs = readFileSync(new URL('arches-raw.log', DIR), 'utf8').split('\n').filter(Boolean).map(parseAuditLine).flatMap((x) => x.obs ?? []);
    expect(obs.filter((o) => o.nr === 102).map((o) => o.action)).toEqual(['errno', 'kill_thread', 'kill_process', 'user_notif', 'trap', '0x12340000']);
    expect(obs.filter((o) => o.nr === 39).map((o) => o.comm)).toEqual(['CAFE', 'my app']);
    expect(obs.find((o) => o.arch === 'x32')).toMatchObject({ nr: 1073741863, time: 1795419600.003, serial: 2003 });
  });
});
