/**
 * The architecture model: every architecture libseccomp knows, with the names
 * each tool uses for it and the kernel's audit arch code.
 *
 * Facts:
 * - `audit` is the AUDIT_ARCH_* value the kernel prints as `arch=` in SECCOMP
 *   records (include/uapi/linux/audit.h).
 * - `table` names the column of libseccomp's syscalls.csv holding this arch's
 *   numbers; little/big-endian twins share one (mipsel = mips, ppc64le = ppc64,
 *   sheb = sh).
 * - `nrBase` is what the kernel adds to the CSV's number: x32 calls carry
 *   bit 0x40000000 (__X32_SYSCALL_BIT), MIPS ABIs start at 4000 (o32),
 *   5000 (n64) and 6000 (n32). ARM private calls already include 0x0f0000.
 * - `go` is the GOARCH / moby evaluator name used in RuntimeDefault
 *   `includes.arches` conditions; `uname` the `uname -m` spellings.
 * - `family` is what a runtime lists together for a native arch (moby's and
 *   containerd's archMap): x86_64 → x86 + x32, aarch64 → arm, …
 */

export type ArchId =
  | 'x86' | 'x86_64' | 'x32' | 'arm' | 'aarch64' | 'loongarch64' | 'm68k'
  | 'mips' | 'mipsel' | 'mips64' | 'mipsel64' | 'mips64n32' | 'mipsel64n32'
  | 'parisc' | 'parisc64' | 'ppc' | 'ppc64' | 'ppc64le' | 'riscv64'
  | 's390' | 's390x' | 'sh' | 'sheb';

export type TableId =
  | 'x86' | 'x86_64' | 'x32' | 'arm' | 'aarch64' | 'loongarch64' | 'm68k'
  | 'mips' | 'mips64' | 'mips64n32' | 'parisc' | 'parisc64' | 'ppc' | 'ppc64'
  | 'riscv64' | 's390' | 's390x' | 'sh';

export interface Arch {
  id: ArchId;
  scmp: string;
  audit: number;
  table: TableId;
  nrBase: number;
  bits: 32 | 64;
  uname: string[];
  go: string[];
  family: ArchId[];
}

const A = (
  id: ArchId, scmp: string, audit: number, table: TableId, nrBase: number, bits: 32 | 64,
  uname: string[], go: string[], family: ArchId[] = [],
): Arch => ({ id, scmp, audit, table, nrBase, bits, uname, go, family: [id, ...family] });

export const X32_SYSCALL_BIT = 0x40000000;

export const ARCHES: readonly Arch[] = [
  A('x86', 'SCMP_ARCH_X86', 0x40000003, 'x86', 0, 32, ['i386', 'i486', 'i586', 'i686'], ['386', 'x86']),
  A('x86_64', 'SCMP_ARCH_X86_64', 0xc000003e, 'x86_64', 0, 64, ['x86_64', 'amd64'], ['amd64'], ['x86', 'x32']),
  A('x32', 'SCMP_ARCH_X32', 0xc000003e, 'x32', X32_SYSCALL_BIT, 32, [], ['x32']),
  A('arm', 'SCMP_ARCH_ARM', 0x40000028, 'arm', 0, 32, ['armv7l', 'armv6l', 'armv8l', 'arm'], ['arm']),
  A('aarch64', 'SCMP_ARCH_AARCH64', 0xc00000b7, 'aarch64', 0, 64, ['aarch64', 'arm64'], ['arm64'], ['arm']),
  A('loongarch64', 'SCMP_ARCH_LOONGARCH64', 0xc0000102, 'loongarch64', 0, 64, ['loongarch64'], ['loong64']),
  A('m68k', 'SCMP_ARCH_M68K', 0x00000004, 'm68k', 0, 32, ['m68k'], ['m68k']),
  A('mips', 'SCMP_ARCH_MIPS', 0x00000008, 'mips', 4000, 32, ['mips'], ['mips']),
  A('mipsel', 'SCMP_ARCH_MIPSEL', 0x40000008, 'mips', 4000, 32, ['mipsel'], ['mipsle']),
  A('mips64', 'SCMP_ARCH_MIPS64', 0x80000008, 'mips64', 5000, 64, ['mips64'], ['mips64'], ['mips', 'mips64n32']),
  A('mipsel64', 'SCMP_ARCH_MIPSEL64', 0xc0000008, 'mips64', 5000, 64, ['mips64el'], ['mips64le'], ['mipsel', 'mipsel64n32']),
  A('mips64n32', 'SCMP_ARCH_MIPS64N32', 0xa0000008, 'mips64n32', 6000, 32, [], ['mips64p32'], ['mips', 'mips64']),
  A('mipsel64n32', 'SCMP_ARCH_MIPSEL64N32', 0xe0000008, 'mips64n32', 6000, 32, [], ['mips64p32le'], ['mipsel', 'mipsel64']),
  A('parisc', 'SCMP_ARCH_PARISC', 0x0000000f, 'parisc', 0, 32, ['parisc'], []),
  A('parisc64', 'SCMP_ARCH_PARISC64', 0x8000000f, 'parisc64', 0, 64, ['parisc64'], [], ['parisc']),
  A('ppc', 'SCMP_ARCH_PPC', 0x00000014, 'ppc', 0, 32, ['ppc'], ['ppc']),
  A('ppc64', 'SCMP_ARCH_PPC64', 0x80000015, 'ppc64', 0, 64, ['ppc64'], ['ppc64']),
  A('ppc64le', 'SCMP_ARCH_PPC64LE', 0xc0000015, 'ppc64', 0, 64, ['ppc64le'], ['ppc64le']),
  A('riscv64', 'SCMP_ARCH_RISCV64', 0xc00000f3, 'riscv64', 0, 64, ['riscv64'], ['riscv64']),
  A('s390', 'SCMP_ARCH_S390', 0x00000016, 's390', 0, 32, ['s390'], ['s390']),
  A('s390x', 'SCMP_ARCH_S390X', 0x80000016, 's390x', 0, 64, ['s390x'], ['s390x'], ['s390']),
  A('sh', 'SCMP_ARCH_SH', 0x4000002a, 'sh', 0, 32, ['sh4', 'sh'], ['sh']),
  A('sheb', 'SCMP_ARCH_SHEB', 0x0000002a, 'sh', 0, 32, ['sh4eb', 'sheb'], ['sheb']),
];

const byId = new Map<string, Arch>(ARCHES.map((a) => [a.id, a]));
const byScmp = new Map<string, Arch>(ARCHES.map((a) => [a.scmp, a]));
/** Audit code → arch. x86_64 and x32 share a code; the x32 bit in the number tells them apart. */
const byAudit = new Map<number, Arch>();
for (const a of ARCHES) if (a.id !== 'x32') byAudit.set(a.audit, a);
const byAlias = new Map<string, Arch>();
for (const a of ARCHES) {
  for (const n of [a.id, a.scmp, a.scmp.replace(/^SCMP_ARCH_/, '').toLowerCase(), ...a.uname, ...a.go]) {
    const k = n.toLowerCase();
    if (!byAlias.has(k)) byAlias.set(k, a);
  }
}
// Common spellings from other tools (ausyscall, strace, Debian).
for (const [k, v] of [['i386', 'x86'], ['ia32', 'x86'], ['x86-64', 'x86_64'], ['armhf', 'arm'], ['armel', 'arm'], ['b386', 'x86'], ['powerpc', 'ppc'], ['powerpc64', 'ppc64'], ['powerpc64le', 'ppc64le']] as const) {
  byAlias.set(k, byId.get(v)!);
}

export function archById(id: ArchId): Arch {
  return byId.get(id)!;
}

/** Any spelling (syscribe id, SCMP_ARCH_*, uname -m, GOARCH) → arch, or undefined. */
export function findArch(name: string): Arch | undefined {
  return byAlias.get(name.trim().toLowerCase());
}

export function archByScmp(scmp: string): Arch | undefined {
  return byScmp.get(scmp);
}

/**
 * Audit arch code (number or hex string as printed, e.g. "c000003e") and the
 * raw syscall number from the record → the arch whose table applies and the
 * number to look up (x32 keeps its bit; see resolve.ts).
 */
export function archFromAudit(code: number | string): Arch | undefined {
  const n = typeof code === 'number' ? code : parseInt(code, 16);
  if (!Number.isFinite(n)) return undefined;
  return byAudit.get(n >>> 0);
}

/** The arch a record belongs to, given its audit code and number: x32 when the x86_64 code carries the x32 bit. */
export function archForRecord(code: number | string, nr: number): Arch | undefined {
  const a = archFromAudit(code);
  // Only a number the kernel can print (a 32-bit value) can carry the x32 bit: -1 or 2^32+2^30 is x86_64's own unknown number.
  if (a && a.id === 'x86_64' && nr >= 0 && nr <= 0xffffffff && (nr & X32_SYSCALL_BIT) !== 0) return byId.get('x32');
  return a;
}

/** The arch this process runs on, from `process.arch` / `uname -m`. */
export function hostArch(): Arch {
  const map: Record<string, ArchId> = {
    x64: 'x86_64', ia32: 'x86', arm: 'arm', arm64: 'aarch64', loong64: 'loongarch64',
    mips: 'mips', mipsel: 'mipsel', ppc: 'ppc', ppc64: process.platform === 'linux' && process.arch === 'ppc64' && isLittleEndian() ? 'ppc64le' : 'ppc64',
    riscv64: 'riscv64', s390: 's390', s390x: 's390x',
  };
  return archById(map[process.arch] ?? 'x86_64');
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

export function formatAudit(code: number): string {
  return (code >>> 0).toString(16).padStart(8, '0');
}
