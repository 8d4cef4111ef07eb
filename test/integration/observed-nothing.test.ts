// Observing nothing is not a success: strace on an empty log, audit on garbage or with a
// filter that matches nothing, record of a process that made no call — no profile, one
// line saying why, exit 1 (a finding); --allow-empty writes the profile anyway. The audit
// summary always says what each filter removed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const auditLog = join(__dirname, '..', 'fixtures', 'audit', 'ausearch-raw.log');
let dir: string;

beforeAll(() => {
  requireTool('strace');
  requireTool('sleep', 'coreutils');
  dir = mkdtempSync(join(tmpdir(), `syscribe-empty-${process.pid}-`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** In-process (runCli); a command that reads stdin (-) is spawned (spawnCli) with `input` on a pipe. */
async function run(args: string[], input = ''): Promise<{ code: number | null; out: string; err: string }> {
  if (!args.includes('-')) return runCli(args);
  const r = await spawnCli(args, { stdin: input });
  return { code: r.exitCode ?? null, out: r.stdout, err: r.stderr };
}

/** The refusal: exit 1, exactly one line on stderr, nothing at `out`. */
function expectRefused(r: { code: number | null; err: string }, out: string): void {
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^syscribe: observed nothing: /);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/no profile written \(--allow-empty writes one anyway\)\n$/);
  expect(existsSync(out)).toBe(false);
}

/** The fixture's records, counted independently: comm of each type=SECCOMP line. */
const comms = readFileSync(auditLog, 'utf8').split('\n').filter((l) => l.startsWith('type=SECCOMP')).map((l) => /comm="([^"]*)"/.exec(l)![1]!);

describe('strace', () => {
  it('an empty file: no profile, exit 1; --allow-empty writes the baseline-only profile, exit 0', async () => {
    const empty = join(dir, 'empty.strace');
    writeFileSync(empty, '');
    const out = join(dir, 'empty.json');
    expectRefused(await run(['strace', empty, '-o', out]), out);
    const r = await run(['strace', empty, '-o', out, '--allow-empty']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).defaultAction).toBe('SCMP_ACT_ERRNO');
  });
  it('an empty pipe, and a log of strace noise only (no call lines)', async () => {
    const out = join(dir, 'pipe.json');
    expectRefused(await run(['strace', '-', '--baseline', 'none', '-o', out]), out);
    const r = await run(['strace', '-', '-o', out], '+++ exited with 0 +++\n--- SIGCHLD {si_signo=SIGCHLD} ---\n');
    expectRefused(r, out);
    expect(r.err).toMatch(/no syscall in 2 lines \(0 parsed, 2 ignored, 0 malformed\)/);
  });
  it('--json still prints the summary, marked empty', async () => {
    const out = join(dir, 'j.json');
    const r = await run(['strace', '-', '--json', '-o', out]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.empty).toBe(true);
    expect(j.output).toBeNull();
    expect(existsSync(out)).toBe(false);
  });
});

describe('audit', () => {
  it('garbage (random bytes): no profile, exit 1', async () => {
    const g = join(dir, 'garbage.log');
    writeFileSync(g, randomBytes(64 * 1024));
    const out = join(dir, 'garbage.json');
    expectRefused(await run(['audit', g, '-o', out]), out);
  });
  it('--comm nosuchapp matches nothing: exit 1, and the reason says the filter removed every record', async () => {
    const out = join(dir, 'nosuch.json');
    const r = await run(['audit', auditLog, '--comm', 'nosuchapp', '-o', out]);
    expectRefused(r, out);
    expect(r.err).toContain(`filters: --comm removed ${comms.length} (${comms.length} records removed, 0 kept)`);
    const j = await run(['audit', auditLog, '--comm', 'nosuchapp', '--json', '-o', out]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).filteredBy).toEqual({ '--comm': comms.length });
  });
  it('--split-by with nothing kept writes no profiles, exit 1', async () => {
    const d = join(dir, 'split');
    const r = await run(['audit', auditLog, '--comm', 'nosuchapp', '--split-by', 'comm', '-o', d]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^syscribe: observed nothing: /);
    expect(existsSync(d) ? readdirSync(d) : []).toEqual([]);
  });
  it('the summary always says what each filter removed', async () => {
    const app = comms[0]!;
    const others = comms.filter((c) => c !== app).length;
    expect(others).toBeGreaterThan(0);
    const r = await run(['audit', auditLog, '--comm', app, '--pid', '1,2,3,7296,999999', '-o', join(dir, 'f.json')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(new RegExp(`^filters: --pid removed \\d+, --comm removed \\d+ \\(${others} records removed, ${comms.length - others} kept\\)$`, 'm'));
    const none = await run(['audit', auditLog, '-o', join(dir, 'n.json')]);
    expect(none.err).toMatch(new RegExp(`^filters: none \\(${comms.length} records kept\\)$`, 'm'));
    const j = await run(['audit', auditLog, '--comm', app, '--json', '-o', join(dir, 'f.json')]);
    expect(JSON.parse(j.out)).toMatchObject({ filtered: others, filteredBy: { '--comm': others }, kept: comms.length - others });
  });
});

describe('check', () => {
  it('a CI gate does not pass on nothing: a log without calls is exit 1; an empty pipe is exit 2 (as an empty file)', async () => {
    const noise = await run(['check', '-'], '+++ exited with 0 +++\n--- SIGCHLD {si_signo=SIGCHLD} ---\n');
    expect(noise.code).toBe(1);
    expect(noise.err).toMatch(/^syscribe: observed nothing: no syscall in 2 lines .*: nothing to check\n$/);
    expect(noise.out).not.toMatch(/nothing would be blocked/);
    const empty = await run(['check', '-']);
    expect(empty.code).toBe(2);
    expect(empty.err).toBe('syscribe: stdin (-): empty input\n');
  });
});

describe('merge', () => {
  it('a recording that shows no call is not merged as nothing: exit 1, no output', async () => {
    const a = join(dir, 'base.json');
    writeFileSync(a, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const r = await run(['merge', a, '-'], '+++ exited with 0 +++\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^syscribe: stdin \(-\): observed nothing: .*nothing to merge from it\n$/);
    expect(r.out).toBe('');
  });
});

describe('record', () => {
  it('attached to a process that makes no call (stopped) until Ctrl-C: no profile, exit 1', async () => {
    const sleeper = spawn('sleep', ['100'], { stdio: 'ignore' });
    try {
      process.kill(sleeper.pid!, 'SIGSTOP');
      const out = join(dir, 'rec.json');
      // Spawned: it is stopped by SIGINT (Ctrl-C).
      const rec = spawnCli(['record', '--pid', String(sleeper.pid), '-o', out]);
      // Ctrl-C once strace is attached (TracerPid set): earlier, under load, syscribe may not be listening yet.
      const tracer = (): number => Number(/TracerPid:\s*(\d+)/.exec(readFileSync(`/proc/${sleeper.pid}/status`, 'utf8'))?.[1] ?? 0);
      for (let i = 0; i < 300 && tracer() === 0; i++) await new Promise((res) => setTimeout(res, 100));
      expect(tracer()).not.toBe(0);
      await new Promise((res) => setTimeout(res, 500));
      rec.kill('SIGINT');
      const r = await rec;
      expectRefused({ code: r.exitCode ?? null, err: r.stderr }, out);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
