import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ARCHES, type ArchId, X32_SYSCALL_BIT, archById, archByScmp, archForRecord, archFromAudit, findArch, formatAudit, hostArch } from '../../src/arch.js';
import { resolveAudit, syscallName, syscallNumber } from '../../src/resolve.js';
import { requireTool } from '../helpers/tools.js';

const run = promisify(execFile);

// AUDIT_ARCH_* from include/uapi/linux/audit.h, as the kernel prints them in `arch=`.
const AUDIT: Record<ArchId, string> = {
  x86_64: 'c000003e', x32: 'c000003e', x86: '40000003', aarch64: 'c00000b7', arm: '40000028',
  ppc64le: 'c0000015', ppc64: '80000015', ppc: '00000014', s390x: '80000016', s390: '00000016',
  riscv64: 'c00000f3', loongarch64: 'c0000102', mips: '00000008', mipsel: '40000008', mips64: '80000008',
  mipsel64: 'c0000008', mips64n32: 'a0000008', mipsel64n32: 'e0000008', parisc: '0000000f',
  parisc64: '8000000f', m68k: '00000004', sh: '4000002a', sheb: '0000002a',
};

/** The kernel header's AUDIT_ARCH_* macro for each arch (include/uapi/linux/audit.h; sh is little-endian SHEL). */
const HEADER_MACRO: Record<ArchId, string> = {
  x86_64: 'AUDIT_ARCH_X86_64', x32: 'AUDIT_ARCH_X86_64', x86: 'AUDIT_ARCH_I386', aarch64: 'AUDIT_ARCH_AARCH64', arm: 'AUDIT_ARCH_ARM',
  ppc64le: 'AUDIT_ARCH_PPC64LE', ppc64: 'AUDIT_ARCH_PPC64', ppc: 'AUDIT_ARCH_PPC', s390x: 'AUDIT_ARCH_S390X', s390: 'AUDIT_ARCH_S390',
  riscv64: 'AUDIT_ARCH_RISCV64', loongarch64: 'AUDIT_ARCH_LOONGARCH64', mips: 'AUDIT_ARCH_MIPS', mipsel: 'AUDIT_ARCH_MIPSEL',
  mips64: 'AUDIT_ARCH_MIPS64', mipsel64: 'AUDIT_ARCH_MIPSEL64', mips64n32: 'AUDIT_ARCH_MIPS64N32', mipsel64n32: 'AUDIT_ARCH_MIPSEL64N32',
  parisc: 'AUDIT_ARCH_PARISC', parisc64: 'AUDIT_ARCH_PARISC64', m68k: 'AUDIT_ARCH_M68K', sh: 'AUDIT_ARCH_SHEL', sheb: 'AUDIT_ARCH_SH',
};

/** The same codes built the way the header builds them: EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE | N32 convention. */
const EM: Record<ArchId, [em: number, abi64: boolean, le: boolean]> = {
  x86_64: [62, true, true], x32: [62, true, true], x86: [3, false, true], aarch64: [183, true, true], arm: [40, false, true],
  ppc64le: [21, true, true], ppc64: [21, true, false], ppc: [20, false, false], s390x: [22, true, false], s390: [22, false, false],
  riscv64: [243, true, true], loongarch64: [258, true, true], mips: [8, false, false], mipsel: [8, false, true],
  mips64: [8, true, false], mipsel64: [8, true, true], mips64n32: [8, true, false], mipsel64n32: [8, true, true],
  parisc: [15, false, false], parisc64: [15, true, false], m68k: [4, false, false], sh: [42, false, true], sheb: [42, false, false],
};

describe('arch model', () => {
  it('has all 23 arches with the kernel audit codes', () => {
    expect(ARCHES.map((a) => a.id).sort()).toEqual(Object.keys(AUDIT).sort());
    for (const a of ARCHES) expect(formatAudit(a.audit), a.id).toBe(AUDIT[a.id]);
  });
  it('audit codes follow the header\'s construction (EM_*, 64-bit, little-endian, MIPS n32 flags)', () => {
    for (const a of ARCHES) {
      const [em, abi64, le] = EM[a.id];
      const code = (em | (abi64 ? 0x80000000 : 0) | (le ? 0x40000000 : 0) | (a.id.endsWith('n32') ? 0x20000000 : 0)) >>> 0;
      expect(formatAudit(a.audit), a.id).toBe(formatAudit(code));
      // the model's word size agrees, except the two 32-bit ABIs of 64-bit machines
      if (a.id !== 'x32' && !a.id.endsWith('n32')) expect(a.bits === 64, a.id).toBe(abi64);
    }
  });
  it('audit codes equal the installed kernel header (linux/audit.h, compiled with gcc)', async () => {
    const gcc = requireTool('gcc');
    const dir = mkdtempSync(join(tmpdir(), 'syscribe-audit-h-'));
    try {
      const macros = [...new Set(Object.values(HEADER_MACRO))];
      writeFileSync(join(dir, 'a.c'), `#include <stdio.h>\n#include <linux/audit.h>\nint main(void) {\n${macros.map((m) => `  printf("${m} %08x\\n", (unsigned)(${m}));`).join('\n')}\n  return 0;\n}\n`);
      await run(gcc, ['-o', join(dir, 'a'), join(dir, 'a.c')]);
      const { stdout } = await run(join(dir, 'a'), []);
      const got = new Map(stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
      for (const a of ARCHES) expect(formatAudit(a.audit), `${a.id} = ${HEADER_MACRO[a.id]}`).toBe(got.get(HEADER_MACRO[a.id]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('audit code → arch for every arch (x32 shares x86_64 code)', () => {
    for (const a of ARCHES) {
      const want = a.id === 'x32' ? 'x86_64' : a.id;
      expect(archFromAudit(AUDIT[a.id])?.id, a.id).toBe(want);
      expect(archFromAudit(a.audit)?.id, a.id).toBe(want);
    }
    expect(archFromAudit('C000003E')?.id).toBe('x86_64');
    expect(archFromAudit('0xc00000b7')?.id).toBe('aarch64');
    expect(archFromAudit(0xc00000b7 | 0)?.id).toBe('aarch64'); // a signed 32-bit int works too
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
    expect(archForRecord(0xc000003e, -1)?.id).toBe('x86_64');
    // an x32 number without the bit is x86_64's: the kernel always sets it for x32 calls
    expect(resolveAudit('c000003e', 520)).toMatchObject({ name: undefined });
    expect(resolveAudit('c000003e', X32_SYSCALL_BIT | 520)).toMatchObject({ name: 'execve' });
  });
  it('a record resolves through its arch\'s own table and number base, on every arch', () => {
    for (const a of ARCHES) {
      for (const name of ['read', 'close', 'exit_group']) {
        const nr = syscallNumber(a, name)!;
        expect(nr, `${a.id} ${name}`).toBeGreaterThanOrEqual(a.nrBase);
        const r = resolveAudit(formatAudit(a.audit), nr);
        expect([r.arch?.id, r.name], `${a.id} ${name} ${nr}`).toEqual([a.id, name]);
      }
    }
    // what a MIPS record really carries: the ABI base is part of the number
    expect(resolveAudit('80000008', 5003)).toMatchObject({ name: 'close' });
    expect(resolveAudit('a0000008', 6003)).toMatchObject({ name: 'close' });
    expect(resolveAudit('40000008', 4006)).toMatchObject({ name: 'close' });
    expect(resolveAudit('40000028', 0x0f0005)).toMatchObject({ name: 'set_tls' });
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
    for (const a of ARCHES) {
      expect(findArch(a.scmp)?.id).toBe(a.id);
      expect(archByScmp(a.scmp)?.id).toBe(a.id);
      for (const s of [a.id, ...a.uname, ...a.go]) expect(findArch(s)?.id, `${a.id}: ${s}`).toBe(a.id);
    }
    expect(findArch('vax')).toBeUndefined();
    expect(findArch('')).toBeUndefined();
    expect(archByScmp('x86_64')).toBeUndefined(); // exact SCMP_ARCH_* only
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
  it('host arch agrees with uname -m', () => {
    expect(findArch(machine())?.id).toBe(hostArch().id);
  });
  it('table and number base per arch', () => {
    expect(archById('mipsel').table).toBe('mips');
    expect(archById('ppc64le').table).toBe('ppc64');
    expect(archById('sheb').table).toBe('sh');
    expect([archById('mips').nrBase, archById('mips64').nrBase, archById('mips64n32').nrBase, archById('x32').nrBase]).toEqual([4000, 5000, 6000, X32_SYSCALL_BIT]);
  });
});
