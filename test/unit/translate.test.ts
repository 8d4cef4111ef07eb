/**
 * Mixed-architecture clusters: the translation table is checked against the syscall tables, and
 * the generator and check use it for listed arches nothing was recorded on (issue 16).
 */
import { describe, expect, it } from 'vitest';
import { ARCHES, type ArchId, archById } from '../../src/arch.js';
import { Collector } from '../../src/collect/collector.js';
import { checkObserved } from '../../src/generate/check.js';
import { generateProfile } from '../../src/generate/index.js';
import { EQUIVALENTS, noEquivalentWhy, translateFor } from '../../src/generate/translate.js';
import { allSyscallNames, existsOn } from '../../src/resolve.js';

const A = (id: ArchId) => archById(id);
const GENERIC_64: ArchId[] = ['aarch64', 'riscv64', 'loongarch64'];

function observe(arch: ArchId, names: string[]) {
  const c = new Collector();
  for (const name of names) c.add({ arch, name });
  return c.result();
}
const allowed = (p: { syscalls?: Array<{ names: string[]; action: string }> }) => new Set((p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));

describe('the translation table against the syscall tables', () => {
  it('every entry: some arch lacks the source and has a target (no dead entries)', () => {
    for (const [from, eq] of Object.entries(EQUIVALENTS)) {
      expect(ARCHES.some((a) => !existsOn(a, from) && eq.to.some((t) => existsOn(a, t))), from).toBe(true);
      for (const t of eq.to) expect(allSyscallNames(), `${from} → ${t}`).toContain(t);
      expect(eq.source, from).toMatch(/glibc|musl/);
    }
  });

  it('every x86_64 name a 64-bit generic arch lacks is translated or explained (none silently missing)', () => {
    for (const target of GENERIC_64) {
      for (const name of allSyscallNames()) {
        if (!existsOn(A('x86_64'), name) || existsOn(A(target), name)) continue;
        const r = translateFor(target, [name]);
        if (r.translations.length) {
          for (const t of r.translations[0]!.to) expect(existsOn(A(target), t), `${name} → ${t} on ${target}`).toBe(true);
        } else {
          expect(r.notOnArch[0]!.why, `${name} on ${target}`).not.toMatch(/no replacement/);
        }
      }
    }
  });

  it('a name the target has is its own call, never translated', () => {
    expect(translateFor('x86_64', ['open', 'stat', 'pipe'])).toEqual({ translations: [], notOnArch: [] });
    expect(translateFor('aarch64', ['openat', 'read'])).toEqual({ translations: [], notOnArch: [] });
  });

  it('the issue\'s names map to what glibc calls on aarch64', () => {
    const r = translateFor('aarch64', ['open', 'stat', 'pipe', 'epoll_wait', 'arch_prctl', 'iopl']);
    expect(Object.fromEntries(r.translations.map((t) => [t.from, t.to]))).toEqual({
      open: ['openat'], stat: ['newfstatat', 'statx'], pipe: ['pipe2'], epoll_wait: ['epoll_pwait'],
    });
    expect(r.notOnArch.map((n) => n.name)).toEqual(['arch_prctl', 'iopl']);
    expect(noEquivalentWhy('arch_prctl')).toMatch(/x86-specific/);
  });
});

describe('generate: a listed arch nothing was recorded on', () => {
  const rec = observe('x86_64', ['open', 'stat', 'pipe', 'epoll_wait', 'read', 'exit_group', 'arch_prctl']);

  it('--add-arch aarch64 adds the calls aarch64 makes instead, and reports it', () => {
    const { profile, report } = generateProfile(rec, { baseline: 'none', runtime: 'none', addArches: ['aarch64'] });
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64']);
    const names = allowed(profile);
    for (const n of ['openat', 'newfstatat', 'pipe2', 'epoll_pwait', 'read', 'exit_group']) expect(names.has(n), n).toBe(true);
    // x86_64 keeps its own names (it was recorded there).
    for (const n of ['open', 'stat', 'pipe', 'epoll_wait', 'arch_prctl']) expect(names.has(n), n).toBe(true);
    expect(report.derivedArches).toEqual(['aarch64']);
    expect(report.translations.map((t) => `${t.from}→${t.to.join('/')}`).sort()).toEqual(['epoll_wait→epoll_pwait', 'open→openat', 'pipe→pipe2', 'stat→newfstatat/statx']);
    expect(report.notOnArch).toEqual([{ arch: 'aarch64', name: 'arch_prctl', why: expect.stringMatching(/x86-specific/) }]);
    expect(report.added.find((a) => a.name === 'openat')!.why).toMatch(/in place of open on aarch64 \(derived, not observed\)/);
  });

  it('--arch aarch64 alone lists no name aarch64 lacks', () => {
    const { profile } = generateProfile(rec, { baseline: 'none', runtime: 'none', arches: ['aarch64'] });
    const names = [...allowed(profile)];
    expect(names.filter((n) => !existsOn(A('aarch64'), n))).toEqual([]);
    expect(names.sort()).toEqual(['epoll_pwait', 'exit_group', 'newfstatat', 'openat', 'pipe2', 'read', 'statx']);
  });

  it('an arch that was recorded keeps its own observations exactly (merge of per-arch recordings)', () => {
    const c = new Collector();
    for (const n of ['open', 'read']) c.add({ arch: 'x86_64', name: n });
    for (const n of ['openat', 'read']) c.add({ arch: 'aarch64', name: n });
    const { report } = generateProfile(c.result(), { baseline: 'none', runtime: 'none' });
    expect(report.derivedArches).toEqual([]);
    expect(report.translations).toEqual([]);
  });

  it('aarch64 → x86_64 adds nothing where x86_64 has every name', () => {
    const { report, profile } = generateProfile(observe('aarch64', ['openat', 'newfstatat', 'pipe2', 'ppoll']), { baseline: 'none', runtime: 'none', addArches: ['x86_64'] });
    expect(report.derivedArches).toEqual(['x86_64']);
    expect(report.translations).toEqual([]);
    expect([...allowed(profile)].sort()).toEqual(['newfstatat', 'openat', 'pipe2', 'ppoll']);
  });

  it('the runtime\'s native arch, added for the runtime\'s own calls, is not treated as derived', () => {
    const { report } = generateProfile(observe('x86', ['open', 'socketcall']), { baseline: 'none', runtime: 'runc', runtimeSyscalls: ['execve'] });
    expect(report.architectures).toContain('SCMP_ARCH_X86_64');
    expect(report.derivedArches).toEqual([]);
  });
});

describe('check --arch on a recording from another arch', () => {
  it('explains arch-specific names instead of calling them blocked', () => {
    const r = checkObserved(observe('x86_64', ['open', 'read', 'arch_prctl']), 'containerd', { arches: ['aarch64'], kernel: '6.1' });
    const v = Object.fromEntries(r.findings.map((f) => [f.name, f.verdict]));
    expect(v).toEqual({ arch_prctl: 'not-on-arch', open: 'translated' });
    expect(r.blocked).toBe(false);
    expect(r.findings.find((f) => f.name === 'open')!.detail).toMatch(/not a syscall on aarch64; there the C library calls openat/);
  });
});
