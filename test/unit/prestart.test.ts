// The raw-argv guess bin/syscribe.js uses to start bpftrace before the CLI loads (src/cli/prestart.ts).
import { describe, expect, it } from 'vitest';
import { prestartTarget } from '../../src/cli/prestart.js';

describe('prestartTarget', () => {
  it('is a guess only for an explicit bpftrace recording of a command or a pid', () => {
    expect(prestartTarget(['record', '--backend', 'bpftrace', '--', 'make'])).toEqual({ mode: 'cmd', target: process.pid });
    expect(prestartTarget(['record', '--backend=bpftrace', '--pid', '42'])).toEqual({ mode: 'pid', target: 42 });
    expect(prestartTarget(['record', '--backend', 'bpftrace', '--pid=7'])).toEqual({ mode: 'pid', target: 7 });
  });

  it('starts nothing for anything else', () => {
    for (const argv of [
      ['record', '--', 'make'], ['record', '--backend', 'strace', '--', 'make'], ['strace', '--backend', 'bpftrace'],
      ['record', '--backend', 'bpftrace', '--help'], ['record', '--backend', 'bpftrace', '--in-container', '--', 'sh'],
      ['record', '--backend', 'bpftrace', '--pid', 'x'], ['record', '--backend', 'bpftrace', '--pid', '0'],
      ['record', '--', '--backend', 'bpftrace'],
    ]) expect(prestartTarget(argv), argv.join(' ')).toBeUndefined();
  });
});
