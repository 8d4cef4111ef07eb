// `syscribe resolve` without yargs (src/cli/fast-path.ts): same answers as the yargs path, for the
// argv it takes; every other argv is left to yargs.
// In-process (runCli: main() with the command registry itself, as bin/ calls it); what the fast path
// saves at start-up is measured by spawning in lazy-commands.test.ts.
import { describe, expect, it } from 'vitest';
import { simpleResolveArgs } from '../../src/cli/fast-path.js';
import { runCli } from '../helpers/cli.js';

const run = (args: string[], env: Record<string, string> = {}) => runCli(args, [], { env });

describe('resolve fast path', () => {
  it('takes only the simple forms', () => {
    expect(simpleResolveArgs(['resolve', '43', '--arch', 'x86_64'])).toEqual({ syscall: '43', arch: 'x86_64' });
    expect(simpleResolveArgs(['resolve', '--arch=aarch64', '202', '--json'])).toEqual({ syscall: '202', arch: 'aarch64', json: true });
    expect(simpleResolveArgs(['resolve', 'accept'])).toEqual({ syscall: 'accept' });
    for (const argv of [
      ['resolve'], ['resolve', '--help'], ['resolve', '-h', '43'], ['resolve', '43', '--arch'], ['resolve', '43', '--arch', '--json'],
      ['resolve', '43', '--arch', 'x86_64', '--arch', 'x86'], ['resolve', '43', '44'], ['resolve', '-1', '--arch', 'x86_64'],
      ['resolve', '43', '--json', '--json'], ['resolve', '43', '--no-json'], ['resolve', '43', '--debug'], ['resolve', '--', '43'],
      ['resolve', '43', '--arch='], ['resolve', ''], ['strace', 'x'], ['resolve', '43', '--archx', 'y'],
    ]) expect(simpleResolveArgs(argv), argv.join(' ')).toBeUndefined();
  });

  it('answers exactly as the yargs path (stdout, stderr, exit code)', async () => {
    const cases = [
      ['resolve', '43', '--arch', 'x86_64'],
      ['resolve', '--arch=x86_64', '0x2b'],
      ['resolve', '0x40000000', '--arch', 'amd64'],
      ['resolve', '202', '--arch', 'aarch64', '--json'],
      ['resolve', 'accept'],
      ['resolve', 'accept', '--json'],
      ['resolve', 'mmap2', '--arch', 'SCMP_ARCH_X86'],
      ['resolve', '43'],
      ['resolve', '99999', '--arch', 'x86_64'],
      ['resolve', '43', '--arch', 'bogus'],
      ['resolve', 'no_such_call'],
      ['resolve', 'read\u001b[2J'],
      ['resolve', '18446744073709551617', '--arch', 'x86_64'],
    ];
    for (const c of cases) {
      expect(simpleResolveArgs(c), c.join(' ')).toBeDefined();
      expect(await run(c), c.join(' ')).toEqual(await run(c, { SYSCRIBE_NO_FAST_PATH: '1' }));
    }
  });
});
