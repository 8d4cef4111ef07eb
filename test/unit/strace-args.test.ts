/**
 * decodeArgs: strace's printed arguments of socket/personality/clone back to
 * the numbers seccomp compares. Forms are as strace 6.1 prints them (see the
 * -X verbose / -X raw fixtures); the MIPS / PA-RISC / s390 / big-endian cases
 * are hand-made from the kernel headers (no such machine here).
 */
import { describe, expect, it } from 'vitest';
import { ARG_DECODED_SYSCALLS, cloneFlagsIndex, decodeArgs, splitArgs } from '../../src/ingest/strace/args.js';

describe('decodeArgs', () => {
  it('decodes only the names RuntimeDefault profiles condition on', () => {
    expect([...ARG_DECODED_SYSCALLS].sort()).toEqual(['clone', 'personality', 'socket']);
    expect(decodeArgs('openat', 'AT_FDCWD, "/x", O_RDONLY) = 3', 'x86_64')).toBeUndefined();
    expect(decodeArgs('clone3', '{flags=CLONE_VM}, 88) = 5', 'x86_64')).toBeUndefined();
  });

  it('socket: families, types with flags, protocols', () => {
    const d = (t: string) => decodeArgs('socket', t, 'x86_64');
    expect(d('AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3')).toEqual([1n, 0x80001n, 0n]);
    expect(d('AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 5<TCP:[26004]>')).toEqual([2n, 0x801n, 6n]);
    expect(d('AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 4')).toEqual([10n, 2n, 17n]);
    expect(d('AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_AUDIT) = 3')).toEqual([16n, 0x80003n, 9n]);
    expect(d('AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE) = 3')).toEqual([16n, 2n, 0n]);
    expect(d('AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = 3')).toEqual([17n, 3n, 0x300n]);
    expect(d('AF_ALG, SOCK_SEQPACKET, 0) = 3')).toEqual([38n, 5n, 0n]);
    expect(d('AF_VSOCK, SOCK_STREAM, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)')).toEqual([40n, 1n, 0n]);
    expect(d('PF_LOCAL, SOCK_DGRAM, 0) = 3')).toEqual([1n, 2n, 0n]);
    expect(d('AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI) = 3')).toEqual([31n, 3n, 1n]);
  });

  it('socket: -X verbose and -X raw', () => {
    expect(decodeArgs('socket', '0x1 /* AF_UNIX */, 0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */, 0) = 3', 'x86_64')).toEqual([1n, 0x80001n, 0n]);
    expect(decodeArgs('socket', '0xa, 0x2, 0) = 3', 'x86_64')).toEqual([10n, 2n, 0n]);
    expect(decodeArgs('socket', '0x2e /* AF_??? */, SOCK_STREAM, 0) = -1 EAFNOSUPPORT', 'x86_64')).toEqual([46n, 1n, 0n]);
  });

  it('socket: arch-specific type numbers (hand-made from the kernel headers)', () => {
    expect(decodeArgs('socket', 'AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0) = 3', 'mips')).toEqual([2n, 0x82n, 0n]);
    expect(decodeArgs('socket', 'AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 3', 'parisc')).toEqual([2n, 0x200002n, 0n]);
    expect(decodeArgs('socket', 'AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = 3', 's390x')).toEqual([17n, 3n, 3n]); // big-endian: htons is the identity
  });

  it('personality: types, flags, the query value', () => {
    const d = (t: string) => decodeArgs('personality', t, 'x86_64');
    expect(d('PER_LINUX) = 0')).toEqual([0n]);
    expect(d('PER_LINUX32) = 0 (PER_LINUX)')).toEqual([8n]);
    expect(d('UNAME26) = 0')).toEqual([0x20000n]);
    expect(d('PER_LINUX32|UNAME26) = 0')).toEqual([0x20008n]);
    expect(d('PER_LINUX|ADDR_NO_RANDOMIZE) = 0 (PER_LINUX)')).toEqual([0x40000n]);
    expect(d('PER_LINUX|READ_IMPLIES_EXEC) = 0')).toEqual([0x400000n]);
    expect(d('0xffffffff) = 0 (PER_LINUX)')).toEqual([0xffffffffn]);
    expect(d('PER_SVR4|STICKY_TIMEOUTS|MMAP_PAGE_ZERO) = 0')).toEqual([0x4100001n]);
  });

  it('clone: the flags, at the kernel argument index (s390: after the stack)', () => {
    const t = 'child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f342df45a10) = 12174';
    expect(decodeArgs('clone', t, 'x86_64')).toEqual([0x1200011n]);
    expect(decodeArgs('clone', t, 'aarch64')).toEqual([0x1200011n]);
    expect(decodeArgs('clone', t, 's390x')).toEqual([undefined, 0x1200011n]);
    expect(cloneFlagsIndex('s390')).toBe(1);
    expect(decodeArgs('clone', 'child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[5], tls=0x7f) = 5', 'x86_64')).toEqual([0x3d0f00n]);
    expect(decodeArgs('clone', 'child_stack=NULL, flags=CLONE_NEWNS|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD) = 9', 'x86_64')).toEqual([0x70020011n]);
    expect(decodeArgs('clone', 'child_stack=NULL, flags=0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */, child_tidptr=0x7f) = 5', 'x86_64')).toEqual([0x1200011n]);
    expect(decodeArgs('clone', 'child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f) = 5', 'x86_64')).toEqual([0x1200011n]);
    expect(decodeArgs('clone', 'child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 5', 'mips')).toEqual([0x4112n]); // MIPS SIGCHLD is 18
    expect(decodeArgs('clone', 'child_stack=NULL, flags=CLONE_VM|SIGRT_1) = 5', 'x86_64')).toEqual([0x121n]);
  });

  it('never guesses: unknown names, cut arguments, program output', () => {
    expect(decodeArgs('socket', 'AF_INET, SOCK_STREAM|SOCK_FUTURE, 0) = 3', 'x86_64')).toEqual([2n, undefined, 0n]);
    expect(decodeArgs('socket', 'AF_MADEUP, SOCK_STREAM, 0) = 3', 'x86_64')).toEqual([undefined, 1n, 0n]);
    expect(decodeArgs('socket', 'AF_INET, SOCK_STR', 'x86_64')).toEqual([2n, undefined, undefined]); // the line was cut
    expect(decodeArgs('personality', '0xfff', 'x86_64')).toEqual([undefined]); // cut: 0xfff may be 0xffffffff
    expect(decodeArgs('personality', '0xffffffffhello\n) = 0', 'x86_64')).toEqual([undefined]); // program output in the line
    expect(decodeArgs('clone', ', child_tidptr=0x7f) = 5', 'x86_64')).toEqual([undefined]); // only the resumed half
    expect(decodeArgs('clone', 'child_stack=NULL, flags=CLONE_VM|SIGCHLDstrace: Process 5 attached', 'x86_64')).toEqual([undefined]);
  });

  it('splitArgs skips strings, brackets and comments', () => {
    expect(splitArgs('3, "a, b) c", [1, 2], {x=1, y=2} /* a, b */) = 0')).toEqual(['3', '"a, b) c"', '[1, 2]', '{x=1, y=2} /* a, b */']);
    expect(splitArgs(') = 0')).toEqual([]);
    expect(splitArgs('1, 2')).toEqual(['1']);
  });
});
