/**
 * `syscribe strace --jobs 2` on a log above the parallel threshold (32 MB, the
 * bench's all-styles mix of real recordings): worker threads parse byte
 * ranges, and the profile and the --json summary are byte for byte those of
 * `--jobs 1`. --debug says how the ranges went; stdin stays one pass.
 * Spawned (spawnCli): the worker threads load the built worker module of the real binary, and
 * stdin is a pipe; the usage error runs in-process (runCli).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script of the bench, no types
import { generate } from '../../bench/gen-mix.mjs';
import { runCli, spawnCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), `syscribe-jobs-${process.pid}-`));
const log = join(tmp, 'mix.log');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await generate('strace', { bytes: 40e6, out: log });
}, 120_000);

async function run(args: string[], input?: Buffer) {
  const r = await spawnCli(['strace', ...args, '--baseline', 'none', '--runtime', 'none'], input ? { stdin: input } : {});
  return { status: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe('syscribe strace --jobs', () => {
  it('--jobs 2 writes the profile and the --json summary of --jobs 1, byte for byte', async () => {
    expect(statSync(log).size).toBeGreaterThan(32 << 20);
    const one = await run([log, '--jobs', '1', '--json', '-o', join(tmp, 'one.json')]);
    const two = await run([log, '--jobs', '2', '--json', '--debug', '-o', join(tmp, 'two.json')]);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(readFileSync(join(tmp, 'two.json'), 'utf8')).toBe(readFileSync(join(tmp, 'one.json'), 'utf8'));
    expect(two.stdout.replace('two.json', 'one.json')).toBe(one.stdout);
    expect(JSON.parse(one.stdout).lines.parsed).toBeGreaterThan(100_000);
    // the ranges really ran: --debug tells how the second one was taken
    expect(two.stderr).toMatch(/2 ranges; after the first: \d+ taken whole, \d+ after a head parsed again, \d+ parsed again/);
    expect(one.stderr).not.toMatch(/ranges/);
  });

  it('stdin is one pass whatever --jobs says', async () => {
    const r = await run(['-', '--jobs', '2', '--debug', '--json', '-o', join(tmp, 'stdin.json')], readFileSync(log));
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/ranges/);
    expect(readFileSync(join(tmp, 'stdin.json'), 'utf8')).toBe(readFileSync(join(tmp, 'one.json'), 'utf8'));
  });

  it('--jobs takes a number or auto', async () => {
    const r = await runCli(['strace', log, '--jobs', 'many', '--baseline', 'none', '--runtime', 'none']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--jobs many/);
  });
});
