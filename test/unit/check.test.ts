import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import { checkObserved } from '../../src/generate/check.js';

function observe(calls: Array<[string, Array<bigint | undefined>?]>) {
  const c = new Collector();
  for (const [name, args] of calls) c.add({ arch: 'x86_64', name, ...(args ? { args } : {}) });
  return c.result();
}

describe('checkObserved', () => {
  const o = observe([['read'], ['mount'], ['unshare'], ['socket', [2n, 1n, 6n]], ['clone3'], ['clone']]);
  it('containerd blocks mount and unshare', () => {
    const r = checkObserved(o, 'containerd', { kernel: '6.1' });
    expect(r.blocked).toBe(true);
    expect(r.findings.map((f) => [f.name, f.verdict])).toEqual([
      ['clone', 'conditional-unknown'],
      ['clone3', 'enosys'],
      ['mount', 'blocked'],
      ['socket', 'conditional-pass'],
      ['unshare', 'blocked'],
    ]);
    expect(r.findings.find((f) => f.name === 'mount')!.hint).toMatch(/CAP_SYS_ADMIN/);
    // The risky blocked calls say why they are risky; the others carry no risk.
    expect(r.findings.map((f) => [f.name, f.risk ?? null])).toEqual([
      ['clone', null],
      ['clone3', null],
      ['mount', 'mounts filesystems: with CAP_SYS_ADMIN a container can remount or expose host paths'],
      ['socket', null],
      ['unshare', 'creates new namespaces (user namespaces expose kernel code normally reachable only by root)'],
    ]);
  });
  it('CRI-O allows mount, clone and clone3 but not unshare (CRI-O: CAP_SYS_ADMIN only)', () => {
    const r = checkObserved(o, 'crio', { kernel: '6.1' });
    expect(r.findings.map((f) => [f.name, f.verdict])).toEqual([['socket', 'conditional-pass'], ['unshare', 'blocked']]); // CRI-O's socket rules exclude CAP_AUDIT_WRITE, not in its default caps
  });
  it('nothing blocked → blocked false', () => {
    expect(checkObserved(observe([['read'], ['write']]), 'docker', { kernel: '6.1' }).blocked).toBe(false);
  });
  it('recorded socket(AF_VSOCK) is blocked by the argument condition', () => {
    const r = checkObserved(observe([['socket', [40n, 1n, 0n]]]), 'containerd', { kernel: '6.1' });
    expect(r.findings).toEqual([{ name: 'socket', verdict: 'blocked-args', detail: expect.stringContaining('arg0 == 40') }]);
    expect(r.blocked).toBe(true);
  });
});
