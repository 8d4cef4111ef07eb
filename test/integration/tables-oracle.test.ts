/**
 * The generated syscall tables (src/data/syscalls.generated.ts, from libseccomp's
 * syscalls.csv) checked entry by entry against independent oracles:
 *  1. scmp_sys_resolver (Debian libseccomp 2.5.4; knows numbers up to 456), on the 19 arches it
 *     accepts: every number of each arch's range (number → name) and every name of our table
 *     (name → number). xargs forks the resolver (no shell, ~20× cheaper than a Node spawn each).
 *  2. ausyscall --dump (audit userspace 3.0.9; up to 450): every (number, name) it prints.
 *  3. the running kernel, for numbers newer than both tools: a child calls each such number with
 *     bad arguments under bpftrace, and the kernel's own per-syscall tracepoint says which syscall
 *     it dispatched to.
 *  4. arches no installed tool knows (loongarch64, m68k, sh/sheb): the kernel's shared numbering
 *     (asm-generic, the y2038 block 403–423, the unified numbers from 424 on), anchored to tables
 *     oracle 1 checked.
 * Every disagreement is listed below with its justification; a listed exception that stops being
 * needed fails the test too.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHES, type Arch, type ArchId, archById, hostArch } from '../../src/arch.js';
import { allSyscallNames, canonicalName, existsOn, syscallName, syscallNumber, tableEntries } from '../../src/resolve.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const JOBS = Math.max(2, availableParallelism());

function run(cmd: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { maxBuffer: 64 << 20, env: env ?? process.env }, (err, stdout, stderr) =>
      err ? rej(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : res({ stdout, stderr }));
    child.stdin!.on('error', () => { /* a tool that does not read stdin closes it: EPIPE is harmless */ });
    if (input === undefined) child.stdin!.end();
    else child.stdin!.end(input);
  });
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function lazy<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/** Every problem names the syscalls involved, so an `arch:name` exception can excuse it. */
interface Problem { arch: ArchId; names: string[]; text: string }

/** Problems not excused by `exceptions`, plus exceptions that excused nothing. */
function unexcused(problems: Problem[], exceptions: Record<string, string>): string[] {
  const used = new Set<string>();
  const out: string[] = [];
  for (const p of problems) {
    const keys = p.names.map((n) => `${p.arch}:${n}`).filter((k) => exceptions[k] !== undefined);
    if (keys.length) keys.forEach((k) => used.add(k));
    else out.push(`${p.arch}: ${p.text}`);
  }
  for (const k of Object.keys(exceptions)) if (!used.has(k)) out.push(`${k}: listed as an exception but agrees now`);
  return out;
}

// ─── 1. scmp_sys_resolver ─────────────────────────────────────────────────────────────────────

/** Every arch libseccomp 2.5.4's scmp_sys_resolver accepts; it prints its usage for the others. */
const RESOLVER_ARCHES: ArchId[] = [
  'x86', 'x86_64', 'x32', 'arm', 'aarch64', 'mips', 'mipsel', 'mips64', 'mipsel64', 'mips64n32', 'mipsel64n32',
  'parisc', 'parisc64', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x', 'riscv64',
];
const RESOLVER_UNSUPPORTED: ArchId[] = ['loongarch64', 'm68k', 'sh', 'sheb'];
const NAME_ARCHES = RESOLVER_ARCHES.filter((id) => !['mipsel', 'mipsel64', 'mipsel64n32', 'ppc64le'].includes(id));

/** Numbers swept per arch: nrBase + [0, SWEEP), and ARM's private range. */
const SWEEP = 600;
/** The oracle must know nothing in the top HEADROOM numbers of the sweep: proof the sweep covers its whole range. */
const HEADROOM = 48;
const ARM_PRIVATE = 0x0f0000;
const ARM_PRIVATE_SWEEP = 64;

/**
 * Justified disagreements with scmp_sys_resolver, keyed `arch:name`.
 * Not exceptions but rules: a number we know and the oracle does not is fine when it is above the
 * oracle's highest ordinary number (newer syscalls; checked against the kernel in part 3); names of
 * the socketcall/ipc families that libseccomp 2.5.4 resolves to pseudo-numbers (-101…, -201…) are
 * checked through the number sweep instead.
 */
const NEWER_IN_GAP = 'kernel 6.11/6.15 put it in a hole below the oracle max (syscall_64.tbl "335 common uretprobe", "336 common uprobe"); confirmed by the running kernel below';
const RESOLVER_EXCEPTIONS: Record<string, string> = {
  'x86_64:uretprobe': NEWER_IN_GAP,
  'x86_64:uprobe': NEWER_IN_GAP,
  'x32:uretprobe': `${NEWER_IN_GAP}; "common" = x32 too`,
  'x32:uprobe': `${NEWER_IN_GAP}; "common" = x32 too`,
  'riscv64:riscv_hwprobe': 'riscv private call 258 (arch range 244+, Linux 6.4): in a hole below the oracle max, newer than libseccomp 2.5.4',
  'x32:map_shadow_stack': 'kernel syscall_64.tbl has "453 64 map_shadow_stack" (not x32) and 2.5.4 says PNR, but upstream libseccomp\'s CSV (our source) gives x32 453; we keep libseccomp\'s table, so a profile names what libseccomp would',
  'parisc64:_llseek': 'the kernel made it 32-bit only ("140 32 _llseek" in parisc syscall.tbl); 2.5.4 predates that, the CSV follows it',
};

interface ResolverTable {
  byNr: Map<number, string>;
  /** The oracle's highest number outside ARM's private range and x32's 512… compat block. */
  max: number;
  /** name → what the oracle printed (a number, -1 unknown, pseudo-number for PNR / multiplexed). */
  byName: Map<string, number>;
  swept: number[];
}

function sweepOf(a: Arch): number[] {
  const nums = Array.from({ length: SWEEP }, (_, i) => a.nrBase + i);
  if (a.id === 'arm') for (let i = 0; i < ARM_PRIVATE_SWEEP; i++) nums.push(ARM_PRIVATE + i);
  return nums;
}
const ordinary = (a: Arch, n: number) => (a.id === 'arm' ? n < ARM_PRIVATE : a.id === 'x32' ? n - a.nrBase < 512 : true);

/** `bin -a arch X` for every X, one fork each, through xargs; one output line per input. */
async function resolveMany(xargs: string, bin: string, arch: ArchId, inputs: readonly string[]): Promise<string[]> {
  const { stdout } = await run(xargs, ['-d', '\n', '-n', '1', '--', bin, '-a', arch], `${inputs.join('\n')}\n`);
  const out = stdout.split('\n');
  if (out.at(-1) === '') out.pop();
  if (out.length !== inputs.length) throw new Error(`scmp_sys_resolver -a ${arch}: ${out.length} lines for ${inputs.length} inputs`);
  return out;
}

const resolverBin = () => requireTool('scmp_sys_resolver', 'seccomp');
const resolverData = lazy(async () => {
  const bin = resolverBin();
  const xargs = requireTool('xargs', 'findutils');
  const names = allSyscallNames();
  // Numbers on all 19 (that also checks which table and number base each of our arches uses); names once per
  // libseccomp table (mipsel, mipsel64, mipsel64n32 and ppc64le share their twin's: same answers).
  const jobs = RESOLVER_ARCHES.flatMap((id) => [{ id, kind: 'nr' as const }, ...(NAME_ARCHES.includes(id) ? [{ id, kind: 'name' as const }] : [])]);
  const t0 = Date.now();
  const outs = await pool(jobs, JOBS, (j) =>
    resolveMany(xargs, bin, j.id, j.kind === 'nr' ? sweepOf(archById(j.id)).map(String) : names));
  const data = new Map<ArchId, ResolverTable>();
  let calls = 0;
  jobs.forEach((j, i) => {
    const a = archById(j.id);
    const t = data.get(j.id) ?? { byNr: new Map(), byName: new Map(), max: -1, swept: sweepOf(a) };
    data.set(j.id, t);
    const out = outs[i]!;
    calls += out.length;
    if (j.kind === 'nr') {
      t.swept.forEach((n, k) => {
        const v = out[k]!.trim();
        if (v === 'UNKNOWN') return;
        if (!/^\w+$/.test(v)) throw new Error(`scmp_sys_resolver -a ${j.id} ${n}: unexpected output ${v}`);
        t.byNr.set(n, v);
        if (ordinary(a, n)) t.max = Math.max(t.max, n);
      });
    } else {
      names.forEach((name, k) => {
        const v = out[k]!.trim();
        if (!/^-?\d+$/.test(v)) throw new Error(`scmp_sys_resolver -a ${j.id} ${name}: unexpected output ${v}`);
        t.byName.set(name, Number(v));
      });
    }
  });
  console.log(`scmp_sys_resolver: ${calls} lookups (${RESOLVER_ARCHES.length} arches × ${SWEEP}+ numbers, ${NAME_ARCHES.length} × ${names.length} names) in ${Date.now() - t0} ms with ${JOBS} jobs`);
  return data;
});

describe('tables vs scmp_sys_resolver (libseccomp 2.5.4)', () => {
  it('accepts exactly the arches we expect', async () => {
    const bin = resolverBin();
    for (const a of RESOLVER_ARCHES) expect((await run(bin, ['-a', a, 'read'])).stdout.trim(), a).toMatch(/^\d+$/);
    for (const a of RESOLVER_UNSUPPORTED) await expect(run(bin, ['-a', a, 'read']), a).rejects.toThrow();
    expect([...RESOLVER_ARCHES, ...RESOLVER_UNSUPPORTED].sort()).toEqual(ARCHES.map((a) => a.id).sort());
  });

  it('the sweep covers every number the oracle knows', async () => {
    const data = await resolverData();
    for (const id of RESOLVER_ARCHES) {
      const a = archById(id);
      const t = data.get(id)!;
      const top = [...t.byNr.keys()].filter((n) => !(id === 'arm' && n >= ARM_PRIVATE) && n >= a.nrBase + SWEEP - HEADROOM);
      expect(top, `${id}: oracle knows numbers near the end of the sweep; raise SWEEP`).toEqual([]);
      if (id === 'arm') expect([...t.byNr.keys()].filter((n) => n >= ARM_PRIVATE + ARM_PRIVATE_SWEEP / 2)).toEqual([]);
      // every number of our table lies inside the sweep
      const swept = new Set(t.swept);
      expect(tableEntries(a).filter(([n]) => !swept.has(n)), id).toEqual([]);
      expect(t.byNr.size, id).toBeGreaterThan(300);
    }
  });

  it('number → name: agrees on every number of every arch it knows', async () => {
    const data = await resolverData();
    const problems: Problem[] = [];
    const newer: string[] = [];
    let agreed = 0;
    for (const id of RESOLVER_ARCHES) {
      const a = archById(id);
      const t = data.get(id)!;
      for (const n of t.swept) {
        const theirs = t.byNr.get(n);
        const ours = syscallName(a, n);
        if (theirs !== undefined && theirs === ours) agreed++;
        else if (theirs !== undefined && ours !== undefined) problems.push({ arch: id, names: [theirs, ours], text: `${n}: oracle ${theirs}, ours ${ours}` });
        else if (theirs !== undefined) problems.push({ arch: id, names: [theirs], text: `${n}: oracle ${theirs}, not in our table` });
        else if (ours !== undefined) {
          if (ordinary(a, n) && n > t.max) newer.push(`${id}:${n}:${ours}`);
          else problems.push({ arch: id, names: [ours], text: `${n}: ours ${ours}, unknown to the oracle although below its max ${t.max}` });
        }
      }
    }
    console.log(`number → name: ${agreed} agree; ${newer.length} newer than the oracle (e.g. ${newer.filter((s) => s.startsWith('x86_64:')).join(' ')})`);
    expect(agreed).toBeGreaterThan(7000);
    expect(unexcused(problems, RESOLVER_EXCEPTIONS)).toEqual([]);
  });

  it('name → number: agrees on every name of our table on every arch it knows', async () => {
    const data = await resolverData();
    const problems: Problem[] = [];
    let direct = 0;
    let pseudo = 0;
    for (const id of NAME_ARCHES) {
      const a = archById(id);
      const t = data.get(id)!;
      for (const name of allSyscallNames()) {
        const theirs = t.byName.get(name)!;
        const ours = existsOn(a, name) ? syscallNumber(a, name) : undefined;
        const bad = (text: string) => problems.push({ arch: id, names: [name], text: `${name}: ${text}` });
        if (theirs >= 0) {
          direct++;
          if (ours !== theirs) bad(`oracle ${theirs}, ours ${ours}`);
        } else if (theirs === -1) {
          // a name libseccomp 2.5.4 does not know at all: must be newer than the oracle's range
          if (ours !== undefined && !(ordinary(a, ours) && ours > t.max)) bad(`unknown to the oracle, ours ${ours} <= its max ${t.max}`);
        } else if (theirs <= -101 && theirs >= -299) {
          // socketcall/ipc subcall: the oracle gives a pseudo-number; a direct number of ours must be the oracle's name for it
          pseudo++;
          if (ours !== undefined && t.byNr.get(ours) !== name) bad(`oracle pseudo ${theirs}, ours ${ours} = oracle ${t.byNr.get(ours)}`);
        } else if (theirs <= -10000) {
          if (ours !== undefined) bad(`oracle: not on this arch (${theirs}), ours ${ours}`);
        } else bad(`unexpected oracle answer ${theirs}`);
      }
    }
    console.log(`name → number: ${direct} direct numbers, ${pseudo} socketcall/ipc pseudo-numbers`);
    expect(direct).toBeGreaterThan(5500);
    expect(pseudo).toBeGreaterThan(150);
    expect(unexcused(problems, RESOLVER_EXCEPTIONS)).toEqual([]);
  });
});

// ─── 2. ausyscall ─────────────────────────────────────────────────────────────────────────────

/**
 * ausyscall's arch argument → its banner → our arches compared with that table. It falls back to
 * x86_64 for names it does not know (mips*, riscv64, loongarch64, parisc, m68k, sh, arm64,
 * powerpc…), so the banner is checked. ppc, ppc64 and ppc64le print one and the same table (a union
 * of both ABIs), compared with each of our three.
 */
const AUSYSCALL: Array<{ as: string; banner: string; ours: ArchId[] }> = [
  { as: 'x86_64', banner: 'x86_64', ours: ['x86_64'] },
  { as: 'i386', banner: 'i386', ours: ['x86'] },
  { as: 'arm', banner: 'armeb', ours: ['arm'] },
  { as: 'aarch64', banner: 'aarch64', ours: ['aarch64'] },
  { as: 'ppc', banner: 'ppc', ours: ['ppc', 'ppc64', 'ppc64le'] },
  { as: 's390', banner: 's390', ours: ['s390'] },
  { as: 's390x', banner: 's390x', ours: ['s390x'] },
];

/**
 * ausyscall's spelling → our canonical name, where it is the same syscall; canonicalName must map
 * it (src/resolve.ts ALIASES) on every arch where ausyscall prints it.
 */
const SPELLINGS: Record<string, { canonical: string; why: string }> = {
  pread: { canonical: 'pread64', why: 'audit userspace keeps the pre-2.6 name; the kernel tables say pread64' },
  pwrite: { canonical: 'pwrite64', why: 'same, pwrite64' },
  sys_kexec_load: { canonical: 'kexec_load', why: 'i386 283: audit userspace copied the entry point (sys_kexec_load) instead of the name' },
  sched_rr_get_interval64: { canonical: 'sched_rr_get_interval_time64', why: 'audit userspace abbreviates the y2038 name (423)' },
  llseek: { canonical: '_llseek', why: 'arm 140: audit userspace drops the leading underscore' },
  newselect: { canonical: '_newselect', why: 'arm 142: leading underscore dropped' },
  sysctl: { canonical: '_sysctl', why: 'arm 149: leading underscore dropped' },
  fadvise64_64: { canonical: 'arm_fadvise64_64', why: 'arm 270: the kernel names it arm_fadvise64_64 (argument order differs from the generic one)' },
  sync_file_range: { canonical: 'arm_sync_file_range', why: 'arm 341: the kernel names it arm_sync_file_range (sys_sync_file_range2)' },
  getdents: { canonical: 'getdents64', why: 'aarch64 61: asm-generic has only getdents64 at 61' },
  newfstat: { canonical: 'fstat', why: 'aarch64 80: the entry point is sys_newfstat, the name fstat' },
  fstatat64: { canonical: 'newfstatat', why: 'ppc64 291: audit\'s one ppc table uses the 32-bit name; on ppc64 the kernel has newfstatat' },
  timerfd: { canonical: 'timerfd_create', why: 'ppc 306: timerfd() was renamed timerfd_create (2.6.25) at the same number' },
  perf_counter_open: { canonical: 'perf_event_open', why: 'ppc 319: pre-2.6.32 name of perf_event_open' },
};

/** Justified differences with ausyscall that are not spellings, keyed `arch:number:ausyscallName`. */
const AUSYSCALL_EXCEPTIONS: Record<string, string> = {};
{
  const OABI = 'ARM OABI-only entry ("oabi" in the kernel tbl); the EABI table seccomp and audit see has no such number';
  for (const k of ['13:time', '22:umount', '25:stime', '27:alarm', '30:utime', '76:getrlimit', '82:select', '89:readdir', '90:mmap', '102:socketcall', '113:syscall', '117:ipc']) {
    AUSYSCALL_EXCEPTIONS[`arm:${k}`] = OABI;
  }
  AUSYSCALL_EXCEPTIONS['ppc:392:semtimedop'] = 'one table for both ppc ABIs; 392 is "64"-only in the kernel tbl (ppc32 has ipc / semtimedop_time64 420)';
  const PPC32_ONLY = 'one table for both ppc ABIs; "32"-only in the kernel tbl (64-bit-offset / time64 variants)';
  for (const a of ['ppc64', 'ppc64le']) {
    for (const k of ['192:mmap2', '193:truncate64', '194:ftruncate64', '195:stat64', '196:lstat64', '197:fstat64', '204:fcntl64',
      '226:sendfile64', '254:fadvise64_64', '403:clock_gettime64', '404:clock_settime64', '405:clock_adjtime64',
      '406:clock_getres_time64', '407:clock_nanosleep_time64', '408:timer_gettime64', '409:timer_settime64',
      '410:timerfd_gettime64', '411:timerfd_settime64', '412:utimensat_time64', '413:pselect6_time64', '414:ppoll_time64',
      '416:io_pgetevents_time64', '417:recvmmsg_time64', '418:mq_timedsend_time64', '419:mq_timedreceive_time64',
      '420:semtimedop_time64', '421:rt_sigtimedwait_time64', '422:futex_time64', '423:sched_rr_get_interval_time64']) {
      AUSYSCALL_EXCEPTIONS[`${a}:${k}`] = PPC32_ONLY;
    }
  }
}

const ausyscallBin = () => requireTool('ausyscall', 'auditd');

async function dump(as: string): Promise<{ banner: string; entries: Array<[number, string]> }> {
  const lines = (await run(ausyscallBin(), [as, '--dump'])).stdout.split('\n').filter((l) => l.trim() !== '');
  const entries = lines.slice(1).map((l): [number, string] => {
    const m = /^(\d+)\t(\w+)$/.exec(l);
    if (!m) throw new Error(`ausyscall ${as} --dump: unexpected line ${JSON.stringify(l)}`);
    return [Number(m[1]), m[2]!];
  });
  return { banner: lines[0] ?? '', entries };
}

describe('tables vs ausyscall --dump (audit userspace)', () => {
  const usedSpellings = new Set<string>();
  const usedExceptions = new Set<string>();

  it('ppc, ppc64 and ppc64le are one table', async () => {
    const [a, b, c] = await Promise.all([dump('ppc'), dump('ppc64'), dump('ppc64le')]);
    expect(b.entries).toEqual(a.entries);
    expect(c.entries).toEqual(a.entries);
  });

  for (const { as, banner, ours } of AUSYSCALL) {
    it(`ausyscall ${as} agrees with our ${ours.join(', ')}`, async () => {
      const d = await dump(as);
      expect(d.banner).toBe(`Using ${banner} syscall table:`);
      expect(d.entries.length).toBeGreaterThan(250);
      const resolver = await resolverData();
      const problems: string[] = [];
      for (const id of ours) {
        const arch = archById(id);
        const known = new Set<number>();
        let max = -1;
        for (const [nr, name] of d.entries) {
          known.add(nr);
          max = Math.max(max, nr);
          const mine = syscallName(arch, nr);
          const key = `${id}:${nr}:${name}`;
          if (mine === name) continue;
          const sp = SPELLINGS[name];
          if (sp && mine === sp.canonical) {
            usedSpellings.add(name);
            if (canonicalName(name, arch) !== mine) problems.push(`${key}: canonicalName('${name}', ${id}) = ${canonicalName(name, arch)}, want ${mine} (ALIASES)`);
          } else if (AUSYSCALL_EXCEPTIONS[key]) usedExceptions.add(key);
          else problems.push(`${key}: ours ${mine}`);
        }
        // Numbers we know up to ausyscall's max that its table lacks: must be confirmed by scmp_sys_resolver.
        const r = resolver.get(id)!;
        for (const [nr, name] of tableEntries(arch)) {
          if (nr > max || known.has(nr)) continue;
          if (r.byNr.get(nr) !== name && !RESOLVER_EXCEPTIONS[`${id}:${name}`]) problems.push(`${id}:${nr}:${name}: missing from ausyscall and not confirmed by scmp_sys_resolver (${r.byNr.get(nr)})`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('every listed spelling and exception is needed', () => {
    expect(Object.keys(SPELLINGS).filter((k) => !usedSpellings.has(k))).toEqual([]);
    expect(Object.keys(AUSYSCALL_EXCEPTIONS).filter((k) => !usedExceptions.has(k))).toEqual([]);
  });
});

// ─── 3. numbers newer than both tools ─────────────────────────────────────────────────────────

describe('numbers newer than both tools (libseccomp 2.5.4 ≤ 456, ausyscall ≤ 450)', () => {
  const cases: Array<[ArchId, number, string]> = [
    ['x86_64', 457, 'statmount'], ['x86_64', 458, 'listmount'], ['x86_64', 459, 'lsm_get_self_attr'],
    ['x86_64', 462, 'mseal'], ['x86_64', 463, 'setxattrat'], ['x86_64', 467, 'open_tree_attr'],
    ['x86_64', 468, 'file_getattr'], ['x86_64', 469, 'file_setattr'], ['x86_64', 470, 'listns'], ['x86_64', 471, 'rseq_slice_yield'],
    ['aarch64', 468, 'file_getattr'], ['aarch64', 469, 'file_setattr'], ['aarch64', 470, 'listns'], ['aarch64', 471, 'rseq_slice_yield'],
    ['x86', 470, 'listns'], ['x32', 0x40000000 + 470, 'listns'], ['arm', 470, 'listns'], ['riscv64', 462, 'mseal'],
    ['s390x', 458, 'listmount'], ['ppc64le', 470, 'listns'], ['ppc', 469, 'file_setattr'], ['loongarch64', 470, 'listns'],
    ['mips', 4000 + 470, 'listns'], ['mipsel64', 5000 + 470, 'listns'], ['mips64n32', 6000 + 462, 'mseal'],
    ['parisc64', 471, 'rseq_slice_yield'], ['m68k', 470, 'listns'], ['sheb', 471, 'rseq_slice_yield'],
  ];
  for (const [id, nr, name] of cases) {
    it(`${id} ${nr} = ${name}`, () => {
      expect(syscallName(archById(id), nr)).toBe(name);
      expect(syscallNumber(archById(id), name)).toBe(nr);
    });
  }
  it('31-bit s390 stops at file_setattr (compat support removed before listns)', () => {
    expect(syscallName(archById('s390'), 469)).toBe('file_setattr');
    expect(syscallName(archById('s390'), 470)).toBeUndefined();
    expect(existsOn(archById('s390'), 'listns')).toBe(false);
  });
  it('nothing beyond the table', () => {
    expect(syscallName(archById('x86_64'), 472)).toBeUndefined();
    expect(tableEntries(archById('x86_64')).at(-1)).toEqual([471, 'rseq_slice_yield']);
  });
});

/**
 * Every number of the host's table that scmp_sys_resolver could not confirm (newer than 456, or an
 * exception above) is called by a child with all-(-1) arguments under bpftrace; the kernel's
 * per-syscall tracepoint (syscalls:sys_exit_<name>) names what it dispatched to. Numbers whose name
 * has no tracepoint on the running kernel (too old for it) are reported, not confirmed.
 * Each call runs in its own forked child (uretprobe/uprobe outside a trampoline raise SIGILL).
 */
const SAFE_TO_CALL_WITH_BAD_ARGS = new Set([
  'uretprobe', 'uprobe', 'statmount', 'listmount', 'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules', 'mseal',
  'setxattrat', 'getxattrat', 'listxattrat', 'removexattrat', 'open_tree_attr', 'file_getattr', 'file_setattr', 'listns',
  'rseq_slice_yield', 'map_shadow_stack', 'riscv_hwprobe',
]);

describe('numbers newer than the tools, against the running kernel', () => {
  it('the kernel dispatches each to the syscall our table names', async () => {
    if (!isRoot()) throw new Error('this check needs root (bpftrace attaches kernel tracepoints)');
    const bpftrace = requireTool('bpftrace');
    const perl = requireTool('perl', 'perl-base');
    const tracefs = ['/sys/kernel/tracing/events/syscalls', '/sys/kernel/debug/tracing/events/syscalls'].find((d) => existsSync(d));
    if (!tracefs) throw new Error('no syscalls tracepoints (tracefs not mounted, or kernel without CONFIG_FTRACE_SYSCALLS)');
    const arch = hostArch();
    const resolver = await resolverData();
    const r = resolver.get(arch.id);
    if (!r) throw new Error(`host arch ${arch.id} unknown to scmp_sys_resolver`);
    const unconfirmed = tableEntries(arch).filter(([nr, name]) => r.byNr.get(nr) !== name);
    expect(unconfirmed.filter(([, name]) => !SAFE_TO_CALL_WITH_BAD_ARGS.has(name)),
      'review these new syscalls: safe to call with all-(-1) arguments? then add them to SAFE_TO_CALL_WITH_BAD_ARGS').toEqual([]);
    const control: [number, string] = [syscallNumber(arch, 'getpid')!, 'getpid'];
    const calls = [control, ...unconfirmed];
    const traced = calls.filter(([, name]) => existsSync(join(tracefs, `sys_exit_${name}`)));
    const absent = calls.filter(([, name]) => !existsSync(join(tracefs, `sys_exit_${name}`))).map(([n, name]) => `${n}:${name}`);
    const comm = `scb${process.pid % 100000}${Math.floor(Math.random() * 1e4)}`.slice(0, 15);
    const dir = mkdtempSync(join(tmpdir(), 'syscribe-kernel-'));
    try {
      writeFileSync(join(dir, 'calls.pl'), [
        '$0 = $ENV{SCB_COMM};',
        'for my $n (@ARGV) {',
        '  my $pid = fork(); die "fork: $!" unless defined $pid;',
        '  if ($pid == 0) { syscall($n, -1, -1, -1, -1, -1, -1); exit 0; }',
        '  waitpid($pid, 0);',
        '}',
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'probe.bt'), [
        `tracepoint:raw_syscalls:sys_enter /comm == "${comm}"/ { @nr[tid] = args->id; }`,
        `${traced.map(([, name]) => `tracepoint:syscalls:sys_exit_${name}`).join(',')} /comm == "${comm}"/ { printf("K %d %s\\n", @nr[tid], probe); }`,
        'END { clear(@nr); }',
        '',
      ].join('\n'));
      const cmd = [perl, join(dir, 'calls.pl'), ...calls.map(([n]) => String(n))].join(' ');
      const { stdout } = await run(bpftrace, [join(dir, 'probe.bt'), '-c', cmd], undefined, { ...process.env, SCB_COMM: comm });
      const seen = new Map<number, string>();
      for (const m of stdout.matchAll(/^K (\d+) tracepoint:syscalls:sys_exit_(\w+)$/gm)) seen.set(Number(m[1]), m[2]!);
      console.log(`kernel ${arch.id}: the kernel says ${[...seen].map(([n, s]) => `${n}:${s}`).join(' ')}; no tracepoint on this kernel: ${absent.join(' ') || 'none'}`);
      expect(seen.get(control[0]), 'control call getpid not seen: the bpftrace machinery does not work').toBe('getpid');
      expect(traced.filter(([n, name]) => seen.get(n) !== name).map(([n, name]) => `${n}:${name} → kernel ${seen.get(n)}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ─── 4. arches without an installed oracle ────────────────────────────────────────────────────

describe('arches no installed tool knows (loongarch64, m68k, sh, sheb)', () => {
  /** Checked against oracle 1 above. */
  const x86_64 = archById('x86_64');
  const x86 = archById('x86');
  for (const id of ['loongarch64', 'm68k', 'sh', 'sheb'] as ArchId[]) {
    it(`${id}: the shared numbering (y2038 block 403–423 = x86's, 424 on = x86_64's)`, () => {
      const a = archById(id);
      const bad: string[] = [];
      let n424 = 0;
      for (const [nr, name] of tableEntries(a)) {
        if (nr >= 424) {
          n424++;
          if (syscallNumber(x86_64, name) !== nr) bad.push(`${nr}:${name}: x86_64 ${syscallNumber(x86_64, name)}`);
        } else if (nr >= 403 && syscallNumber(x86, name) !== nr) bad.push(`${nr}:${name}: x86 ${syscallNumber(x86, name)}`);
      }
      expect(n424).toBeGreaterThan(40);
      expect(bad).toEqual([]);
    });
  }
  it('loongarch64 is asm-generic: every number equals riscv64\'s and aarch64\'s for the same name', () => {
    const l = archById('loongarch64');
    const onlyOn: Record<string, string[]> = {
      riscv64: ['getrlimit', 'setrlimit', 'riscv_hwprobe', 'riscv_flush_icache', 'memfd_secret'],
      aarch64: ['renameat', 'getrlimit', 'setrlimit', 'memfd_secret'],
    };
    for (const other of ['riscv64', 'aarch64'] as const) {
      const o = archById(other);
      const lEntries = tableEntries(l);
      expect(lEntries.filter(([nr, name]) => syscallNumber(o, name) !== nr), other).toEqual([]);
      expect(tableEntries(o).filter(([, name]) => !existsOn(l, name)).map(([, name]) => name).sort(), other).toEqual(onlyOn[other]!.sort());
    }
  });
});
