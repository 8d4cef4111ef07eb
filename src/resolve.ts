/**
 * arch + number → name, and name → number, from the generated libseccomp table.
 * Numbers are as the kernel reports them (see scripts/gen-tables.mjs).
 * Every name returned is libseccomp's canonical spelling; other tools'
 * spellings are mapped by ALIASES.
 */
import { type Arch, ARCHES, X32_SYSCALL_BIT, archForRecord } from './arch.js';
import { SYSCALL_NAMES, SYSCALL_NUMBERS } from './data/syscalls.generated.js';

/**
 * Names other tools print that libseccomp spells differently. A candidate is
 * used only on an arch whose table has it, and only when the alias itself is
 * not a real name there (getdents is its own syscall on x86_64, but aarch64
 * has only getdents64).
 *  - ausyscall (audit userspace): pread/pwrite, newfstat, getdents (aarch64),
 *    llseek/newselect/sysctl (arm), fadvise64_64/sync_file_range (arm),
 *    sys_kexec_load, sched_rr_get_interval64, timerfd, perf_counter_open, fstatat64 (ppc).
 *  - strace: pread/pwrite on some older versions.
 */
export const ALIASES: Readonly<Record<string, readonly string[]>> = {
  pread: ['pread64'],
  pwrite: ['pwrite64'],
  newfstat: ['fstat'],
  getdents: ['getdents64'],
  llseek: ['_llseek'],
  newselect: ['_newselect'],
  sysctl: ['_sysctl'],
  fadvise64_64: ['arm_fadvise64_64'],
  sync_file_range: ['arm_sync_file_range', 'sync_file_range2'],
  sys_kexec_load: ['kexec_load'],
  sched_rr_get_interval64: ['sched_rr_get_interval_time64'],
  timerfd: ['timerfd_create'],
  perf_counter_open: ['perf_event_open'],
  fstatat64: ['newfstatat'],
  newfstatat: ['fstatat64'],
};

interface Table {
  byNr: Map<number, string>;
  byName: Map<string, number>;
}

const tables = new Map<string, Table>();

function table(arch: Arch): Table {
  let t = tables.get(arch.table);
  if (!t) {
    const nums = SYSCALL_NUMBERS[arch.table];
    const byNr = new Map<number, string>();
    const byName = new Map<string, number>();
    for (let i = 0; i < SYSCALL_NAMES.length; i++) {
      const n = nums[i]!;
      if (n >= 0) {
        byNr.set(n, SYSCALL_NAMES[i]!);
        byName.set(SYSCALL_NAMES[i]!, n);
      }
    }
    t = { byNr, byName };
    tables.set(arch.table, t);
  }
  return t;
}

/**
 * The syscall `nr` (as the kernel reports it) on `arch`, or undefined when the
 * table does not know it. For x32 a number without the x32 bit is accepted too.
 */
export function syscallName(arch: Arch, nr: number): string | undefined {
  if (!Number.isInteger(nr) || nr < 0) return undefined;
  const t = table(arch);
  const hit = t.byNr.get(nr);
  if (hit !== undefined) return hit;
  if (arch.id === 'x32' && nr < X32_SYSCALL_BIT) return t.byNr.get(nr + X32_SYSCALL_BIT);
  return undefined;
}

/** The kernel number of `name` (canonical or alias) on `arch`, or undefined. */
export function syscallNumber(arch: Arch, name: string): number | undefined {
  const c = canonicalName(name, arch);
  return c === undefined ? undefined : table(arch).byName.get(c);
}

/**
 * libseccomp's canonical spelling of `name` on `arch` (or on any arch when
 * `arch` is omitted), or undefined when no table knows it.
 */
export function canonicalName(name: string, arch?: Arch): string | undefined {
  if (arch !== undefined && table(arch).byName.has(name)) return name;
  const arches = arch ? [arch] : ARCHES;
  for (const a of arches) if (table(a).byName.has(name)) return name;
  const cands = ALIASES[name];
  if (cands) for (const a of arches) for (const c of cands) if (table(a).byName.has(c)) return c;
  return undefined;
}

/** Is `name` a syscall on `arch` (canonical spelling)? */
export function existsOn(arch: Arch, name: string): boolean {
  return table(arch).byName.has(name);
}

export function allSyscallNames(): readonly string[] {
  return SYSCALL_NAMES;
}

/** Every (number, name) pair of an arch's table, sorted by number. */
export function tableEntries(arch: Arch): Array<[number, string]> {
  return [...table(arch).byNr.entries()].sort((a, b) => a[0] - b[0]);
}

export interface AuditResolution {
  arch: Arch | undefined;
  name: string | undefined;
}

/** Resolve a record's `arch=` code and `syscall=` number, each line on its own. */
export function resolveAudit(code: number | string, nr: number): AuditResolution {
  const arch = archForRecord(code, nr);
  return { arch, name: arch ? syscallName(arch, nr) : undefined };
}

