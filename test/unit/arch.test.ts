import { describe, expect, it } from 'vitest';
import { ARCHES, type ArchId, X32_SYSCALL_BIT, archById, archForRecord, archFromAudit, findArch, formatAudit } from '../../src/arch.js';
import { resolveAudit, syscallName } from '../../src/resolve.js';

// AUDIT_ARCH_* from include/uapi/linux/audit.h, as the kernel prints them in `arch=`.
const AUDIT: Record<ArchId, string> = {
  x86_64: 'c000003e', x32: 'c000003e', x86: '40000003', aarch64: 'c00000b7', arm: '40000028',
  ppc64le: 'c0000015', ppc64: '80000015', ppc: '00000014', s390x: '80000016', s390: '00000016',
  riscv64: 'c00000f3', loongarch64: 'c0000102', mips: '00000008', mipsel: '40000008', mips64: '80000008',
  mipsel64: 'c0000008', mips64n32: 'a0000008', mipsel64n32: 'e0000008', parisc: '0000000f',
  parisc64: '8000000f', m68k: '00000004', sh: '4000002a', sheb: '0000002a',
};

describe('arch model', () => {
  it('has all 23 arches with the kernel audit codes', () => {
    expect(ARCHES.map((a) => a.id).sort()).toEqual(Object.keys(AUDIT).sort());
    for (const a of ARCHES) expect(formatAudit(a.audit), a.id).toBe(AUDIT[a.id]);
  });
  it('audit code → arch for every arch (x32 shares x86_64 code)', () => {
    for (const a of ARCHES) {
      const want = a.id === 'x32' ? 'x86_64' : a.id;
      expect(archFromAudit(AUDIT[a.id])?.id, a.id).toBe(want);
      expect(archFromAudit(a.audit)?.id, a.id).toBe(want);
    }
    expect(archFromAudit('deadbeef')).toBeUndefined();
    expect(archFromAudit('zz')).toBeUndefined();
  });
  it('detects x32 by the number bit', () => {
    expect(archForRecord('c000003e', X32_SYSCALL_BIT | 39)?.id).toBe('x32');
    expect(syscallName(archById('x32'), X32_SYSCALL_BIT | 39)).toBe('getpid');
    expect(resolveAudit('c000003e', X32_SYSCALL_BIT | 39)).toMatchObject({ name: 'getpid' });
    expect(resolveAudit('c000003e', 39).arch?.id).toBe('x86_64');
    expect(archForRecord('c000003e', 39)?.id).toBe('x86_64');
    expect(archForRecord('40000003', X32_SYSCALL_BIT | 39)?.id).toBe('x86');
  });
  it('findArch accepts every tool’s spelling', () => {
    const cases: Array<[string, ArchId]> = [
      ['x86_64', 'x86_64'], ['amd64', 'x86_64'], ['SCMP_ARCH_X86_64', 'x86_64'], ['x86-64', 'x86_64'], [' X86_64 ', 'x86_64'],
      ['i386', 'x86'], ['i686', 'x86'], ['386', 'x86'], ['ia32', 'x86'], ['SCMP_ARCH_X86', 'x86'], ['x32', 'x32'],
      ['arm64', 'aarch64'], ['aarch64', 'aarch64'], ['armv7l', 'arm'], ['armhf', 'arm'], ['loong64', 'loongarch64'],
      ['mips64le', 'mipsel64'], ['mips64el', 'mipsel64'], ['mipsle', 'mipsel'], ['mips64p32', 'mips64n32'],
      ['SCMP_ARCH_MIPSEL64N32', 'mipsel64n32'], ['powerpc64le', 'ppc64le'], ['ppc64le', 'ppc64le'], ['powerpc', 'ppc'],
      ['s390x', 's390x'], ['riscv64', 'riscv64'], ['parisc64', 'parisc64'], ['sh4', 'sh'], ['sheb', 'sheb'], ['m68k', 'm68k'],
    ];
    for (const [n, id] of cases) expect(findArch(n)?.id, n).toBe(id);
    for (const a of ARCHES) expect(findArch(a.scmp)?.id).toBe(a.id);
    expect(findArch('vax')).toBeUndefined();
  });
  it('families as runtimes list them', () => {
    expect(archById('x86_64').family).toEqual(['x86_64', 'x86', 'x32']);
    expect(archById('aarch64').family).toEqual(['aarch64', 'arm']);
    expect(archById('s390x').family).toEqual(['s390x', 's390']);
    expect(archById('mips64').family).toEqual(['mips64', 'mips', 'mips64n32']);
    expect(archById('mipsel64n32').family).toEqual(['mipsel64n32', 'mipsel', 'mipsel64']);
    expect(archById('ppc64le').family).toEqual(['ppc64le']);
    expect(archById('riscv64').family).toEqual(['riscv64']);
    for (const a of ARCHES) for (const f of a.family) expect(findArch(f)?.id).toBe(f);
  });
  it('table and number base per arch', () => {
    expect(archById('mipsel').table).toBe('mips');
    expect(archById('ppc64le').table).toBe('ppc64');
    expect(archById('sheb').table).toBe('sh');
    expect([archById('mips').nrBase, archById('mips64').nrBase, archById('mips64n32').nrBase, archById('x32').nrBase]).toEqual([4000, 5000, 6000, X32_SYSCALL_BIT]);
  });
});
