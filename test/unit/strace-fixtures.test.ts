/**
 * The strace parser on real recordings (test/fixtures/strace, README.md there
 * lists the command behind each file): exact syscall sets per arch, exact
 * line accounting, exact call totals.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArchId } from '../../src/arch.js';
import { Collector, type Observed } from '../../src/collect/collector.js';
import { ingestStrace } from '../../src/ingest/drivers/strace-files.js';
import { StraceParser } from '../../src/ingest/strace/index.js';

const FX = join(import.meta.dirname, '../fixtures/strace');
const fx = (f: string) => join(FX, f);

async function ingest(files: string[], defaultArch: ArchId = 'x86_64'): Promise<Observed> {
  const c = new Collector();
  await ingestStrace(files.map(fx), c, { defaultArch });
  return c.result();
}

const sets = (o: Observed) => Object.fromEntries([...o.arches].map(([a, m]) => [a, [...m.keys()].sort().join(' ')]));
const calls = (o: Observed) => [...o.arches.values()].reduce((n, m) => n + [...m.values()].reduce((k, s) => k + s.count, 0), 0);
const count = (o: Observed, arch: ArchId, name: string) => o.arches.get(arch)?.get(name)?.count;

// /bin/true
const TRUE = 'access arch_prctl brk close execve exit_group mmap mprotect munmap newfstatat openat pread64 prlimit64 read rseq set_robust_list set_tid_address';
// sh -c '/bin/true | /bin/true'
const PIPE = 'access arch_prctl brk clone close dup2 execve exit_group getegid geteuid getgid getpid getppid getrandom getuid mmap mprotect munmap newfstatat openat pipe2 pread64 prlimit64 read rseq rt_sigaction rt_sigreturn set_robust_list set_tid_address wait4';
// src/threads.c
const THREADS = 'accept access arch_prctl bind brk clone clone3 close connect execve exit exit_group futex getrandom getsockname listen madvise mmap mprotect munmap newfstatat openat personality pread64 prlimit64 read rseq rt_sigaction rt_sigprocmask set_robust_list set_tid_address socket wait4 write';
// sh -c /tmp/syscribe-fx/m32: the shell (64-bit) and the 32-bit program
const M32_SH = 'access arch_prctl brk close execve exit_group getegid geteuid getgid getpid getppid getrandom getuid mmap mprotect munmap newfstatat openat pread64 prlimit64 read rseq rt_sigaction rt_sigprocmask rt_sigreturn set_robust_list set_tid_address vfork wait4';
const M32 = '_llseek access brk close exit_group getrandom ioctl mmap2 mprotect munmap openat read rseq set_robust_list set_thread_area set_tid_address socket socketcall statx ugetrlimit write';

interface Case {
  files: string[];
  lines: [parsed: number, ignored: number, malformed: number];
  calls: number;
  sets: Partial<Record<ArchId, string>>;
  unknown?: Array<{ arch: ArchId; nr: number; count: number }>;
}

const ffFiles = (prefix: string) => readdirSync(FX).filter((f) => new RegExp(`^${prefix}\\.\\d+$`).test(f));

const CASES: Record<string, Case> = {
  'plain': { files: ['plain.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f -o (PID prefix)': { files: ['f.strace'], lines: [195, 5, 0], calls: 127, sets: { x86_64: PIPE } },
  '-f on stderr, program output mixed in': { files: ['stderr-f.strace'], lines: [104, 13, 0], calls: 90, sets: { x86_64: THREADS } },
  '-f -qq on stderr': { files: ['stderr-f-qq.strace'], lines: [177, 2, 0], calls: 127, sets: { x86_64: PIPE } },
  '-ff -o (shell pipeline)': { files: ffFiles('ff'), lines: [127, 5, 0], calls: 127, sets: { x86_64: PIPE } },
  '-ff -o (threads)': { files: ffFiles('ff-threads'), lines: [91, 5, 0], calls: 91, sets: { x86_64: THREADS } },
  '-t': { files: ['t.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f -tt -T': { files: ['f-tt-T.strace'], lines: [111, 5, 0], calls: 91, sets: { x86_64: THREADS } },
  '-ttt': { files: ['ttt.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-r': { files: ['r.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f --relative-timestamps=s': { files: ['f-r-s.strace'], lines: [196, 5, 0], calls: 127, sets: { x86_64: PIPE } },
  '--absolute-timestamps=format:unix,precision:ns': { files: ['abs-unix-ns.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f --absolute-timestamps=format:unix,precision:s': { files: ['f-abs-unix-s.strace'], lines: [196, 5, 0], calls: 127, sets: { x86_64: PIPE } },
  '-y': { files: ['y.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f -yy': { files: ['f-yy.strace'], lines: [110, 5, 0], calls: 91, sets: { x86_64: THREADS } },
  '-s 256 -v': { files: ['s256-v.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-x': { files: ['x.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-xx': { files: ['xx.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f -X verbose': { files: ['f-X-verbose.strace'], lines: [109, 5, 0], calls: 91, sets: { x86_64: THREADS } },
  '-f -X raw': { files: ['f-X-raw.strace'], lines: [111, 5, 0], calls: 91, sets: { x86_64: THREADS } },
  '-i': { files: ['i.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-k (stack frames)': { files: ['k.strace'], lines: [4, 29, 0], calls: 4, sets: { x86_64: 'execve exit_group openat' } },
  '-n': { files: ['n.strace'], lines: [30, 1, 0], calls: 30, sets: { x86_64: TRUE } },
  '-f -Y': { files: ['f-Y.strace'], lines: [176, 5, 0], calls: 127, sets: { x86_64: PIPE } },
  '-f -Y -tt -T -i -n -yy -s 128 on stderr': { files: ['combo-stderr.strace'], lines: [107, 11, 0], calls: 91, sets: { x86_64: THREADS } },
  '-f -Z': { files: ['f-Z.strace'], lines: [30, 5, 0], calls: 30, sets: { x86_64: 'access ioctl openat statfs statx wait4' } },
  '-f --seccomp-bpf -e trace=%process,openat': { files: ['f-seccomp-bpf.strace'], lines: [19, 5, 0], calls: 17, sets: { x86_64: 'clone execve exit_group openat wait4' } },
  '-f -qq': { files: ['f-qq.strace'], lines: [151, 2, 0], calls: 127, sets: { x86_64: PIPE } },
  'killed by SIGKILL': { files: ['f-killed.strace'], lines: [49, 1, 0], calls: 49, sets: { x86_64: 'access arch_prctl brk close execve getegid geteuid getgid getpid getppid getrandom getuid kill mmap mprotect munmap newfstatat openat pread64 prlimit64 read rseq rt_sigaction set_robust_list set_tid_address' } },
  '-p (attach, restart_syscall)': { files: ['p-stderr.strace'], lines: [4, 2, 0], calls: 4, sets: { x86_64: 'close exit_group restart_syscall' } },
  'unknown syscalls': { files: ['unknown.strace'], lines: [32, 1, 0], calls: 31, sets: { x86_64: `${TRUE.replace('exit_group', 'exit_group listns')}` }, unknown: [{ arch: 'x86_64', nr: 999, count: 1 }] },
  'unknown syscalls, -n': { files: ['unknown-n.strace'], lines: [32, 1, 0], calls: 31, sets: { x86_64: `${TRUE.replace('exit_group', 'exit_group listns')}` }, unknown: [{ arch: 'x86_64', nr: 999, count: 1 }] },
  '32-bit, -f -o (no banner)': { files: ['m32-f.strace'], lines: [99, 3, 0], calls: 97, sets: { x86_64: M32_SH, x86: M32 } },
  '32-bit, -f on stderr (banner)': { files: ['m32-stderr.strace'], lines: [99, 6, 0], calls: 97, sets: { x86_64: M32_SH, x86: M32 } },
  '32-bit static, -n': { files: ['m32-static-n.strace'], lines: [24, 1, 0], calls: 24, sets: { x86_64: 'execve', x86: '_llseek brk close exit_group getrandom ioctl mprotect openat readlink rseq set_robust_list set_thread_area set_tid_address socketcall statx ugetrlimit write' } },
  '-c': { files: ['c.strace'], lines: [16, 4, 0], calls: 29, sets: { x86_64: TRUE.replace(' exit_group', '') } },
  '-c -U name,calls,errors': { files: ['c-U-name-first.strace'], lines: [16, 4, 0], calls: 29, sets: { x86_64: TRUE.replace(' exit_group', '') } },
  '-c -U calls,name,max-time -S calls': { files: ['c-U-calls-first.strace'], lines: [16, 4, 0], calls: 29, sets: { x86_64: TRUE.replace(' exit_group', '') } },
  '-f -c -w': { files: ['f-c-w.strace'], lines: [32, 4, 0], calls: 87, sets: { x86_64: THREADS.replace(' exit_group', '').replace(' exit ', ' ') } },
  '-f -c, 64-bit and 32-bit tables': { files: ['m32-c.strace'], lines: [47, 9, 0], calls: 131, sets: { x86_64: M32_SH.replace(' exit_group', ''), x86: M32.replace(' exit_group', '') } },
  '-C (calls and their summary)': { files: ['C.strace'], lines: [32, 21, 0], calls: 31, sets: { x86_64: `${TRUE.replace('exit_group', 'exit_group listns')}` }, unknown: [{ arch: 'x86_64', nr: 999, count: 1 }] },
};

describe('strace fixtures (real recordings)', () => {
  for (const [style, c] of Object.entries(CASES)) {
    it(style, async () => {
      expect(c.files.length).toBeGreaterThan(0);
      const o = await ingest(c.files);
      expect(sets(o)).toEqual(c.sets);
      expect(o.lines).toEqual({ parsed: c.lines[0], ignored: c.lines[1], malformed: c.lines[2] });
      expect(calls(o)).toBe(c.calls);
      expect(o.unknown).toEqual(c.unknown ?? []);
      const total = c.files.reduce((n, f) => n + readFileSync(fx(f), 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '').length, 0);
      expect(c.lines[0] + c.lines[1] + c.lines[2]).toBe(total);
    });
  }

  it('every fixture is in the table', () => {
    const listed = new Set(Object.values(CASES).flatMap((c) => c.files));
    const all = readdirSync(FX).filter((f) => f.endsWith('.strace') || /^ff(-threads)?\.\d+$/.test(f));
    expect(all.filter((f) => !listed.has(f))).toEqual([]);
  });

  it('call lines agree with an independent count (grep-style) on the plain-format fixtures', async () => {
    // one call per line that starts a call (resumed halves do not start one)
    const start = /^(?:\d+(?:<[^>]*>)? +|\[pid +\d+(?:<[^>]*>)?\] )?(?:[\d:.]+ +)*(?:\[ *\d+\] )?(?:\[[0-9a-f?]{8,16}\] )?[a-z_0-9]+\(/;
    for (const f of ['plain.strace', 'f.strace', 'stderr-f.strace', 'stderr-f-qq.strace', 'f-tt-T.strace', 'f-Y.strace', 'combo-stderr.strace', 'f-r-s.strace', 'f-abs-unix-s.strace', 'f-yy.strace', 'k.strace', 'p-stderr.strace', 'f-qq.strace']) {
      const n = readFileSync(fx(f), 'utf8').split('\n').filter((l) => start.test(l)).length;
      expect([f, calls(await ingest([f]))]).toEqual([f, n]);
    }
  });

  it('32-bit mode inferred from names (-o, no banner) gives exactly what the banner gives', async () => {
    const per = (o: Observed) => Object.fromEntries([...o.arches].flatMap(([a, m]) => [...m].map(([n, s]) => [`${a}:${n}`, s.count])));
    const inferred = await ingest(['m32-f.strace']);
    const banner = await ingest(['m32-stderr.strace']);
    expect(per(inferred)).toEqual(per(banner));
    // the 32-bit program's brk before its first 32-bit-only call (mmap2) is counted as x86, as the -c table says
    expect(count(inferred, 'x86', 'brk')).toBe(4);
    const table = await ingest(['m32-c.strace']);
    expect(count(table, 'x86', 'brk')).toBe(4);
    // execve is made by the 64-bit shell child
    expect(count(inferred, 'x86_64', 'execve')).toBe(2);
  });

  it('32-bit: socketcall subcalls — -n tells the real entry point, without -n both are recorded', async () => {
    const n = await ingest(['m32-static-n.strace']);
    expect(count(n, 'x86', 'socketcall')).toBe(1);
    expect(count(n, 'x86', 'socket')).toBeUndefined();
    const plain = await ingest(['m32-f.strace']);
    expect(count(plain, 'x86', 'socket')).toBe(1);
    expect(count(plain, 'x86', 'socketcall')).toBe(1);
    expect(plain.arches.get('x86')!.get('socket')!.args).toEqual([[2n, 2n, 0n]]);
  });

  it('decodes the arguments RuntimeDefault conditions on, in every -X style', async () => {
    for (const f of ['stderr-f.strace', 'f-X-verbose.strace', 'f-X-raw.strace', 'f-yy.strace', 'combo-stderr.strace', 'f-tt-T.strace']) {
      const x = (await ingest([f])).arches.get('x86_64')!;
      expect(x.get('socket')!.args).toEqual([
        [1n, 0x80001n, 0n], // AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC
        [10n, 2n, 0n], // AF_INET6, SOCK_DGRAM
        [16n, 0x80003n, 9n], // AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_AUDIT
        [17n, 3n, 0x300n], // AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)
        [40n, 1n, 0n], // AF_VSOCK
        [2n, 1n, 6n], // AF_INET, SOCK_STREAM, IPPROTO_TCP
        [2n, 1n, 0n],
      ]);
      expect(x.get('personality')!.args).toEqual([[0xffffffffn], [0x40000n], [0n]]);
      expect(x.get('clone')!.args).toEqual([[0x1200011n]]); // CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
      expect(x.get('clone')!.noArgs).toBe(0);
      // only these three carry arguments
      expect([...x].filter(([, s]) => s.args.length > 0).map(([n]) => n).sort()).toEqual(['clone', 'personality', 'socket']);
    }
  });

  it('clone cut in two by "strace: Process N attached" still decodes its flags', () => {
    const p = new StraceParser({ defaultArch: 'x86_64' });
    const lines = readFileSync(fx('stderr-f.strace'), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('clone(child_stack=NULL') && l.endsWith(' attached'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^, child_tidptr=0x[0-9a-f]+\) = \d+$/);
    for (const l of lines.slice(0, i)) p.line(l);
    expect(p.line(lines[i]!)).toEqual({ kind: 'ignored' }); // not a call until its rest arrives
    expect(p.line(lines[i + 1]!)).toEqual({ kind: 'parsed', obs: [{ arch: 'x86_64', name: 'clone', args: [0x1200011n], pid: 13740 }] }); // the pid unprefixed lines belong to was learned from [pid N] lines
  });

  it('-ff files: the pid comes from the file name; read in pid order', async () => {
    const files = ffFiles('ff').sort().reverse();
    const c = new Collector();
    const seen = new Set<number | undefined>();
    const orig = c.add.bind(c);
    c.add = (o) => {
      seen.add(o.pid);
      return orig(o);
    };
    // the byte lane off: calls it takes reach the collector without an Observation (the collector never reads a pid)
    await ingestStrace(files.map(fx), c, { defaultArch: 'x86_64', byteLane: false });
    expect([...seen].sort()).toEqual(files.map((f) => Number(f.split('.')[1])).sort());
  });

  it('CRLF line ends (the plain fixture converted) parse the same', () => {
    const text = readFileSync(fx('f.strace'), 'utf8');
    const a = new Collector();
    const b = new Collector();
    const pa = new StraceParser({ defaultArch: 'x86_64' });
    const pb = new StraceParser({ defaultArch: 'x86_64' });
    const lines = text.split('\n');
    lines.forEach((l, i) => {
      a.line(pa.line(l), i + 1, l);
      b.line(pb.line(`${l}\r`), i + 1, l);
    });
    expect(sets(b.result())).toEqual(sets(a.result()));
    expect(b.result().lines).toEqual(a.result().lines);
  });

  it('a last line cut short (no result, no <unfinished ...>) is not a call: program output can look like one', () => {
    const lines = readFileSync(fx('stderr-f.strace'), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('socket(AF_NETLINK'));
    const cutAt = lines[i]!.indexOf('NETLINK_AUDIT') + 'NETLINK_AU'.length;
    const p = new StraceParser({ defaultArch: 'x86_64' });
    const c = new Collector();
    lines.slice(0, i).forEach((l, k) => c.line(p.line(l), k + 1, l));
    c.line(p.line(lines[i]!.slice(0, cutAt)), i + 1, lines[i]!);
    for (const o of p.end()) c.add(o);
    const s = c.result().arches.get('x86_64')!.get('socket')!;
    expect(s.args.at(-1)).toEqual([10n, 2n, 0n]); // the earlier socket(AF_INET6…) only: the cut AF_NETLINK one is not counted
    expect(c.result().lines.malformed).toBe(0);
    // and a cut in the name itself is malformed
    expect(new StraceParser().line('[pid 13740] sock').kind).toBe('malformed');
  });
});
