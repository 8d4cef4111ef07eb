/**
 * The strace parser, line by line. Lines here are HAND-MADE in strace's
 * formats, for what the real fixtures (strace-fixtures.test.ts) cannot show
 * on this machine: x32 and aarch64 personalities, older strace spellings
 * (syscall_470), `[???]`, pid reuse, thread exec (`superseded`), and
 * malformed input. Each is labelled with where the form comes from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArchId } from '../../src/arch.js';
import { Collector, type Observed } from '../../src/collect/collector.js';
import { HOLD_LIMIT, StraceParser } from '../../src/ingest/strace/index.js';
import type { LineResult, Observation } from '../../src/types.js';

function run(lines: string[], defaultArch: ArchId = 'x86_64'): { o: Observed; results: LineResult[] } {
  const p = new StraceParser({ defaultArch });
  const c = new Collector();
  const results = lines.map((l, i) => {
    const r = p.line(l);
    c.line(r, i + 1, l);
    return r;
  });
  for (const o of p.end()) c.add(o);
  return { o: c.result(), results };
}
const names = (o: Observed, arch: ArchId) => [...(o.arches.get(arch)?.keys() ?? [])].sort();
const count = (o: Observed, arch: ArchId, n: string) => o.arches.get(arch)?.get(n)?.count;

describe('StraceParser: line classification', () => {
  it('a complete call is parsed with one observation', () => {
    const p = new StraceParser({ defaultArch: 'x86_64' });
    p.line('[pid 7] newfstatat(AT_FDCWD, "/", {st_mode=S_IFDIR|0755, ...}, 0) = 0'); // settles pid 7 as 64-bit
    expect(p.line('[pid 7] openat(AT_FDCWD, "(<unfinished ...> \\" = ", O_RDONLY) = 3')).toEqual({ kind: 'parsed', obs: [{ arch: 'x86_64', name: 'openat', pid: 7 }] });
  });

  it('notices and decorations are ignored, never malformed', () => {
    const { o, results } = run([
      '',
      '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5, si_uid=0, si_status=0} ---',
      '[pid 5] +++ exited with 0 +++',
      '+++ killed by SIGKILL (core dumped) +++',
      'strace: Process 5 attached',
      'strace: Process 5 detached',
      ' > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_main+0x85) [0x271c5]',
      '[ Process PID=5 runs in 64 bit mode. ]',
      '% time     seconds  usecs/call     calls    errors syscall',
      '------ ----------- ----------- --------- --------- ----------------',
    ]);
    expect(results.map((r) => r.kind)).toEqual(Array(10).fill('ignored'));
    expect(o.lines).toEqual({ parsed: 0, ignored: 10, malformed: 0 });
  });

  it('lines that are not strace output are malformed with a reason; never a throw', () => {
    const { results } = run(['hello world', '12345', '[pid 12] ', '[pid x] read(3) = 0', '[pid 5] open', '<... read resumed', 'é∂ unicode (junk']);
    const junk = 'not strace output (program output mixed into the log?)';
    expect(results).toEqual([
      { kind: 'malformed', reason: junk },
      { kind: 'malformed', reason: junk },
      { kind: 'malformed', reason: 'nothing after the prefix' },
      { kind: 'malformed', reason: 'bad [pid N] prefix' },
      { kind: 'malformed', reason: 'no syscall after the prefix' },
      { kind: 'malformed', reason: 'unterminated <... resumed>' },
      { kind: 'malformed', reason: junk },
    ]);
  });

  it('program output is ignored while a call is in progress (its write), malformed otherwise', () => {
    const { results } = run([
      '[pid 5] newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      '[pid 5] write(1, "thread 0\\n", 9 <unfinished ...>',
      'thread 0',
      '[pid 5] <... write resumed>) = 9',
      'thread 0',
    ]);
    expect(results.map((r) => r.kind)).toEqual(['parsed', 'parsed', 'ignored', 'parsed', 'malformed']);
  });

  it('never throws, whatever the input (random lines and strace-like fragments)', () => {
    const piece = fc.constantFrom('[pid 12] ', '123 ', '07:01:02.123 ', '[ 257] ', '[00007f0011223344] ', 'read(', '<... read resumed>', ' <unfinished ...>', ') = 0', ' = ', '+++ ', '--- ', '[ Process PID=12 runs in 32 bit mode. ]', 'strace: Process 9 attached', '% time', '-----', 'syscall_0x', 'socket(AF_INET, ', 'clone(flags=', '"', '(', ')', '<', '>', '\r', ' ');
    const line = fc.oneof(fc.string(), fc.array(piece, { maxLength: 8 }).map((a) => a.join('')));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const p = new StraceParser({ defaultArch: 'x86_64' });
        for (const l of lines) {
          const r = p.line(l);
          expect(['parsed', 'ignored', 'malformed']).toContain(r.kind);
        }
        p.end();
      }),
      { numRuns: 300 },
    );
  });
});

describe('StraceParser: prefixes', () => {
  const ls = (prefix: string) => [`${prefix}newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0`, `${prefix}getpid() = 42`];
  it.each([
    ['plain', ''],
    ['-f -o', '1234  '],
    ['-f stderr', '[pid  1234] '],
    ['-Y', '1234<sh> '],
    ['-Y stderr', '[pid 1234<sh>] '],
    ['-t', '07:06:02 '],
    ['-tt', '07:06:02.516213 '],
    ['-ttt', '1795417562.531956 '],
    ['-r', '     0.000315 '],
    ['-r precision s (hand-made)', '     1 '],
    ['unix s', '1795417562 '],
    ['-f + -tt', '1234  07:06:02.516213 '],
    ['-i', '[00007f98eebfdc47] '],
    ['-i 32-bit tracee (hand-made)', '[f7f1e549] '],
    ['-n', '[ 262] '],
    ['-n unknown number (hand-made)', '[???] '],
    ['-i unavailable (hand-made)', '[????????????????] '],
    ['-f -tt -n -i', '[pid 1234] 07:06:02.516213 [ 262] [00007f98eebfdc47] '],
  ])('%s', (_label, prefix) => {
    const { o, results } = run(ls(prefix));
    expect(results.map((r) => r.kind)).toEqual(['parsed', 'parsed']);
    expect(names(o, 'x86_64')).toEqual(['getpid', 'newfstatat']);
  });

  it('a pid prefix is a pid, a lone number after spaces is a timestamp', () => {
    const p = new StraceParser({ defaultArch: 'x86_64' });
    p.line('77 newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0');
    expect(p.line('77      1 getpid() = 77').obs).toEqual([{ arch: 'x86_64', name: 'getpid', pid: 77 }]);
    const q = new StraceParser({ defaultArch: 'x86_64' });
    q.line('newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0');
    expect(q.line('     1 getpid() = 77').obs).toEqual([{ arch: 'x86_64', name: 'getpid' }]);
  });

  it('unknown syscalls become numbers: syscall_0x1d6 (strace 6) and syscall_470 (older strace, hand-made)', () => {
    const { o } = run(['syscall_0x1d6(0, 0, 0) = -1 ENOSYS (Function not implemented)', 'syscall_999(0) = -1 ENOSYS (Function not implemented)']);
    expect(names(o, 'x86_64')).toEqual(['listns']);
    expect(o.unknown).toEqual([{ arch: 'x86_64', nr: 999, count: 1 }]);
  });
});

describe('StraceParser: unfinished and resumed calls', () => {
  it('pairs unfinished and resumed halves per pid, counting each call once', () => {
    const { o, results } = run([
      '[pid 10] newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      '[pid 11] newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      '[pid 10] read(3,  <unfinished ...>',
      '[pid 11] socket(AF_INET, SOCK_STREAM, IPPROTO_TCP <unfinished ...>',
      '[pid 10] <... read resumed>"x", 1) = 1',
      '[pid 11] <... socket resumed>) = 4',
    ]);
    expect(results.map((r) => r.kind)).toEqual(Array(6).fill('parsed'));
    expect(count(o, 'x86_64', 'read')).toBe(1);
    expect(o.arches.get('x86_64')!.get('socket')!.args).toEqual([[2n, 1n, 6n]]);
  });

  it('argument text split across the halves is joined before decoding', () => {
    const { o } = run([
      'clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK <unfinished ...>',
      '<... clone resumed>, child_tidptr=0x7f00) = 5',
    ]);
    expect(o.arches.get('x86_64')!.get('clone')!.args).toEqual([[0x4100n]]);
  });

  it('a call never resumed (killed, end of log) was still made', () => {
    const { o } = run(['[pid 3] newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0', '[pid 3] futex(0x7f, FUTEX_WAIT, 0, NULL <unfinished ...>', '[pid 3] +++ killed by SIGKILL +++', '[pid 4] nanosleep({tv_sec=1, tv_nsec=0},  <unfinished ...>']);
    expect(count(o, 'x86_64', 'futex')).toBe(1);
    expect(count(o, 'x86_64', 'nanosleep')).toBe(1);
  });

  it('a resumed half with no unfinished half (log starts mid-call) is counted, its arguments not guessed', () => {
    const { o } = run(['<... socket resumed>) = 3', '<... read resumed>"x", 1) = 1']);
    expect(count(o, 'x86_64', 'read')).toBe(1);
    const s = o.arches.get('x86_64')!.get('socket')!;
    expect([s.count, s.noArgs, s.args]).toEqual([1, 1, []]);
  });

  it('a call cut by program output (stderr mode) is completed by its continuation line', () => {
    const { o, results } = run(['write(1, "a\\nb\\n", 4a', 'b', ')                       = 4', 'exit_group(0) = ?']);
    expect(results.map((r) => r.kind)).toEqual(['ignored', 'ignored', 'parsed', 'parsed']); // the completing line is the parsed one
    expect(count(o, 'x86_64', 'write')).toBe(1);
  });

  it('stderr -f: the first process is unprefixed until a second appears, then [pid N] (hand-made after stderr-f-qq.strace)', () => {
    // with -qq there is no "Process N attached"; the child's lines come before its parent's clone returns
    const { o } = run([
      'execve("/usr/bin/sh", ["sh"], 0x7ffd /* 1 var */) = 0',
      'newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>',
      '[pid 31] set_robust_list(0x7f11b6730a20, 24) = 0',
      '[pid 30] <... clone resumed>, child_tidptr=0x7f11b6730a10) = 31',
      '[pid 31] getpid() = 31',
      '[pid 30] wait4(-1,  <unfinished ...>',
      '[pid 31] exit_group(0) = ?',
      '<... wait4 resumed>NULL, 0, NULL) = 31',
    ]);
    const x = o.arches.get('x86_64')!;
    expect(x.get('clone')).toEqual({ count: 1, args: [[0x1200011n]], noArgs: 0, argsTruncated: false });
    expect(x.get('wait4')!.count).toBe(1);
    expect(o.lines.malformed).toBe(0);
  });

  it('a thread that execs: the leader resumes the execve (hand-made from strace docs)', () => {
    const { o } = run([
      '[pid 20] newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      '[pid 21] newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      '[pid 21] execve("/bin/true", ["true"], 0x7ffd /* 1 var */ <unfinished ...>',
      '[pid 21] +++ superseded by execve in pid 20 +++',
      '[pid 20] <... execve resumed>) = 0',
    ]);
    expect(count(o, 'x86_64', 'execve')).toBe(1);
  });
});

describe('StraceParser: architectures', () => {
  it('personality banners switch a process (x32: hand-made; x32 userland is not installed here)', () => {
    const { o } = run(['execve("./a", ["./a"], 0x7ffd /* 1 var */) = 0', '[ Process PID=9 runs in x32 mode. ]', 'read(0, "", 1) = 0']);
    expect(names(o, 'x86_64')).toEqual(['execve']);
    expect(names(o, 'x32')).toEqual(['read']);
  });

  it('aarch64: "32 bit mode" is arm (hand-made)', () => {
    const { o } = run(['execve("./a", ["./a"], 0x7ffd /* 1 var */) = 0', '[ Process PID=9 runs in 32 bit mode. ]', 'mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7000000'], 'aarch64');
    expect(names(o, 'aarch64')).toEqual(['execve']);
    expect(names(o, 'arm')).toEqual(['mmap2']);
  });

  it('without a banner (-o): 32-bit-only names switch the process, and the calls before them follow', () => {
    const { o } = run([
      '5 newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
      '5 execve("./m32", ["./m32"], 0x7ffd /* 1 var */) = 0',
      '5 brk(NULL) = 0x5000',
      '5 mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7000000',
      '5 getpid() = 5',
    ]);
    expect(names(o, 'x86_64')).toEqual(['execve', 'newfstatat']);
    expect(names(o, 'x86')).toEqual(['brk', 'getpid', 'mmap2']);
  });

  it('a 32-bit process that execs a 64-bit program (no banner) goes back to 64-bit', () => {
    const { o } = run([
      '5 mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7000000',
      '5 execve("/bin/true", ["true"], 0xff /* 1 var */) = 0',
      '5 brk(NULL) = 0x5000',
      '5 newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
    ]);
    expect(names(o, 'x86')).toEqual(['execve', 'mmap2']);
    expect(names(o, 'x86_64')).toEqual(['brk', 'newfstatat']);
  });

  it('children start in the arch their parent had when it forked', () => {
    const { o } = run([
      '5 mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7000000',
      '5 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0xf7) = 6',
      '6 getpid() = 6',
      '6 exit_group(0) = ?',
    ]);
    expect(names(o, 'x86')).toEqual(['clone', 'exit_group', 'getpid', 'mmap2']);
    expect(o.arches.get('x86_64')).toBeUndefined();
  });

  it('a vfork child that execs before its parent\'s vfork returns still starts in the parent\'s arch', () => {
    const { o } = run([
      '5 mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7000000',
      '5 vfork( <unfinished ...>',
      '6 rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0',
      '6 execve("/bin/true", ["true"], 0xff /* 1 var */) = 0',
      '5 <... vfork resumed>) = 6',
      '6 newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
    ]);
    expect(names(o, 'x86')).toEqual(['execve', 'mmap2', 'rt_sigprocmask', 'vfork']);
    expect(names(o, 'x86_64')).toEqual(['newfstatat']);
  });

  it('-n: a number that is the name in another personality\'s table switches the process (hand-made)', () => {
    // openat is 257 on x86_64, 295 on x86
    const { o } = run(['[ 295] openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3', '[  20] getpid() = 5']);
    expect(names(o, 'x86')).toEqual(['getpid', 'openat']);
  });

  it('a process that never shows its arch is given the default after HOLD_LIMIT calls, or at its exit', () => {
    const lines = Array.from({ length: HOLD_LIMIT + 5 }, () => '8 getpid() = 8');
    const p = new StraceParser({ defaultArch: 'x86_64' });
    const got: Observation[] = [];
    for (const l of lines) got.push(...(p.line(l).obs ?? []));
    expect(got.length).toBe(HOLD_LIMIT + 5);
    expect(p.end()).toEqual([]);
    const q = new StraceParser({ defaultArch: 'x86_64' });
    expect(q.line('9 getpid() = 9').obs).toBeUndefined();
    expect(q.line('9 +++ exited with 0 +++')).toEqual({ kind: 'ignored', obs: [{ arch: 'x86_64', name: 'getpid', pid: 9 }] });
  });
});

describe('StraceParser: summary tables', () => {
  it('reads rows with a blank errors column, skips total, keeps the table\'s personality', () => {
    const { o, results } = run([
      '% time     seconds  usecs/call     calls    errors syscall',
      '------ ----------- ----------- --------- --------- ----------------',
      ' 39.09    0.000095           2        34        13 openat',
      '  0.00    0.000000           0         7           read',
      '------ ----------- ----------- --------- --------- ----------------',
      '100.00    0.000095           2        41        13 total',
      'System call usage summary for 32 bit mode:',
      '% time     seconds  usecs/call     calls    errors syscall',
      '------ ----------- ----------- --------- --------- ----------------',
      '  0.00    0.000000           0         7           mmap2',
      '  0.00    0.000000           0         1           connect',
      '------ ----------- ----------- --------- --------- ----------------',
      '100.00    0.000000           0         7           total',
    ]);
    expect(results.map((r) => r.kind).join(' ')).toBe('ignored ignored parsed parsed ignored ignored ignored ignored ignored parsed parsed ignored ignored');
    expect(count(o, 'x86_64', 'openat')).toBe(34);
    expect(count(o, 'x86_64', 'read')).toBe(7);
    expect(count(o, 'x86', 'mmap2')).toBe(7);
    // a socketcall subcall on 32-bit x86: both possible entry points
    expect([count(o, 'x86', 'connect'), count(o, 'x86', 'socketcall')]).toEqual([1, 1]);
  });

  it('-U with any column order', () => {
    const { o } = run(['    calls syscall           longest', '--------- ---------------- --------', '        2 close            0.000010', '        1 read             0.000000', '--------- ---------------- --------', '        3 total']);
    expect([count(o, 'x86_64', 'close'), count(o, 'x86_64', 'read')]).toEqual([2, 1]);
  });

  it('a table that follows call lines (-C) does not count the calls twice', () => {
    const { o } = run(['getpid() = 1', 'newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0', '% time     seconds  usecs/call     calls    errors syscall', '------ ----------- ----------- --------- --------- ----------------', '  0.00    0.000000           0         1           getpid', '------ ----------- ----------- --------- --------- ----------------', '100.00    0.000000           0         1           total']);
    expect(count(o, 'x86_64', 'getpid')).toBe(1);
  });

  it('an unknown personality is malformed, not guessed', () => {
    const { results } = run(['[ Process PID=9 runs in 16 bit mode. ]', 'System call usage summary for 16 bit mode:']);
    expect(results.map((r) => r.kind)).toEqual(['malformed', 'malformed']);
  });
});
