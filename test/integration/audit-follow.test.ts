// `syscribe audit --follow` for real: a child process follows a temp file that we append to, rotate
// (rename + new file), truncate (copytruncate), and that does not exist at first; the profile on disk
// is checked by polling.
// Spawned (spawnCli): the loop ends only by a signal from outside (SIGTERM/SIGINT, the final write
// on it is what is tested), and it runs while the test writes the log.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type CliChild, spawnCli } from '../helpers/cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIX = join(ROOT, 'test/fixtures/audit');
const dir = mkdtempSync(join(tmpdir(), 'syscribe-audit-follow-'));
const children: CliChild[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const lines = (f: string) => readFileSync(join(FIX, f), 'utf8').split('\n').filter(Boolean);
const ENRICHED = lines('auditd-enriched.log');
const rec = (comm: string, nr: number) => ENRICHED.find((l) => l.includes(`comm="${comm}"`) && l.includes(` syscall=${nr} `))!;

function names(profile: string): string[] {
  try {
    const p = JSON.parse(readFileSync(profile, 'utf8')) as { syscalls: Array<{ names: string[]; action: string }> };
    return p.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names).sort();
  } catch {
    return [];
  }
}

async function until(what: string, ok: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function follow(log: string, out: string, extra: string[] = []) {
  const c = spawnCli(['audit', log, '--follow', '--baseline', 'none', '--runtime', 'none', '--flush-interval', '0.2', '-o', out, ...extra]);
  children.push(c);
  return c;
}

describe('audit --follow', () => {
  test('waits for the file, starts at its end, survives rotation and truncation, final write on SIGTERM', async () => {
    const log = join(dir, 'audit.log');
    const out = join(dir, 'follow.json');
    const child = follow(log, out);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    await until('waiting notice', () => err.includes('waiting for the file'));
    // Existing content when it appears is read: the file did not exist when we started.
    writeFileSync(log, `${rec('sc-logtest', 257)}\n`);
    await until('openat', () => names(out).includes('openat'));
    appendFileSync(log, `${rec('sc-logtest', 0)}\ntype=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=1 success=yes\n`);
    await until('read', () => names(out).join() === 'openat,read');
    expect(err).toMatch(/new: read \(x86_64, sc-logtest pid 7296\)/);
    // Rotation: rename, a last line into the old file, then a new file.
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, `${rec('sc-logtest', 3)}\n`);
    writeFileSync(log, `${rec('sc-logtest', 39)}\n`);
    await until('close + getpid after rotation', () => names(out).join() === 'close,getpid,openat,read');
    // copytruncate: truncate to 0, then new lines.
    truncateSync(log, 0);
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(log, `${rec('sc-logtest', 231)}\n`);
    await until('exit_group after truncation', () => names(out).includes('exit_group'));
    expect(err).toMatch(/rotated/);
    expect(err).toMatch(/truncated/);
    // Only rewritten when the set changed.
    const m1 = statSync(out).mtimeMs;
    appendFileSync(log, `${rec('sc-logtest', 231)}\n`);
    await new Promise((r) => setTimeout(r, 600));
    expect(statSync(out).mtimeMs).toBe(m1);
    // A line written just before SIGTERM makes it into the final write.
    appendFileSync(log, `${rec('sc-x32test', 1)}\n`);
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(0);
    expect(names(out)).toEqual(['close', 'exit_group', 'getpid', 'openat', 'read', 'write']);
  });

  test('writes a new syscall at once after a quiet spell, a burst at most once per --flush-interval', async () => {
    const log = join(dir, 'burst.log');
    writeFileSync(log, '');
    const out = join(dir, 'burst.json');
    const child = spawnCli(['audit', log, '--follow', '--baseline', 'none', '--runtime', 'none', '--flush-interval', '3', '-o', out]);
    children.push(child);
    await until('first write', () => existsSync(out));
    await new Promise((r) => setTimeout(r, 3200)); // a quiet spell longer than the interval
    const t0 = Date.now();
    appendFileSync(log, `${rec('sc-logtest', 257)}\n`);
    await until('openat', () => names(out).includes('openat'), 2000);
    const latency = Date.now() - t0;
    expect(latency).toBeLessThan(1000); // not held back to the next 3 s tick
    // Right after that write, another new syscall waits for the interval to pass.
    appendFileSync(log, `${rec('sc-logtest', 0)}\n`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(names(out)).toEqual(['openat']);
    await until('read, one interval after the first write', () => names(out).includes('read'), 4000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  }, 15_000);

  test('starts at the end unless --from-start', async () => {
    const log = join(dir, 'old.log');
    writeFileSync(log, `${rec('sc-logtest', 257)}\n`);
    const out = join(dir, 'end.json');
    const a = follow(log, out);
    await until('first write', () => existsSync(out));
    appendFileSync(log, `${rec('sc-logtest', 0)}\n`);
    await until('read', () => names(out).includes('read'));
    a.kill('SIGINT');
    await a;
    expect(names(out)).toEqual(['read']);
    const out2 = join(dir, 'start.json');
    const b = follow(log, out2, ['--from-start']);
    await until('both', () => names(out2).join() === 'openat,read');
    b.kill('SIGINT');
    expect((await b).exitCode).toBe(0);
  });
});
