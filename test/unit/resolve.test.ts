import { describe, expect, it } from 'vitest';
import { findArch } from '../../src/arch.js';
import { canonicalName, syscallName, syscallNumber } from '../../src/resolve.js';
import { resolveQuery } from '../../src/cli/resolve.js';

const arch = (n: string) => findArch(n)!;

describe('resolve', () => {
  it('maps numbers per arch', () => {
    expect(syscallName(arch('x86_64'), 43)).toBe('accept');
    expect(syscallName(arch('aarch64'), 202)).toBe('accept');
    expect(syscallName(arch('x86'), 102)).toBe('socketcall');
    expect(syscallName(arch('mips'), 4003)).toBe('read');
    expect(syscallName(arch('mips64'), 5000)).toBe('read');
    expect(syscallName(arch('mips64n32'), 6000)).toBe('read');
    expect(syscallName(arch('arm'), 0x0f0002)).toBe('cacheflush');
    expect(syscallName(arch('x32'), 0x40000000)).toBe('read');
  });
  it('knows numbers newer than the installed oracles', () => {
    expect(syscallName(arch('x86_64'), 470)).toBe('listns');
    expect(syscallName(arch('x86_64'), 471)).toBe('rseq_slice_yield');
    expect(syscallNumber(arch('aarch64'), 'listns')).toBe(470);
  });
  it('never guesses an unknown number', () => {
    expect(syscallName(arch('x86_64'), 999)).toBeUndefined();
    expect(syscallName(arch('x86_64'), -1)).toBeUndefined();
    expect(() => resolveQuery('999', 'x86_64')).toThrow(/not known/);
  });
  it('canonicalises other tools’ spellings', () => {
    expect(canonicalName('pread', arch('x86_64'))).toBe('pread64');
    expect(canonicalName('getdents', arch('x86_64'))).toBe('getdents');
    expect(canonicalName('getdents', arch('aarch64'))).toBe('getdents64');
    expect(canonicalName('no_such_call')).toBeUndefined();
  });
  it('resolve command rows', () => {
    expect(resolveQuery('0x40000000', 'x86_64')).toEqual([{ arch: 'x32', scmp: 'SCMP_ARCH_X32', number: 0x40000000, name: 'read' }]);
    const rows = resolveQuery('accept');
    expect(rows.find((r) => r.arch === 'x86_64')?.number).toBe(43);
    expect(rows.find((r) => r.arch === 'x86')).toBeUndefined();
  });
});
