/**
 * The error model through main(): input errors exit 2 with one line, a domain
 * OptionError is worded with the CLI's flag, and anything unexpected (a bug) is
 * an internal error: exit 70 with a "please report" line, the stack with --debug.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import { errorLines, exitFor } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { EXIT_INTERNAL, OptionError, UserError } from '../../src/errors.js';
import { mergeProfiles } from '../../src/algebra/merge.js';
import { parseKernel } from '../../src/generate/flatten.js';

const dir = mkdtempSync(join(tmpdir(), `syscribe-errors-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

/** A command whose handler has a bug: it reads a property of undefined (a real TypeError). */
const buggy: CommandModule<object, object> = {
  command: 'buggy',
  describe: false as unknown as string,
  handler: () => {
    const missing = (JSON.parse('{}') as { cfg?: { name: string } }).cfg;
    process.stdout.write(missing!.name);
  },
};

describe('internal errors', () => {
  it('a TypeError in a handler exits 70 with a "please report" line, not 2 as bad input', async () => {
    const r = await run(['buggy'], [buggy]);
    expect(r.code).toBe(EXIT_INTERNAL);
    expect(r.code).toBe(70);
    expect(r.err).toBe(
      "syscribe: internal error: Cannot read properties of undefined (reading 'name')\n" +
      'syscribe: this is a bug in syscribe; please report it with the command line and what `--debug` prints\n',
    );
  });

  it('--debug adds the stack', async () => {
    const r = await run(['buggy', '--debug'], [buggy]);
    expect(r.code).toBe(70);
    expect(r.err).toMatch(/^syscribe: internal error: .*\nsyscribe: this is a bug.*\nTypeError: Cannot read properties of undefined \(reading 'name'\)\n\s+at /);
  });

  it('system and tool failures stay input errors (exit 2); everything else is internal', () => {
    expect(exitFor(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(2);
    expect(exitFor(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(2);
    expect(exitFor(Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(70);
    expect(exitFor(new RangeError('x'))).toBe(70);
    expect(exitFor(new Error('x'))).toBe(70);
    expect(exitFor(new UserError('x'))).toBe(2);
    expect(exitFor(new UserError('x', 1))).toBe(1);
  });
});

describe('input errors', () => {
  it('an unreadable input: one line, exit 2', async () => {
    const r = await run(['strace', join(dir, 'missing.strace')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`syscribe: ${join(dir, 'missing.strace')}: no such file\n`);
  });

  it('domain errors speak of options; the CLI names the flag', async () => {
    // generate/flatten.ts and runtime/verify.ts: no CLI wording in the domain.
    expect(() => parseKernel('5')).toThrow(OptionError);
    expect(() => parseKernel('5')).toThrow("kernel wants X.Y (e.g. 5.15), got '5'");
    const p = join(dir, 'p.json');
    writeFileSync(p, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const k = await run(['merge', p, '--kernel', '5']);
    expect(k.code).toBe(2);
    expect(k.err).toBe("syscribe: --kernel wants X.Y (e.g. 5.15), got '5'\n");
    const v = await run(['verify', '--timeout', '0', '--profile', p, '--', 'true']);
    expect(v.code).toBe(2);
    expect(v.err).toBe('syscribe: --timeout 0: a positive number of seconds\n');
    // algebra/merge.ts: the errno option is defaultErrnoRet in the domain, --errno on the command line.
    const q = join(dir, 'q.json');
    writeFileSync(q, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }));
    const e = await run(['merge', p, q, '--default-action', 'errno']);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/; say which with --errno\n$/);
    expect(() => mergeProfiles([{ source: 'p', profile: { defaultAction: 'SCMP_ACT_ERRNO' } }, { source: 'q', profile: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 } }], { defaultAction: 'SCMP_ACT_ERRNO' }))
      .toThrow(/say which with defaultErrnoRet$/);
  });

  it('a UserError keeps its cause: one line without --debug, both stacks with it', () => {
    const cause = Object.assign(new Error('EACCES: permission denied, open \'x\''), { code: 'EACCES' });
    const e = new UserError('x: permission denied', 2, { cause });
    expect(e.cause).toBe(cause);
    expect(errorLines(e, false)).toBe('syscribe: x: permission denied\n');
    expect(errorLines(e, true)).toMatch(/^syscribe: x: permission denied\nUserError: x: permission denied\n\s+at [^]*\ncaused by: Error: EACCES: permission denied, open 'x'\n\s+at /);
  });
});
