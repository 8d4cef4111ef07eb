/**
 * The per-pid stage of record --in-container (src/record/after-install.ts) on
 * real `strace -f -qq --pidns-translation` logs of runc 1.1.5 and crun 1.8.1
 * running `sh -c 'cd /tmp && pwd; ls / | sort | head -1'` (fixtures
 * in-container-*.strace.gz, README there), and on hand-made lines for the
 * shapes those runs did not show.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AfterFilterInstall, isFilterInstall } from '../../src/record/after-install.js';
import { StraceParser } from '../../src/ingest/strace/index.js';

const FX = join(import.meta.dirname, '../fixtures/strace');

function fixture(name: string): string[] {
  return gunzipSync(readFileSync(join(FX, name))).toString('utf8').split('\n').filter((l) => l.length);
}

/** Run lines through the stage and the real parser: passed lines, dropped lines, syscall names, pids. */
function run(lines: string[]) {
  const passed: string[] = [];
  const passedAt = new Set<number>();
  const dropped: string[] = [];
  const parser = new StraceParser({ defaultArch: 'x86_64' });
  const names = new Set<string>();
  const pids = new Set<number>();
  const take = (obs: Array<{ name?: string; pid?: number }> = []) => {
    for (const o of obs) {
      names.add(o.name!);
      pids.add(o.pid!);
    }
  };
  const f = new AfterFilterInstall(
    (t, n) => {
      passed.push(t);
      passedAt.add(n);
      take(parser.line(t).obs);
    },
    (t) => dropped.push(t),
  );
  lines.forEach((l, i) => f.line(l, i + 1));
  f.end();
  take(parser.end());
  return { f, passed, passedAt, dropped, names, pids };
}

/** The pids (first field) of lines. */
const pidsOf = (lines: string[]) => new Set(lines.map((l) => Number(l.split(' ')[0])));

describe('isFilterInstall', () => {
  it('takes the successful installs of runc (prctl) and crun (seccomp), not the probes', () => {
    expect(isFilterInstall('prctl', '(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=5, filter=0xc0000b9d40})              = 0')).toBe(true);
    expect(isFilterInstall('seccomp', '(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, {len=5, filter=0x562226c462a0}) = 0')).toBe(true);
    expect(isFilterInstall('seccomp', '(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, {len=5, filter=0x1}) = 4')).toBe(true);
    // libseccomp's feature probes and other modes
    expect(isFilterInstall('seccomp', '(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) = -1 EFAULT (Bad address)')).toBe(false);
    expect(isFilterInstall('seccomp', '(SECCOMP_SET_MODE_STRICT, 0x1, NULL) = -1 EINVAL (Invalid argument)')).toBe(false);
    expect(isFilterInstall('seccomp', '(SECCOMP_GET_ACTION_AVAIL, 0, [SECCOMP_RET_LOG]) = 0')).toBe(false);
    expect(isFilterInstall('prctl', '(PR_GET_SECCOMP) = 0')).toBe(false);
    expect(isFilterInstall('prctl', '(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=5, filter=0x1}) = -1 EACCES (Permission denied)')).toBe(false);
    expect(isFilterInstall('prctl', '(PR_CAPBSET_DROP, CAP_SYS_ADMIN) = 0')).toBe(false);
  });
});

describe('real runtime traces', () => {
  it('runc, noNewPrivileges false: from the prctl install on, the init thread and the shell pipeline; none of runc before it', () => {
    const lines = fixture('in-container-runc-nnp-false.strace.gz');
    const { f, passed, passedAt, dropped, names, pids } = run(lines);
    const start = lines.findIndex((l) => l.startsWith('11312 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER'));
    const install = lines.findIndex((l, i) => i > start && l.startsWith('11312 <... prctl resumed>') && / = 0$/.test(l)) + 1;
    expect(install).toBeGreaterThan(start + 1);
    expect(f.stats.install).toMatchObject({ pid: 11312, line: install });
    expect(f.stats.install!.call).toMatch(/^prctl\(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, \{len=5/);
    expect(f.stats.passed + f.stats.dropped).toBe(lines.length);
    expect(f.stats.unattributed).toBe(0);
    expect(passed.length).toBe(f.stats.passed);
    expect(dropped.length).toBe(f.stats.dropped);
    // the init thread (host pid 11312, pid 1 inside) and the three children sh forked: 6, 7, 8 inside
    expect([...pidsOf(passed)].sort()).toEqual([11312, 11326, 11332, 11333]);
    expect([...pids].sort()).toEqual([11312, 11326, 11332, 11333]);
    // nothing of the init thread before the install; every line of it after
    const initLines = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l.startsWith('11312 '));
    expect(initLines.filter(([, n]) => n > install).length).toBeGreaterThan(100);
    for (const [, n] of initLines) expect(passedAt.has(n)).toBe(n > install);
    // runc's own late calls (noNewPrivileges false: it drops privileges after the install)
    for (const n of ['capget', 'capset', 'setuid', 'setgid', 'setgroups', 'prctl', 'chdir', 'getcwd', 'faccessat2', 'fcntl', 'fstat', 'execve']) expect(names).toContain(n);
    // …but not what it did before the install, nor the other runc processes' calls
    for (const n of ['mount', 'pivot_root', 'sethostname', 'unshare', 'setns', 'umount2', 'seccomp', 'nanosleep', 'epoll_pwait']) expect(names).not.toContain(n);
    // the Go runtime's other thread of the same runc init (tid 11313) is not filtered: dropped
    expect(lines.some((l) => l.startsWith('11313 '))).toBe(true);
    expect(passed.some((l) => l.startsWith('11313 '))).toBe(false);
  });

  it('runc, noNewPrivileges true: the runtime makes far fewer calls after the install', () => {
    const nnpFalse = run(fixture('in-container-runc-nnp-false.strace.gz'));
    const nnpTrue = run(fixture('in-container-runc-nnp-true.strace.gz'));
    // (sh itself calls chdir and getcwd: those stay)
    for (const n of ['capget', 'capset', 'setuid', 'setgid', 'setgroups', 'prctl', 'faccessat2', 'fcntl']) expect(nnpTrue.names).not.toContain(n);
    expect([...nnpTrue.names].every((n) => nnpFalse.names.has(n))).toBe(true);
    expect(nnpTrue.names.size).toBeLessThan(nnpFalse.names.size);
  });

  it('crun: the cut is its seccomp(SECCOMP_SET_MODE_FILTER, …, {filter}) = 0, not the NULL probes before it', () => {
    const lines = fixture('in-container-crun-nnp-false.strace.gz');
    const { f, names } = run(lines);
    expect(f.stats.install!.call).toMatch(/^seccomp\(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, \{len=5/);
    expect(lines.filter((l) => /seccomp\(SECCOMP_SET_MODE_FILTER, \w+, NULL/.test(l)).length).toBeGreaterThan(3);
    for (const n of ['prctl', 'setresuid', 'setresgid', 'capset', 'rt_sigaction', 'execve']) expect(names).toContain(n);
    for (const n of ['mount', 'pivot_root', 'sethostname', 'seccomp', 'clone3']) expect(names).not.toContain(n);
  });
});

describe('hand-made shapes', () => {
  it('a child that runs before its parent clone returns is held, then kept; a child of a dropped process is dropped', () => {
    const { passed, f } = run([
      '11 nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0',
      '10 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=5, filter=0x1}) = 0',
      '10 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
      '20 getpid()                               = 1 /* 20 in strace\'s PID NS */',
      '11 nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0',
      '11 clone(child_stack=0x1, flags=CLONE_VM|CLONE_THREAD) = 30',
      '30 futex(0x1, FUTEX_WAIT, 0, NULL) = 0',
      '10 <... clone resumed>, child_tidptr=0x1) = 2 /* 20 in strace\'s PID NS */',
      '20 exit_group(0)                          = ?',
    ]);
    expect(passed).toEqual([
      '10 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
      '20 getpid()                               = 1 /* 20 in strace\'s PID NS */',
      '10 <... clone resumed>, child_tidptr=0x1) = 2 /* 20 in strace\'s PID NS */',
      '20 exit_group(0)                          = ?',
    ]);
    expect(f.stats.unattributed).toBe(0);
  });

  it('a grandchild that shows before both clones return follows its parent', () => {
    const { passed } = run([
      '10 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=5, filter=0x1}) = 0',
      '10 fork( <unfinished ...>',
      '20 vfork( <unfinished ...>',
      '21 write(1, "x", 1) = 1',
      '20 <... vfork resumed>) = 3 /* 21 in strace\'s PID NS */',
      '10 <... fork resumed>) = 2 /* 20 in strace\'s PID NS */',
    ]);
    expect(passed.filter((l) => l.startsWith('21 '))).toEqual(['21 write(1, "x", 1) = 1']);
  });

  it('an unfinished install cut by another thread, and a thread that execs (pid changes to the leader)', () => {
    const { passed, names, f } = run([
      '10 mount("proc", "/proc", "proc", 0, NULL) = 0',
      '12 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=9, filter=0xc0} <unfinished ...>',
      '10 nanosleep({tv_sec=0, tv_nsec=20000},  <unfinished ...>',
      '12 <... prctl resumed>)                  = 0',
      '10 <... nanosleep resumed>NULL)          = 0',
      '12 capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=0, permitted=0, inheritable=0}) = 0',
      '12 execve("/usr/bin/sh", ["sh"], 0xc0 /* 3 vars */ <unfinished ...>',
      '10 +++ superseded by execve in pid 12 +++',
      '10 <... execve resumed>)                 = 0',
      '10 brk(NULL)                             = 0x55d0',
    ]);
    expect(passed).toEqual([
      '12 capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=0, permitted=0, inheritable=0}) = 0',
      '12 execve("/usr/bin/sh", ["sh"], 0xc0 /* 3 vars */ <unfinished ...>',
      '10 +++ superseded by execve in pid 12 +++',
      '10 <... execve resumed>)                 = 0',
      '10 brk(NULL)                             = 0x55d0',
    ]);
    expect([...names].sort()).toEqual(['brk', 'capset', 'execve']);
    expect(f.stats.execed).toBe(true);
    expect(run(['12 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=9, filter=0xc0}) = 0', '12 execve("/x", ["x"], 0xc0 /* 3 vars */) = -1 ENOENT (No such file or directory)']).f.stats.execed).toBe(false);
  });

  it('only the first install cuts; a pid whose creator never shows is dropped and counted', () => {
    const { passed, f } = run([
      '10 seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) = -1 EFAULT (Bad address)',
      '10 seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=5, filter=0x1}) = 0',
      '10 seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=7, filter=0x2}) = 0',
      '99 read(0, "", 1) = 0',
      'garbage',
    ]);
    expect(passed).toEqual(['10 seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=7, filter=0x2}) = 0']);
    expect(f.stats).toMatchObject({ passed: 1, dropped: 4, unattributed: 1 });
    expect(f.stats.install!.line).toBe(2);
  });

  it('an install with SECCOMP_FILTER_FLAG_TSYNC keeps every thread of the process; without it only the installer', () => {
    const lines = (flags: string) => [
      '10 clone(child_stack=NULL, flags=SIGCHLD) = 20',
      '20 clone(child_stack=0x1, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 21',
      '10 clone(child_stack=0x1, flags=CLONE_VM|CLONE_THREAD) = 11',
      `20 seccomp(SECCOMP_SET_MODE_FILTER, ${flags}, {len=5, filter=0x1}) = 0`,
      '21 futex(0x1, FUTEX_WAKE_PRIVATE, 1) = 0',
      '11 nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0',
      '20 execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0',
    ];
    expect(run(lines('SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_SPEC_ALLOW')).passed).toEqual([
      '21 futex(0x1, FUTEX_WAKE_PRIVATE, 1) = 0',
      '20 execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0',
    ]);
    expect(run(lines('SECCOMP_FILTER_FLAG_SPEC_ALLOW')).passed).toEqual(['20 execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0']);
  });

  it('pids below 10000 are padded to 5 columns', () => {
    const { passed } = run([
      '896   prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=5, filter=0xc0} <unfinished ...>',
      '896   <... prctl resumed>)              = 0',
      '896   clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 901 in strace\'s PID NS */',
      '901   getcwd("/tmp", 4096)              = 5',
    ]);
    expect(passed).toEqual(['896   clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 901 in strace\'s PID NS */', '901   getcwd("/tmp", 4096)              = 5']);
  });

  it('no install: everything dropped', () => {
    const { passed, f } = run(['10 openat(AT_FDCWD, "/", O_RDONLY) = 3', '10 close(3) = 0']);
    expect(passed).toEqual([]);
    expect(f.stats.install).toBeUndefined();
  });
});
