// The node agent (`audit --follow --split-by …`, src/app/audit-agent.ts) for real: a child process
// follows a temp audit log we append to; it is stopped (SIGTERM) or killed (SIGKILL, no last flush),
// the log rotated while it is down, and restarted. What it writes at the end must equal a one-shot
// `audit --split-by` over every line — nothing lost; the state's record counts equal the log's,
// nothing counted twice.
// The agent is spawned (spawnCli): it is stopped (SIGTERM) and killed (SIGKILL) from outside and
// restarted as a new process. The one-shot reference and the refusals run in-process (runCli).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliChild, runCli, spawnCli } from '../helpers/cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIX = join(ROOT, 'test/fixtures/audit/auditd-enriched.log');
const dir = mkdtempSync(join(tmpdir(), 'syscribe-agent-'));
const children: CliChild[] = [];
const NONE = ['--baseline', 'none', '--runtime', 'none'];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const LINES = readFileSync(FIX, 'utf8').split('\n').filter(Boolean);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function agent(log: string, out: string, extra: string[] = []): CliChild {
  const c = spawnCli(['audit', log, '--follow', '--split-by', 'comm', ...NONE, '--flush-interval', '0.2', '-o', out, ...extra]);
  children.push(c);
  return c;
}
/** Wait until the state file says the agent has read `bytes` bytes of the file with inode `ino`. */
async function until(out: string, ino: number, bytes: number): Promise<void> {
  const f = `${out}.state.json`;
  for (let i = 0; i < 100; i++) {
    try {
      const s = JSON.parse(readFileSync(f, 'utf8')) as { log?: { ino: number; pos: number } };
      if (s.log?.ino === ino && s.log.pos === bytes) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`state never reached ${bytes} bytes of inode ${ino}`);
}
const state = (out: string) => JSON.parse(readFileSync(`${out}.state.json`, 'utf8')) as { groups: Record<string, { records: number }> };
const profiles = (d: string) => Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f), 'utf8')]));

describe('audit --follow --split-by: restart-safe agent', () => {
  let oneShot: Record<string, string>;
  let recordsPerComm: Record<string, number>;
  beforeAll(async () => {
    const ref = join(dir, 'ref');
    const r = await runCli(['audit', FIX, '--split-by', 'comm', ...NONE, '-o', ref, '--json']);
    expect(r.code, r.err).toBe(0);
    oneShot = profiles(ref);
    recordsPerComm = Object.fromEntries((JSON.parse(r.out) as { profiles: Array<{ key: string; containers?: unknown }> }).profiles.map((p) => [p.key, 0]));
    for (const l of LINES) {
      const m = /comm="([^"]*)"|comm=([0-9A-F]+)/.exec(l);
      if (!m || !/ syscall=/.test(l)) continue;
      const comm = m[1] ?? Buffer.from(m[2]!, 'hex').toString();
      if (comm in recordsPerComm) recordsPerComm[comm]!++;
    }
    expect(Object.keys(oneShot).length).toBeGreaterThan(3);
  });

  test('stop (SIGTERM), rotation while down, restart: the same profiles as one pass over everything; records counted once', async () => {
    const log = join(dir, 'a.log');
    const out = join(dir, 'out-a');
    writeFileSync(log, `${LINES.slice(0, 8).join('\n')}\n`);
    const a1 = agent(log, out, ['--from-start']);
    const ino1 = statSync(log).ino;
    await until(out, ino1, statSync(log).size);
    appendFileSync(log, `${LINES.slice(8, 12).join('\n')}\n`);
    await until(out, ino1, statSync(log).size);
    // Written while the agent is down: the rest of the old file, then rotation to a new file.
    a1.kill('SIGTERM');
    expect((await a1).exitCode).toBe(0);
    appendFileSync(log, `${LINES.slice(12, 16).join('\n')}\n`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, `${LINES.slice(16).join('\n')}\n`);
    const a2 = agent(log, out);
    await until(out, statSync(log).ino, statSync(log).size);
    a2.kill('SIGTERM');
    const r2 = await a2;
    expect(r2.stderr).toMatch(/rotated since the last run: reading the rest of .*a\.log\.1/);
    expect(profiles(out)).toEqual(oneShot);
    expect(Object.fromEntries(Object.entries(state(out).groups).map(([k, g]) => [k, g.records]))).toEqual(recordsPerComm);
  }, 30_000);

  test('killed (SIGKILL, no last flush): the restart reads from the saved position, nothing lost or doubled', async () => {
    const log = join(dir, 'b.log');
    const out = join(dir, 'out-b');
    writeFileSync(log, `${LINES.slice(0, 10).join('\n')}\n`);
    const a1 = agent(log, out, ['--from-start']);
    await until(out, statSync(log).ino, statSync(log).size);
    a1.kill('SIGKILL');
    await a1;
    // A half-written last line at the kill: the state stops before it; the restart reads it whole.
    const rest = `${LINES.slice(10).join('\n')}\n`;
    appendFileSync(log, rest.slice(0, 50));
    const a2 = agent(log, out);
    await sleep(500);
    appendFileSync(log, rest.slice(50));
    await until(out, statSync(log).ino, statSync(log).size);
    a2.kill('SIGTERM');
    expect((await a2).stderr).toMatch(/from byte \d+/);
    expect(profiles(out)).toEqual(oneShot);
    expect(Object.fromEntries(Object.entries(state(out).groups).map(([k, g]) => [k, g.records]))).toEqual(recordsPerComm);
  }, 30_000);

  test('a damaged state is refused (exit 2), not silently restarted', async () => {
    const out = join(dir, 'out-c');
    const log = join(dir, 'c.log');
    writeFileSync(log, `${LINES[0]}\n`);
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}.state.json`, '{"version": 9, "groups": {}}');
    const r = await runCli(['audit', log, '--follow', '--split-by', 'comm', ...NONE, '-o', out]);
    expect([r.code, r.err.trim()]).toEqual([2, `syscribe: --state ${out}.state.json: not a syscribe agent state (version 9, want 1)`]);
    const s = await runCli(['audit', log, '--state', join(dir, 's.json'), ...NONE, '-o', join(dir, 'x.json')]);
    expect([s.code, s.err.trim()]).toEqual([2, 'syscribe: --state goes with --follow --split-by']);
  }, 30_000);
});
