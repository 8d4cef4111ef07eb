import { describe, expect, it } from 'vitest';
import { containerRecords } from '../../src/runtime/verify.js';
import type { Observation } from '../../src/types.js';

const rec = (pid: number, comm: string, name = 'uname', action = 'log'): Observation => ({ arch: 'x86_64', name, pid, comm, action });

describe('containerRecords: which LOG records are the container\'s', () => {
  const alive = new Set([1005]);
  const keep = containerRecords(1000, 1010, (p) => alive.has(p));

  it('keeps the init (runc init or the program after execve) and later pids of the window', () => {
    expect(keep(rec(1000, 'runc:[2:INIT]'))).toBe(true);
    expect(keep(rec(1000, 'nginx'))).toBe(true);
    expect(keep(rec(1003, 'nginx'))).toBe(true);
    expect(keep(rec(1010, 'sh'))).toBe(true);
  });

  it('drops pids outside the window, non-LOG records, another container\'s runtime init, and processes still alive', () => {
    expect(keep(rec(999, 'nginx'))).toBe(false);
    expect(keep(rec(1011, 'nginx'))).toBe(false);
    expect(keep(rec(1002, 'nginx', 'uname', 'errno'))).toBe(false);
    expect(keep(rec(1004, 'runc:[2:INIT]'))).toBe(false); // another container's runc init
    expect(keep(rec(1004, 'crun'))).toBe(false);
    expect(keep(rec(1005, 'nginx'))).toBe(false); // alive after our container is gone: not ours
  });

  it('pid wrap-around: a window from a high init pid to a low last pid', () => {
    const k = containerRecords(4194300, 20, () => false);
    expect(k(rec(4194303, 'x'))).toBe(true);
    expect(k(rec(5, 'x'))).toBe(true);
    expect(k(rec(100, 'x'))).toBe(false);
  });
});
