// record --backend bpftrace with the installed bpftrace: how it is started and stopped
// (src/record/bpftrace-session.ts, src/cli/prestart.ts, src/record/prestart.ts).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, requireTool } from '../helpers/tools.js';

const bin = join(__dirname, '..', '..', 'bin', 'syscribe.js');
let dir: string;

beforeAll(() => {
  if (!isRoot()) throw new Error('the bpftrace backend tests need root (CI runs as root)');
  requireTool('bpftrace');
  dir = mkdtempSync(join(tmpdir(), `syscribe-bpf-${process.pid}-`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const allowNames = (file: string): string[] =>
  JSON.parse(readFileSync(file, 'utf8')).syscalls.flatMap((r: { names: string[] }) => r.names).sort();

/** Processes whose command line contains `needle` (from /proc). */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

/** The bpftrace processes started by syscribe process `pid` (their last argument is its pid in command mode). */
const bpftracesOf = (pid: number) => processesWith('bpftrace -B line').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1) === String(pid));

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) if (cond()) return true;
  return cond();
}

describe('record --backend bpftrace', () => {
  it('stops even when bpftrace never sees its SIGINT (bpftrace 0.17 loses one that lands between two epoll_waits)', async () => {
    requireTool('gcc');
    // A `bpftrace` first on PATH that runs the real one with SIGINT blocked: every SIGINT is "lost",
    // deterministically, as it is by chance on a loaded machine. Stopping on SIGINT alone hangs forever.
    const wrap = join(dir, 'wrap');
    execFileSync('mkdir', ['-p', wrap]);
    const src = join(dir, 'block-int.c');
    writeFileSync(src, `#include <signal.h>
#include <unistd.h>
int main(int argc, char **argv) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGINT); sigprocmask(SIG_BLOCK, &s, 0); argv[0] = "bpftrace"; execv("${requireTool('bpftrace')}", argv); return 127; }
`);
    execFileSync('gcc', ['-O2', src, '-o', join(wrap, 'bpftrace')]);
    const out = join(dir, 'blocked.json');
    const child = spawn(process.execPath, [bin, 'record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', out, '--', '/bin/true'], {
      env: { ...process.env, PATH: `${wrap}:${process.env.PATH}` }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      for (const p of bpftracesOf(child.pid!)) process.kill(p, 'SIGKILL');
      child.kill('SIGKILL');
    }, 30_000);
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    expect(code, err).toBe(0);
    expect(allowNames(out)).toEqual(expect.arrayContaining(['execve', 'exit_group']));
  }, 60_000);

  it('a usage error after bpftrace was started early leaves no bpftrace (nor its lifeline) running', async () => {
    const child = spawn(process.execPath, [bin, 'record', '--backend', 'bpftrace', '--default-action', 'nonsense', '-o', join(dir, 'x.json'), '--', '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // bin/syscribe.js starts bpftrace before the CLI parses the options.
    expect(await waitFor(() => bpftracesOf(child.pid!).length === 1, 5_000)).toBe(true);
    const started = bpftracesOf(child.pid!);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toMatch(/default-action/);
    expect(await waitFor(() => started.every((p) => !existsSync(`/proc/${p}`)), 5_000)).toBe(true);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  }, 30_000);

  it('bpftrace ends by itself when syscribe is killed with SIGKILL (no tracer left behind)', async () => {
    const marker = `syscribe-bpf-orphan-${process.pid}`;
    const child = spawn(process.execPath, [bin, 'record', '--backend', 'bpftrace', '--baseline', 'none', '--runtime', 'none', '-o', join(dir, 'k.json'), '--', 'sh', '-c', `sleep 30; echo ${marker}`], { stdio: 'ignore' });
    // The command runs once bpftrace is tracing.
    const command = () => processesWith(`sleep 30; echo ${marker}`).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sh\0'));
    expect(await waitFor(() => command().length > 0, 20_000)).toBe(true);
    const tracers = bpftracesOf(child.pid!);
    expect(tracers.length).toBe(1);
    child.kill('SIGKILL');
    await once(child, 'exit');
    try {
      expect(await waitFor(() => tracers.every((p) => !existsSync(`/proc/${p}`) || readFileSync(`/proc/${p}/stat`, 'utf8').split(' ')[2] === 'Z'), 10_000)).toBe(true);
    } finally {
      for (const p of [...tracers, ...processesWith(marker)]) {
        try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      }
    }
  }, 60_000);
});
