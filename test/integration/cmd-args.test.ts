// The command after `--` runs with its arguments as written: yargs turned `echo 0x10 010 1e3` into `echo 16 010 1000`
// and 0xfffffffffffffffe into 18446744073709552000 (verify then ran a different command than the user's).
// verify's case is proven under runc in profile-input-runc.test.ts (0xfffffffffffffffe passes, 2^64-1 is caught).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.js';

const bin = join(__dirname, '..', '..', 'bin', 'syscribe.js');
const dir = mkdtempSync(join(tmpdir(), `syscribe-cmd-args-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('record -- CMD ARGS', () => {
  it('passes number-looking arguments through unchanged', () => {
    requireTool('strace');
    const args = ['0x10', '010', '1e3', '18446744073709551615', '-5', '0xfffffffffffffffe'];
    const r = spawnSync(process.execPath, [bin, 'record', '--baseline', 'none', '-o', join(dir, 'echo.json'), '--', '/bin/echo', ...args], { encoding: 'utf8', cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${args.join(' ')}\n`);
  });
});
