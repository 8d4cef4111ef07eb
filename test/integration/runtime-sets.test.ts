// The runtime sets per privilege mode, proven in real runc and crun, and the bundle that mirrors a real
// container. Needs root, runc, crun, auditd, strace, python3.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';
import { type BundleSpec, containerId, makeBundle, ociConfig, runBundle } from '../../src/runtime/bundle.js';
import { markLog, namesOf, pidWindow, recordsSince } from '../../src/runtime/denials.js';
import { INIT_COMMS, type RuntimeName, findRuntime, runtimeArgv } from '../../src/runtime/runc.js';
import { runtimeBaseSyscalls, runtimeExtraData, runtimeExtraSyscalls, runtimeMeasuredSyscalls } from '../../src/runtime/runtime-base.js';
import { hostArch, archById } from '../../src/arch.js';
import { syscallNumber } from '../../src/resolve.js';
import type { SeccompProfile } from '../../src/profile/types.js';
import type { Observation } from '../../src/types.js';

const ARCHES = hostArch().family.map((a) => archById(a).scmp);
let dir: string;

beforeAll(() => {
  if (!isRoot()) throw new Error('these tests run containers with runc and crun and need root');
  for (const t of ['runc', 'crun', 'strace', 'python3']) requireTool(t);
  requireTool('auditd');
  if (spawnSync('pgrep', ['-x', 'auditd']).status !== 0) spawnSync('auditd');
  dir = mkdtempSync(join(tmpdir(), `syscribe-runtime-sets-${process.pid}-`));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const syscribe = (...args: string[]) => runCli(args, [], { cwd: dir });

/** Run spec once (optionally under a profile); the container's result. */
async function run(runtime: RuntimeName, spec: BundleSpec) {
  const b = await makeBundle(spec);
  try {
    return await runBundle(b, runtime, { timeoutSec: 60 });
  } finally {
    await b.remove();
  }
}

/** The program's own calls inside the container: every call logged in the run's pid window except the runtime init's. */
async function programCalls(runtime: RuntimeName, cmd: string[], noNewPrivileges: boolean, user?: { uid: number; gid: number }): Promise<string[]> {
  const mark = await markLog();
  const r = await run(runtime, { args: cmd, cwd: '/', noNewPrivileges, ...(user ? { user } : {}), seccomp: { defaultAction: 'SCMP_ACT_LOG', architectures: ARCHES, syscalls: [] } });
  expect(r.exitCode, r.stderr + (r.runtimeError ?? '')).toBe(0);
  const inWindow = pidWindow(r.pid!, r.lastPid);
  // The container's pid 1 exits last (sh waits for its pipeline): once its exit_group is in the log, so is the rest.
  const pid1Done = (recs: Observation[]) => namesOf(recs.filter((o) => o.pid === r.pid)).includes('exit_group');
  const got = await recordsSince(mark, (o) => inWindow(o.pid) && o.comm !== INIT_COMMS[runtime], { done: pid1Done, maxMs: 20_000 });
  const names = namesOf(got.records);
  expect(names).toContain('exit_group');
  return names;
}

function allowOnly(names: string[]): SeccompProfile {
  return { defaultAction: 'SCMP_ACT_ERRNO', architectures: ARCHES, syscalls: [{ names: [...new Set(names)].sort(), action: 'SCMP_ACT_ALLOW' }] };
}

const PROGRAMS: Array<[string, string[]]> = [
  ['true', ['/bin/true']],
  ['pipeline', ['sh', '-c', 'ls / | sort | head -1']],
];

describe.each([['runc' as const], ['crun' as const]])('%s: the measured set of each privilege mode starts programs under ERRNO', (runtime) => {
  for (const nnp of [false, true]) {
    it.each(PROGRAMS)(`noNewPrivileges ${nnp}: %s runs allowing only the measured set + its own calls`, async (_name, cmd) => {
      const own = await programCalls(runtime, cmd, nnp);
      const set = runtimeMeasuredSyscalls(runtime, nnp);
      const r = await run(runtime, { args: cmd, cwd: '/', noNewPrivileges: nnp, seccomp: allowOnly([...set, ...own]) });
      expect(r.runtimeError, r.stderr).toBeUndefined();
      expect(r.exitCode, r.stderr).toBe(0);
      if (cmd.length > 1) expect(r.stdout.trim()).toBe('bin');
    }, 60_000);

    it(`noNewPrivileges ${nnp}: as uid 1000 (runAsUser), the pipeline runs allowing only the measured set + its own calls`, async () => {
      const user = { uid: 1000, gid: 1000 };
      const cmd = PROGRAMS[1]![1];
      const own = await programCalls(runtime, cmd, nnp, user);
      const r = await run(runtime, { args: cmd, cwd: '/', noNewPrivileges: nnp, user, seccomp: allowOnly([...runtimeMeasuredSyscalls(runtime, nnp), ...own]) });
      expect(r.runtimeError, r.stderr).toBeUndefined();
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('bin');
    }, 60_000);
  }
});

describe('privilege modes differ', () => {
  it('runc: the noNewPrivileges-true set is not enough when noNewPrivileges is false (the container does not start)', async () => {
    const own = await programCalls('runc', ['/bin/true'], true);
    expect(own).not.toContain('setuid');
    const r = await run('runc', { args: ['/bin/true'], cwd: '/', noNewPrivileges: false, seccomp: allowOnly([...runtimeMeasuredSyscalls('runc', true), ...own]) });
    expect(r.exitCode).not.toBe(0);
    expect(r.runtimeError ?? r.stderr).toMatch(/operation not permitted/i);
  }, 60_000);

  it('runc\'s own set-up after the filter when noNewPrivileges is false (issue 11) is in the default set, not in the restricted one', () => {
    const late = ['prctl', 'fcntl', 'fstat', 'capget', 'capset', 'chdir', 'setgroups', 'setgid', 'setuid', 'getcwd', 'faccessat2'];
    expect(runtimeMeasuredSyscalls('runc', false)).toEqual(expect.arrayContaining([...late, 'fchown']));
    expect(runtimeBaseSyscalls('runc')).toEqual(expect.arrayContaining(late));
    for (const n of ['setuid', 'setgid', 'setgroups', 'capset', 'capget', 'chdir']) expect(runtimeBaseSyscalls('runc', true)).not.toContain(n);
    // crun with create/start (as podman runs it) waits on the exec fifo after the filter when noNewPrivileges is false.
    expect(runtimeMeasuredSyscalls('crun', false)).toEqual(expect.arrayContaining(['setresuid', 'capset', 'pselect6', 'read']));
    expect(runtimeMeasuredSyscalls('crun', true)).toEqual(['close', 'execve']);
  });
});

/**
 * strace -f around `RUNTIME run`: the names the thread that installed the filter (prctl(PR_SET_SECCOMP) or a
 * seccomp(SECCOMP_SET_MODE_FILTER) that returned, not libseccomp's NULL probes) called from then to its execve.
 */
async function straceAfterFilter(runtime: RuntimeName, nnp: boolean): Promise<string[]> {
  const b = await makeBundle({ args: ['/bin/true'], cwd: '/', noNewPrivileges: nnp, seccomp: { defaultAction: 'SCMP_ACT_LOG', architectures: ARCHES, syscalls: [] } });
  const id = containerId();
  const trace = join(b.dir, 'trace');
  try {
    const { file, args } = runtimeArgv(findRuntime(runtime), ['run', '--bundle', b.dir, id]);
    const r = spawnSync('strace', ['-f', '-qq', '-o', trace, file, ...args], { encoding: 'utf8', cwd: b.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status, r.stderr).toBe(0);
    let tid: string | undefined;
    const names = new Set<string>();
    for (const line of readFileSync(trace, 'utf8').split('\n')) {
      const m = /^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]/.exec(line);
      if (!m) continue;
      const [, t, n] = m;
      if (!tid) {
        if ((n === 'prctl' && line.includes('PR_SET_SECCOMP')) || (n === 'seccomp' && line.includes('SECCOMP_SET_MODE_FILTER') && !line.includes('NULL'))) tid = t;
        continue;
      }
      if (t !== tid || line.includes('resumed>')) continue;
      names.add(n!);
      if (n === 'execve') break;
    }
    expect(tid, 'the filter install').toBeDefined();
    return [...names].sort();
  } finally {
    spawnSync(runtimeArgv(findRuntime(runtime), ['delete', '-f', id]).file, runtimeArgv(findRuntime(runtime), ['delete', '-f', id]).args);
    await b.remove();
  }
}

describe('the audit-log measurement misses nothing strace sees', () => {
  it.each([['runc' as const, false], ['runc' as const, true], ['crun' as const, false], ['crun' as const, true]])('%s, noNewPrivileges %s: strace -f of the installing thread ⊆ the stored set', async (runtime, nnp) => {
    const seen = await straceAfterFilter(runtime, nnp);
    expect(seen).toContain('execve');
    if (!nnp) expect(seen).toContain(runtime === 'runc' ? 'setuid' : 'setresuid');
    const stored = runtimeMeasuredSyscalls(runtime, nnp);
    for (const n of seen) expect(stored, `${n} (strace) not in the stored ${runtime} set`).toContain(n);
  }, 60_000);
});

describe('newer runtime releases (src/data/runtime-extra.json)', () => {
  it('every name is a real syscall, every entry says which releases and which source file', () => {
    const d = runtimeExtraData();
    const arch = archById(hostArch().id);
    for (const rt of ['runc', 'crun'] as const) {
      expect(d[rt]!.length).toBeGreaterThan(0);
      for (const e of d[rt]!) {
        expect(syscallNumber(arch, e.name), e.name).toBeDefined();
        expect(e.modes.length).toBeGreaterThan(0);
        for (const m of e.modes) expect(['nnp=false', 'nnp=true']).toContain(m);
        expect(e.releases).toMatch(/\d|every/);
        expect(e.source).toMatch(/\.(go|c)\b|Go runtime/);
      }
    }
  });

  it('runc 1.3.3 (openat2, statx) and crun 1.14+ (close_range) are in the sets a profile gets, in both modes', () => {
    for (const nnp of [false, true]) {
      expect(runtimeBaseSyscalls('runc', nnp)).toEqual(expect.arrayContaining(['openat2', 'statx']));
      expect(runtimeBaseSyscalls('crun', nnp)).toContain('close_range');
      expect(runtimeBaseSyscalls('any', nnp)).toEqual(expect.arrayContaining(['openat2', 'statx', 'close_range', ...runtimeMeasuredSyscalls('runc', nnp), ...runtimeMeasuredSyscalls('crun', nnp)]));
    }
    // finalizeNamespace runs before the filter when noNewPrivileges is true: no user switch, no close_range in runc's restricted set.
    expect(runtimeExtraSyscalls('runc', true)).not.toContain('close_range');
    expect(runtimeExtraSyscalls('runc', true)).not.toContain('fchown');
    expect(runtimeExtraSyscalls('runc', false)).toEqual(expect.arrayContaining(['close_range', 'fchown']));
  });
});

describe('profiles from the generator start where users run them', () => {
  const cmd = ['sh', '-c', 'ls / | sort | head -1'];
  let log: string;
  beforeAll(() => {
    log = join(dir, 'pipeline.strace');
    execFileSync('strace', ['-f', '-qq', '-o', log, ...cmd], { stdio: 'ignore', cwd: '/' });
  });

  async function runProfile(runtime: RuntimeName, profile: string, nnp: boolean) {
    return run(runtime, { args: cmd, cwd: '/', noNewPrivileges: nnp, seccomp: JSON.parse(readFileSync(profile, 'utf8')) });
  }

  it('default (--runtime any, noNewPrivileges false): starts under runc and crun, with noNewPrivileges false and true', async () => {
    const p = join(dir, 'default.json');
    const g = await syscribe('strace', log, '--baseline', 'none', '-o', p);
    expect(g.code, g.err).toBe(0);
    expect(g.err).toMatch(/runtime: runc and crun with noNewPrivileges false/);
    for (const rt of ['runc', 'crun'] as const) {
      for (const nnp of [false, true]) {
        const r = await runProfile(rt, p, nnp);
        expect(r.runtimeError, `${rt} nnp=${nnp}: ${r.stderr}`).toBeUndefined();
        expect(r.exitCode, `${rt} nnp=${nnp}: ${r.stderr}`).toBe(0);
        expect(r.stdout.trim()).toBe('bin');
      }
    }
  }, 120_000);

  it('--no-new-privileges: starts with noNewPrivileges true; runc does not start it with noNewPrivileges false', async () => {
    const p = join(dir, 'nnp.json');
    const g = await syscribe('strace', log, '--baseline', 'none', '--runtime', 'runc', '--no-new-privileges', '-o', p);
    expect(g.code, g.err).toBe(0);
    expect(g.err).toMatch(/runtime: runc with noNewPrivileges true/);
    const allowed = (JSON.parse(readFileSync(p, 'utf8')) as SeccompProfile).syscalls!.flatMap((r) => r.names);
    for (const n of runtimeBaseSyscalls('runc', true)) expect(allowed).toContain(n);
    const ok = await runProfile('runc', p, true);
    expect(ok.exitCode, ok.stderr + (ok.runtimeError ?? '')).toBe(0);
    expect(ok.stdout.trim()).toBe('bin');
    // sh, ls, sort and head never call capset; runc does, after the filter, when noNewPrivileges is false.
    expect(allowed).not.toContain('capset');
    const bad = await runProfile('runc', p, false);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.runtimeError ?? bad.stderr).toMatch(/operation not permitted/i);
  }, 120_000);

  it('record --baseline none --runtime none style profile + the nnp=false set (generator) runs in an nnp=false bundle', async () => {
    const exact = join(dir, 'exact.json');
    expect((await syscribe('strace', log, '--baseline', 'none', '--runtime', 'none', '-o', exact)).code).toBe(0);
    const names = (JSON.parse(readFileSync(exact, 'utf8')) as SeccompProfile).syscalls!.flatMap((r) => r.names);
    for (const rt of ['runc', 'crun'] as const) {
      const r = await run(rt, { args: cmd, cwd: '/', seccomp: allowOnly([...names, ...runtimeBaseSyscalls(rt, false)]) });
      expect(r.exitCode, `${rt}: ${r.stderr}${r.runtimeError ?? ''}`).toBe(0);
      expect(r.stdout.trim()).toBe('bin');
    }
  }, 120_000);
});

describe('record --verify proves the profile in the mode it was made for', () => {
  it('record --no-new-privileges --verify runs the check with noNewPrivileges true (it failed with false: capset, setuid… denied)', async () => {
    const r = await syscribe('record', '--baseline', 'none', '--runtime', 'runc', '--no-new-privileges', '--verify', '-o', join(dir, 'rec-nnp.json'), '--', 'sh', '-c', 'ls / | sort | head -1');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^verify: pass/m);
  }, 120_000);
});

describe('the bundle mirrors a real container', () => {
  it('config: runc spec mounts, 14 default caps, no inheritable/ambient, noNewPrivileges false unless asked', () => {
    const c = ociConfig({ args: ['true'], cwd: '/' }) as { process: { noNewPrivileges: boolean; capabilities: Record<string, string[]> }; mounts: Array<{ destination: string; type: string; options?: string[] }> };
    expect(c.process.noNewPrivileges).toBe(false);
    expect((ociConfig({ args: ['true'], cwd: '/', noNewPrivileges: true }) as typeof c).process.noNewPrivileges).toBe(true);
    expect(Object.keys(c.process.capabilities).sort()).toEqual(['bounding', 'effective', 'permitted']);
    expect(c.process.capabilities.bounding).toHaveLength(14);
    const m = Object.fromEntries(c.mounts.map((x) => [x.destination, x]));
    expect(m['/dev/pts']).toMatchObject({ type: 'devpts', options: expect.arrayContaining(['newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']) });
    expect(m['/dev/shm']).toMatchObject({ type: 'tmpfs', options: expect.arrayContaining(['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']) });
    expect(m['/dev/mqueue']).toMatchObject({ type: 'mqueue' });
    expect(m['/sys']).toMatchObject({ type: 'sysfs', options: expect.arrayContaining(['ro']) });
  });

  it.each([['runc' as const], ['crun' as const]])('%s: POSIX shared memory works (PostgreSQL\'s "could not open shared memory segment")', async (runtime) => {
    const py = 'from multiprocessing import shared_memory as s\nm = s.SharedMemory(create=True, size=1 << 20)\nm.buf[0] = 7\nn = s.SharedMemory(name=m.name)\nprint(n.buf[0])\nn.close(); m.close(); m.unlink()';
    const r = await run(runtime, { args: ['python3', '-c', py], cwd: '/' });
    expect(r.runtimeError, r.stderr).toBeUndefined();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('7');
  }, 60_000);

  it.each([['runc' as const], ['crun' as const]])('%s: inside, /dev/pts /dev/shm /dev/mqueue /sys (ro) and the default devices exist; NoNewPrivs and CapBnd as set', async (runtime) => {
    const sh = 'grep -E "^(NoNewPrivs|CapBnd|CapInh|CapAmb):" /proc/self/status; for d in /dev/pts /dev/shm /dev/mqueue /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx /dev/fd; do test -e $d && echo "ok $d"; done; touch /sys/x 2>/dev/null || echo "sys ro"';
    const off = await run(runtime, { args: ['sh', '-c', sh], cwd: '/' });
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^NoNewPrivs:\s+0$/m);
    expect(off.stdout).toMatch(/^CapBnd:\s+00000000a80425fb$/m); // the 14 OCI defaults
    expect(off.stdout).toMatch(/^CapInh:\s+0+$/m);
    expect(off.stdout).toMatch(/^CapAmb:\s+0+$/m);
    for (const d of ['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/ptmx', '/dev/fd']) expect(off.stdout).toContain(`ok ${d}\n`);
    expect(off.stdout).toContain('sys ro');
    const on = await run(runtime, { args: ['sh', '-c', sh], cwd: '/', noNewPrivileges: true });
    expect(on.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
  }, 60_000);
});

describe('audit-profile out of the box', () => {
  it('default output has no flags and starts under Debian\'s runc 1.1.5; --log-denials adds the flag and runc\'s refusal is said in plain words', async () => {
    const a = join(dir, 'audit.json');
    expect((await syscribe('audit-profile', '-o', a)).code).toBe(0);
    const p = JSON.parse(readFileSync(a, 'utf8')) as SeccompProfile;
    expect(p.defaultAction).toBe('SCMP_ACT_LOG');
    expect(p.flags).toBeUndefined();
    const ok = await syscribe('verify', '--profile', a, '--', 'sh', '-c', 'ls / | sort | head -1');
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/^pass:/);

    const f = join(dir, 'audit-flags.json');
    expect((await syscribe('audit-profile', '--log-denials', '-o', f)).code).toBe(0);
    expect((JSON.parse(readFileSync(f, 'utf8')) as SeccompProfile).flags).toEqual(['SECCOMP_FILTER_FLAG_LOG']);
    const v = execFileSync('runc', ['--version'], { encoding: 'utf8' });
    if (/^runc version 1\.1\./m.test(v)) {
      const bad = await syscribe('verify', '--profile', f, '--', 'true');
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/refuses seccomp profiles with a "flags" field/);
      expect(bad.out).toMatch(/without --log-denials/);
    }
  }, 120_000);
});
