// check on real recordings made here with strace: `unshare -m true` calls unshare(CLONE_NEWNS) and mount.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

let dir: string;
let log: string;

beforeAll(() => {
  requireTool('strace');
  requireTool('unshare', 'util-linux');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-check-'));
  log = join(dir, 'unshare.strace');
  execFileSync('strace', ['-f', '-o', log, 'unshare', '-m', 'true']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (...args: string[]) => runCli(['check', ...args]);

describe('syscribe check (real strace recording)', () => {
  it('containerd blocks unshare and mount: exit 1', async () => {
    const r = await check(log, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    const f = j.results[0].findings;
    expect(f.filter((x: { verdict: string }) => x.verdict === 'blocked').map((x: { name: string }) => x.name)).toEqual(['mount', 'unshare']);
    expect(f.find((x: { name: string }) => x.name === 'mount').hint).toMatch(/CAP_SYS_ADMIN/);
  });
  it("CRI-O allows mount but not unshare (CRI-O's own change to containers/common)", async () => {
    const r = await check(log, '--baseline', 'crio', '--json');
    expect(r.code).toBe(1);
    const blocked = JSON.parse(r.out).results[0].findings.filter((x: { verdict: string }) => x.verdict === 'blocked').map((x: { name: string }) => x.name);
    expect(blocked).toEqual(['unshare']);
  });
  it('with CAP_SYS_ADMIN containerd allows both; --all-runtimes table', async () => {
    expect((await check(log, '--cap', 'CAP_SYS_ADMIN')).code).toBe(0);
    const t = await check(log, '--all-runtimes');
    expect(t.code).toBe(1);
    expect(t.out).toMatch(/^mount +BLOCKED +ok +BLOCKED/m);
    expect(t.out).toMatch(/^unshare +BLOCKED +BLOCKED +BLOCKED/m);
  });
  it('a profile as input, and exit 0 when nothing is blocked', async () => {
    const p = join(dir, 'p.json');
    expect((await runCli(['strace', log, '--baseline', 'none', '--runtime', 'none', '-o', p])).code).toBe(0);
    expect((await check(p)).code).toBe(1);
    const ok = join(dir, 'true.strace');
    execFileSync('strace', ['-f', '-o', ok, 'true']);
    const r = await check(ok);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/nothing would be blocked/);
  });
  it('input errors are exit 2 with one line', async () => {
    const r = await check(join(dir, 'missing.log'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.log: no such file/);
  });
});
