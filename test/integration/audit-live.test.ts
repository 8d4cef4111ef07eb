// Real end to end: auditd running, a libseccomp SCMP_ACT_LOG program runs, `syscribe audit --follow
// /var/log/audit/audit.log --comm <unique>` picks its calls up and the profile on disk has them.
// Needs root, auditd, gcc + libseccomp-dev.
// Spawned (spawnCli): the follow loop runs while the program runs and ends only by SIGTERM from outside.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'syscribe-audit-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = (f: string): string[] => {
  try {
    return (JSON.parse(readFileSync(f, 'utf8')) as { syscalls: Array<{ names: string[]; action: string }> }).syscalls
      .filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names).sort();
  } catch {
    return [];
  }
};

test('a SCMP_ACT_LOG program under auditd → audit --follow → profile', async () => {
  if (!isRoot()) throw new Error('this test needs root (auditd, /var/log/audit/audit.log)');
  requireTool('gcc');
  requireTool('auditd');
  // auditd may be running already (shared); start it if not.
  const running = await execa('pgrep', ['-x', 'auditd'], { reject: false });
  if (running.exitCode !== 0) await execa('auditd');
  const log = '/var/log/audit/audit.log';
  for (let i = 0; i < 50 && !existsSync(log); i++) await new Promise((r) => setTimeout(r, 100));

  const bin = join(dir, 'logtest');
  await execa('gcc', ['-o', bin, join(ROOT, 'test/fixtures/audit/src/logtest.c'), '-lseccomp']);
  const comm = `sct${process.pid % 100000}${Math.floor(Math.random() * 1000)}`.slice(0, 15);
  const prog = join(dir, comm);
  copyFileSync(bin, prog);

  const out = join(dir, 'live.json');
  const child = spawnCli(['audit', log, '--follow', '--comm', comm, '--baseline', 'none', '--runtime', 'none', '--flush-interval', '0.2', '-o', out]);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  try {
    for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
    await execa(prog);
    const want = ['close', 'exit_group', 'getpid', 'listns', 'openat', 'read'];
    const end = Date.now() + 10_000;
    while (Date.now() < end && names(out).join() !== want.join()) await new Promise((r) => setTimeout(r, 100));
    expect(names(out), err).toEqual(want);
  } finally {
    child.kill('SIGTERM');
    await child;
  }
  expect(err).toMatch(new RegExp(`new: openat \\(x86_64, ${comm} pid \\d+\\)`));
  // syscall(999) is reported as unknown, not guessed.
  expect(err).toMatch(/999/);
}, 30_000);
