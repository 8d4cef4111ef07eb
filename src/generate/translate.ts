/**
 * Name translation for architectures a profile lists but nobody recorded on.
 *
 * A profile's allow-list is by name, and names differ per architecture: the
 * generic syscall table (aarch64, riscv64, loongarch64, …) has no `open`,
 * `stat`, `pipe`, `epoll_wait`; the C library there calls `openat`,
 * `newfstatat`, `pipe2`, `epoll_pwait` for the same function. A profile
 * recorded on x86_64 that lists aarch64 must allow what the program calls on
 * aarch64, or the program dies there.
 *
 * EQUIVALENTS maps a syscall to the calls glibc (and musl, which follows the
 * same `#ifdef __NR_x … #else` pattern) makes for the same function on an
 * architecture whose table lacks it. Candidates are in the library's order of
 * preference; on a target arch every candidate that exists there is allowed
 * (the library may try a newer call first and fall back). Sources are glibc
 * 2.36 files under sysdeps/unix/sysv/linux/ (and musl 1.2 src/). A table entry
 * applies only where the source name is absent: a name the target has is the
 * target's own call.
 *
 * test/unit/translate.test.ts checks the table against the syscall tables
 * (every source absent on some 64-bit generic arch, every target present
 * there) and against real aarch64 runs under qemu-aarch64-static.
 */
import { type ArchId, archById } from '../arch.js';
import { existsOn } from '../resolve.js';

export interface Equivalent {
  /** What the C library calls instead, in its order of preference. */
  to: readonly string[];
  /** Where that is decided (glibc sysdeps/unix/sysv/linux/…, musl src/…). */
  source: string;
}

const G = (file: string) => `glibc sysdeps/unix/sysv/linux/${file}`;

export const EQUIVALENTS: Readonly<Record<string, Equivalent>> = {
  open: { to: ['openat'], source: `${G('open64.c')}: openat (AT_FDCWD, …) on every arch; musl src/fcntl/open.c: SYS_open or SYS_openat` },
  creat: { to: ['openat'], source: `${G('creat64.c')}: without __NR_creat, open64 (…, O_CREAT|O_WRONLY|O_TRUNC) → openat` },
  stat: { to: ['newfstatat', 'fstatat64', 'statx'], source: `${G('stat64.c')} → fstatat64.c: __NR_newfstatat (64-bit), fstatat64 (32-bit), statx where neither exists` },
  lstat: { to: ['newfstatat', 'fstatat64', 'statx'], source: `${G('lstat64.c')} → fstatat64 (AT_SYMLINK_NOFOLLOW): newfstatat / fstatat64 / statx` },
  newfstatat: { to: ['fstatat64', 'statx'], source: `${G('fstatat64.c')}: fstatat64 on 32-bit tables, statx where no fstatat exists` },
  access: { to: ['faccessat', 'faccessat2'], source: `${G('access.c')}: without __NR_access, faccessat (AT_FDCWD, …, 0); ${G('faccessat.c')} tries faccessat2 first when flags are set` },
  pipe: { to: ['pipe2'], source: `${G('pipe.c')}: without __NR_pipe, pipe2 (fds, 0)` },
  dup2: { to: ['dup3', 'fcntl'], source: `${G('dup2.c')}: without __NR_dup2, dup3; dup2 (fd, fd) is fcntl (fd, F_GETFL)` },
  poll: { to: ['ppoll', 'ppoll_time64'], source: `${G('poll.c')}: without __NR_poll, ppoll (time64 on 32-bit)` },
  select: { to: ['pselect6', 'pselect6_time64'], source: `${G('select.c')}: without __NR_select, pselect6 (time64 on 32-bit)` },
  epoll_wait: { to: ['epoll_pwait'], source: `${G('epoll_wait.c')}: without __NR_epoll_wait, epoll_pwait (…, NULL)` },
  epoll_create: { to: ['epoll_create1'], source: `${G('epoll_create.c')}: without __NR_epoll_create, epoll_create1 (0)` },
  fork: { to: ['clone'], source: `${G('arch-fork.h')}: fork is clone (SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, …) on every arch` },
  vfork: { to: ['clone'], source: `${G('vfork.c')} / arch vfork.S: without __NR_vfork, clone (CLONE_VM | CLONE_VFORK | SIGCHLD, …)` },
  rename: { to: ['renameat', 'renameat2'], source: `${G('rename.c')}: __NR_rename, else renameat (AT_FDCWD, …), else renameat2 (…, 0)` },
  renameat: { to: ['renameat2'], source: `${G('renameat.c')}: without __NR_renameat, renameat2 (…, 0)` },
  mkdir: { to: ['mkdirat'], source: `${G('mkdir.c')}: without __NR_mkdir, mkdirat (AT_FDCWD, …)` },
  rmdir: { to: ['unlinkat'], source: `${G('rmdir.c')}: without __NR_rmdir, unlinkat (AT_FDCWD, …, AT_REMOVEDIR)` },
  unlink: { to: ['unlinkat'], source: `${G('unlink.c')}: without __NR_unlink, unlinkat (AT_FDCWD, …, 0)` },
  link: { to: ['linkat'], source: `${G('link.c')}: without __NR_link, linkat` },
  symlink: { to: ['symlinkat'], source: `${G('symlink.c')}: without __NR_symlink, symlinkat` },
  readlink: { to: ['readlinkat'], source: `${G('readlink.c')}: without __NR_readlink, readlinkat (AT_FDCWD, …)` },
  chmod: { to: ['fchmodat'], source: `${G('chmod.c')}: without __NR_chmod, fchmodat (AT_FDCWD, …)` },
  chown: { to: ['fchownat'], source: `${G('chown.c')}: without __NR_chown, fchownat (AT_FDCWD, …, 0)` },
  lchown: { to: ['fchownat'], source: `${G('lchown.c')}: without __NR_lchown, fchownat (…, AT_SYMLINK_NOFOLLOW)` },
  mknod: { to: ['mknodat'], source: `${G('mknod.c')}: without __NR_mknod, mknodat (AT_FDCWD, …)` },
  utime: { to: ['utimensat', 'utimensat_time64'], source: `${G('utime.c')}: without __NR_utime, utimensat (time64 on 32-bit)` },
  utimes: { to: ['utimensat', 'utimensat_time64'], source: `${G('utimes.c')}: utimensat (AT_FDCWD, …)` },
  futimesat: { to: ['utimensat', 'utimensat_time64'], source: `${G('futimesat.c')}: without __NR_futimesat, utimensat` },
  getdents: { to: ['getdents64'], source: `${G('getdents.c')}: without __NR_getdents, getdents64` },
  alarm: { to: ['setitimer'], source: `${G('alarm.c')}: without __NR_alarm, setitimer (ITIMER_REAL, …)` },
  pause: { to: ['rt_sigsuspend'], source: `${G('pause.c')}: without __NR_pause, sigsuspend → rt_sigsuspend` },
  time: { to: ['clock_gettime', 'clock_gettime64'], source: `${G('time.c')}: without __NR_time, clock_gettime (CLOCK_REALTIME) (vDSO first)` },
  getpgrp: { to: ['getpgid'], source: `${G('getpgrp.c')}: without __NR_getpgrp, getpgid (0)` },
  signalfd: { to: ['signalfd4'], source: `${G('signalfd.c')}: signalfd4 (…, 0)` },
  eventfd: { to: ['eventfd2'], source: `${G('eventfd.c')}: eventfd2 (…, 0)` },
  inotify_init: { to: ['inotify_init1'], source: `${G('inotify_init.c')} (generic): inotify_init1 (0)` },
  getrlimit: { to: ['prlimit64'], source: `${G('getrlimit64.c')}: prlimit64 (0, …)` },
  setrlimit: { to: ['prlimit64'], source: `${G('setrlimit64.c')}: prlimit64 (0, …)` },
  mmap: { to: ['mmap2'], source: `${G('mmap64.c')}: mmap2 on 32-bit tables without __NR_mmap` },
  waitpid: { to: ['wait4'], source: `${G('waitpid.c')}: without __NR_waitpid, wait4` },
  umount: { to: ['umount2'], source: `${G('umount.c')}: umount2 (…, 0)` },
  nice: { to: ['getpriority', 'setpriority'], source: `${G('nice.c')} (generic): getpriority + setpriority` },
  fadvise64: { to: ['fadvise64_64', 'arm_fadvise64_64'], source: `${G('posix_fadvise64.c')}: fadvise64_64 on 32-bit tables (arm: arm_fadvise64_64)` },
};

/** Why a name some arch lacks has no equivalent there. */
const NO_EQUIVALENT: ReadonlyArray<[readonly string[], string]> = [
  [['arch_prctl', 'modify_ldt', 'set_thread_area', 'get_thread_area', 'iopl', 'ioperm', 'vm86', 'vm86old', 'uprobe', 'uretprobe'],
    'an x86-specific call (segment registers, I/O ports, LDT, uprobe trampolines): programs built for this arch do not make it'],
  [['_sysctl', 'afs_syscall', 'create_module', 'get_kernel_syms', 'query_module', 'getpmsg', 'putpmsg', 'security', 'tuxcall', 'vserver', 'epoll_ctl_old', 'epoll_wait_old', 'uselib', 'ustat', 'sysfs'],
    'obsolete or never implemented (the kernel answers ENOSYS where the number exists); newer tables leave it out'],
  [['memfd_secret'], 'the kernel does not provide it on this arch: the program gets ENOSYS there with or without a profile'],
];

export function noEquivalentWhy(name: string): string {
  for (const [names, why] of NO_EQUIVALENT) if (names.includes(name)) return why;
  return 'this arch has no such call and the C library has no replacement for it';
}

export interface Translation {
  arch: ArchId;
  from: string;
  to: string[];
  source: string;
}

export interface TranslationResult {
  /** Names added for an arch, with why. */
  translations: Translation[];
  /** Observed names that do not exist on the arch and have no equivalent there. */
  notOnArch: Array<{ arch: ArchId; name: string; why: string }>;
}

/**
 * What a program that called `names` on a recorded arch calls on `arch`
 * instead, for each name `arch` lacks. Names `arch` has are its own.
 */
export function translateFor(arch: ArchId, names: Iterable<string>): TranslationResult {
  const a = archById(arch);
  const out: TranslationResult = { translations: [], notOnArch: [] };
  for (const name of names) {
    if (existsOn(a, name)) continue;
    const eq = EQUIVALENTS[name];
    const to = eq ? eq.to.filter((t) => existsOn(a, t)) : [];
    if (eq && to.length) out.translations.push({ arch, from: name, to, source: eq.source });
    else out.notOnArch.push({ arch, name, why: noEquivalentWhy(name) });
  }
  return out;
}
