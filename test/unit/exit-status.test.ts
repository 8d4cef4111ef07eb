/**
 * A handler returns its exit status (command.ts StatusCommand) and main()
 * returns it: yargs itself drops what a handler returns.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { defineCommand } from '../../src/cli/command.js';

const returning = (n: number | undefined) => defineCommand({
  command: 'status-probe',
  describe: 'a test command',
  builder: (y) => y,
  handler: async () => n,
});

describe('exit status from the handler', () => {
  it('a returned number is the exit code', async () => {
    expect((await runCli(['status-probe'], [returning(1)])).code).toBe(1);
    expect((await runCli(['status-probe'], [returning(2)])).code).toBe(2);
  });
  it('nothing returned: 0', async () => {
    expect((await runCli(['status-probe'], [returning(undefined)])).code).toBe(0);
  });
  it('check: something blocked is exit 1, nothing blocked 0 (the status check.ts returns)', async () => {
    const dir = mkdtempSync(join(tmpdir(), `syscribe-exit-status-${process.pid}-`));
    try {
      const blocked = join(dir, 'blocked.strace');
      writeFileSync(blocked, 'kexec_load(0, 0, NULL, 0) = -1 EPERM (Operation not permitted)\n');
      const fine = join(dir, 'fine.strace');
      writeFileSync(fine, 'read(0, "", 1) = 0\n');
      expect((await runCli(['check', blocked, '--arch', 'x86_64'])).code).toBe(1);
      expect((await runCli(['check', fine, '--arch', 'x86_64'])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('main() does not read process.exitCode: a command that leaves its status there (and returns nothing) exits 0', async () => {
    const leaving = defineCommand({
      command: 'status-probe', describe: 'a test command', builder: (y) => y,
      handler: () => {
        process.exitCode = 1;
      },
    });
    const saved = process.exitCode;
    try {
      expect((await runCli(['status-probe'], [leaving])).code).toBe(0);
    } finally {
      process.exitCode = saved;
    }
  });

  it('no module under src/ sets process.exitCode: handlers return their status (bin/syscribe.js sets it from main())', () => {
    const src = join(fileURLToPath(new URL('../../src', import.meta.url)));
    const setters = (readdirSync(src, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /process\.exitCode\s*=[^=]/.test(readFileSync(join(src, f), 'utf8')));
    expect(setters).toEqual([]);
  });
});
