// `-` on the command line: protected from yargs (which drops it), restored for handlers.
import { describe, expect, it } from 'vitest';
import { STDIN_TOKEN, protectStdin } from '../../src/cli/main.js';
import { capsFor, parseCap, suggestCap } from '../../src/profile/capabilities.js';

describe('protectStdin', () => {
  it('every `-` before `--` becomes the token; after `--` (a command\'s own args) it stays', () => {
    expect(protectStdin(['strace', '-', '-o', 'x'])).toEqual(['strace', STDIN_TOKEN, '-o', 'x']);
    expect(protectStdin(['verify', '--profile', '-', '--', 'cat', '-'])).toEqual(['verify', '--profile', STDIN_TOKEN, '--', 'cat', '-']);
  });
  it('`-` twice as an input is refused; `-o -` / `--output -` are outputs', () => {
    expect(() => protectStdin(['merge', '-', 'a.json', '-'])).toThrow(/given twice/);
    expect(protectStdin(['merge', '-', '-o', '-'])).toEqual(['merge', STDIN_TOKEN, '-o', STDIN_TOKEN]);
    expect(protectStdin(['strace', '-', '--output', '-'])).toHaveLength(4);
  });
});

describe('capabilities', () => {
  it('any spelling; ALL; unknown names throw with a suggestion when close', () => {
    expect(parseCap('sys_admin', 'caps.exact')).toBe('CAP_SYS_ADMIN');
    expect(parseCap('CAP_NET_BIND_SERVICE', 'caps.exact')).toBe('CAP_NET_BIND_SERVICE');
    expect(parseCap('all', 'caps.drop')).toBe('ALL');
    expect(suggestCap('CAP_SYS_ADMN')).toBe('CAP_SYS_ADMIN');
    expect(suggestCap('FROBNICATE')).toBeUndefined();
    expect(() => parseCap('CAP_BOGUS', 'caps.exact')).toThrow(/^caps.exact CAP_BOGUS: not a Linux capability/);
  });
  it('drop first, add wins (Kubernetes): drop ALL + add KILL = KILL; add and drop the same = kept', () => {
    expect(capsFor('containerd', { drop: ['ALL'], add: ['KILL'] })).toEqual(['CAP_KILL']);
    expect(capsFor('crio', { drop: ['MKNOD'], add: ['MKNOD'] })).toContain('CAP_MKNOD');
    expect(() => capsFor('docker', { exact: ['KILL'], add: ['CHOWN'] })).toThrow(/exact set/);
  });
});
