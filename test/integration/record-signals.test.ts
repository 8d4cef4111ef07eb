/**
 * record on SIGTERM/SIGINT sent to syscribe alone (not the process group, as a supervisor or
 * `kill PID` does): the signal reaches the traced program and everything it started, syscribe
 * writes the profile of what it saw (marked partial), exits 128+signal at once, and leaves no
 * process behind (issue 12 item 10: it used to exit 137 after 5 s with the program still running).
 * Spawned (spawnCli): signals to syscribe's own process are what is tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';
import { descendants } from '../../src/record/strace-backend.js';

let dir = '';
beforeAll(() => {
  requireTool('strace');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-sig-'));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

async function recordThenSignal(sig: NodeJS.Signals, script: string, out: string) {
  // detached: its own process group, so the signal reaches syscribe alone.
  const p = spawnCli(['record', '--baseline', 'none', '--runtime', 'none', '-o', out, '--', 'sh', '-c', script], { detached: true });
  const ended = p.then((r) => r);
  // Wait until the program's sleep runs under strace (syscribe → strace → sh → sleep).
  let tree: number[] = [];
  for (let i = 0; i < 200; i++) {
    tree = descendants(p.pid!);
    if (tree.some((q) => { try { return readFileSync(`/proc/${q}/comm`, 'utf8').trim() === 'sleep'; } catch { return false; } })) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(tree.length).toBeGreaterThanOrEqual(3);
  const t0 = Date.now();
  process.kill(p.pid!, sig);
  const r = await ended;
  return { code: r.exitCode ?? null, seconds: (Date.now() - t0) / 1000, stderr: r.stderr, tree };
}

describe('record stopped by a signal to syscribe alone', () => {
  for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${sig}: the program tree stops, the partial profile is written, exit ${code}`, async () => {
      const out = join(dir, `${sig}.json`);
      const r = await recordThenSignal(sig, 'sleep 60; echo never', out);
      expect(r.code, r.stderr).toBe(code);
      expect(r.seconds).toBeLessThan(3);
      expect(r.stderr).toMatch(new RegExp(`partial: recording stopped by ${sig} before the command ended`));
      for (const q of r.tree) expect(alive(q), `pid ${q} left behind`).toBe(false);
      const names = new Set((JSON.parse(readFileSync(out, 'utf8')) as { syscalls: Array<{ names: string[] }> }).syscalls.flatMap((x) => x.names));
      expect(names.has('execve')).toBe(true);
      expect(names.has('clock_nanosleep') || names.has('nanosleep')).toBe(true);
    });
  }

  it('a program that catches SIGTERM runs its handler, which is recorded; exit is still 128+15', async () => {
    const out = join(dir, 'trap.json');
    const r = await recordThenSignal('SIGTERM', 'trap "echo bye >&2; exit 0" TERM; sleep 60 & wait', out);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/^bye$/m);
    for (const q of r.tree) expect(alive(q), `pid ${q} left behind`).toBe(false);
    const names = new Set((JSON.parse(readFileSync(out, 'utf8')) as { syscalls: Array<{ names: string[] }> }).syscalls.flatMap((x) => x.names));
    expect(names.has('write')).toBe(true);
  });
});
