// `syscribe resolve` without yargs (src/cli/fast-path.ts): same answers as the yargs path, for the
// argv it takes; every other argv is left to yargs.
// In-process (runCli: main() with the command registry itself, as bin/ calls it); what the fast path
// saves at start-up is measured by spawning in lazy-commands.test.ts.
import { describe, expect, it } from 'vitest';
import { simpleRecordArgs, simpleResolveArgs } from '../../src/cli/fast-path.js';
import { main } from '../../src/cli/main.js';
import { commands } from '../../src/cli/commands.js';
import { recordCommand } from '../../src/cli/record.js';
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

/** The argv object yargs hands the record handler (main with its own command list never takes a fast path). */
async function yargsRecordArgs(argv: string[]): Promise<unknown> {
  let got: unknown;
  const cmds = commands.map((c) => (String(c.command).startsWith('record') ? { ...recordCommand, handler: async (a: unknown) => void (got = a) } : c));
  await main(argv, cmds as never);
  return got;
}

describe('record fast path', () => {
  it('hands the record handler exactly what yargs does, for the argv it takes', async () => {
    const cases = [
      ['record', '--', '/bin/true'],
      ['record', '--baseline', 'none', '--runtime', 'none', '-q', '-o', '/tmp/x.json', '--', '/bin/true', '-a', '0x10', '--', '-'],
      ['record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', 'a.json', '--', 'make', 'test'],
      ['record', '--backend=auto', '--baseline=docker', '--runtime=crun', '--output=-', '--json', '--allow-empty', '--', 'ls', '-l'],
      ['record', '--quiet', '--backend', 'strace', '-o', '-', '--', 'sh', '-c', 'echo 010'],
    ];
    for (const c of cases) {
      const fast = await simpleRecordArgs(c);
      expect(fast, c.join(' ')).toBeDefined();
      expect(fast, c.join(' ')).toEqual(await yargsRecordArgs(c));
    }
  });

  it('leaves every other argv to yargs', async () => {
    for (const argv of [
      ['record'], ['record', '--'], ['record', 'ls'], ['record', '-o', 'x.json', 'ls'], ['record', '--help', '--', 'ls'],
      ['record', '--baseline', 'nonsense', '--', 'ls'], ['record', '--backend', 'dtrace', '--', 'ls'], ['record', '--runtime', 'runc', '--runtime', 'crun', '--', 'ls'],
      ['record', '-q', '-q', '--', 'ls'], ['record', '--pid', '1'], ['record', '--verify', '--', 'ls'], ['record', '--in-container', '--', 'ls'],
      ['record', '-o', '--', 'ls'], ['record', '-o', '--json', '--', 'ls'], ['record', '--baseline', '-', '--', 'ls'], ['record', '--json=true', '--', 'ls'],
      ['record', '--output=', '--', 'ls'], ['record', '--format', 'crd', '--name', 'x', '--', 'ls'], ['record', '--debug', '--', 'ls'], ['record', '-qo', 'x', '--', 'ls'],
      ['strace', '--', 'x'], ['record', '--no-json', '--', 'ls'], ['record', '--cap-add', 'NET_ADMIN', '--', 'ls'],
    ]) expect(await simpleRecordArgs(argv), argv.join(' ')).toBeUndefined();
  });

  it('answers exactly as the yargs path (stdout, stderr, exit code) on errors found before the command runs', async () => {
    for (const c of [
      ['record', '-o', '/nonexistent-dir/x.json', '--', '/bin/true'],
      ['record', '--json', '--', '/bin/true'],
      ['record', '--baseline', 'none', '-o', '/dev/null', '--', '/no/such/program'],
    ]) {
      const fast = await run(c);
      expect(fast, c.join(' ')).toEqual(await run(c, { SYSCRIBE_NO_FAST_PATH: '1' }));
      expect(fast.code, c.join(' ')).toBe(2);
    }
  });
});
