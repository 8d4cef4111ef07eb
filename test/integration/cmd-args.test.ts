// The command after `--` runs with its arguments as written: yargs turned `echo 0x10 010 1e3` into `echo 16 010 1000`
// and 0xfffffffffffffffe into 18446744073709552000 (verify then ran a different command than the user's).
// verify's case is proven under runc in profile-input-runc.test.ts (0xfffffffffffffffe passes, 2^64-1 is caught).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), `syscribe-cmd-args-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('record -- CMD ARGS', () => {
  // Spawned (spawnCli): the command's output goes to syscribe's own stdout, which is what is checked.
  it('passes number-looking arguments through unchanged', async () => {
    requireTool('strace');
    const args = ['0x10', '010', '1e3', '18446744073709551615', '-5', '0xfffffffffffffffe'];
    const r = await spawnCli(['record', '--baseline', 'none', '-o', join(dir, 'echo.json'), '--', '/bin/echo', ...args], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${args.join(' ')}\n`);
  });
});
