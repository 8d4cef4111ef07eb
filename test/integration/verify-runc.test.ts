// Real recordings → profiles → proven (or refuted) in runc. Needs root, strace, runc, auditd, gcc, curl, python3.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';
import { without } from '../helpers/profiles.js';

const root = join(__dirname, '..', '..');
let dir: string;
let server: ChildProcess | undefined;
let port = 0;

const syscribe = (...args: string[]) => runCli(args, [], { cwd: dir });

/** Record CMD with strace, build its --baseline none profile (runc's own calls included). */
async function profileOf(name: string, cmd: string[], extra: string[] = []): Promise<string> {
  const log = join(dir, `${name}.strace`);
  execFileSync('strace', ['-f', '-o', log, ...cmd], { stdio: 'ignore', cwd: dir });
  const out = join(dir, `${name}.json`);
  const r = await syscribe('strace', log, ...(extra.length ? extra : ['--baseline', 'none']), '-o', out);
  expect(r.code, r.err).toBe(0);
  return out;
}


async function verify(profile: string, cmd: string[]) {
  return await syscribe('verify', '--profile', profile, '--', ...cmd);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  if (!isRoot()) throw new Error('these tests run containers with runc and need root (CI runs as root)');
  for (const t of ['strace', 'runc', 'gcc', 'curl', 'python3']) requireTool(t);
  requireTool('auditd');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-verify-'));
  execFileSync('gcc', ['-O1', '-pthread', '-o', join(dir, 'threads'), join(root, 'samples', 'threads', 'threads.c')]);
  port = await freePort();
  server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port)], { cwd: join(root, 'samples'), stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);
afterAll(() => {
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('verify under runc with each program\'s own --baseline none profile', () => {
  const cases: Array<[string, () => string[], string]> = [
    ['http-fetch', () => ['curl', '-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`], 'connect'],
    ['threads', () => [join(dir, 'threads')], 'mprotect'],
    ['pipeline', () => ['sh', '-c', 'ls /usr | sort | head -3'], 'pipe2'],
  ];
  it.each(cases)('%s: passes; without the syscall it needs it fails and names it', async (name, cmd, needed) => {
    const p = await profileOf(name, cmd());
    const ok = await verify(p, cmd());
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/^pass:/);
    const bad = await verify(without(p, needed), cmd());
    expect(bad.code, bad.out + bad.err).toBe(1);
    expect(bad.out).toMatch(/^FAIL:/);
    expect(bad.out).toMatch(new RegExp(`denied syscalls: .*\\b${needed}\\b`));
  });

  it('crun: a --runtime crun profile passes under crun; without pipe2 it fails and names it', async () => {
    requireTool('crun');
    const cmd = ['sh', '-c', 'ls /usr | sort | head -3'];
    const p = await profileOf('pipeline-crun', cmd, ['--baseline', 'none', '--runtime', 'crun']);
    const ok = await syscribe('verify', '--runtime', 'crun', '--profile', p, '--', ...cmd);
    expect(ok.code, ok.out + ok.err).toBe(0);
    const bad = await syscribe('verify', '--runtime', 'crun', '--profile', without(p, 'pipe2'), '--', ...cmd);
    expect(bad.code, bad.out + bad.err).toBe(1);
    expect(bad.out).toMatch(/^denied syscalls: .*\bpipe2\b/m);
  });

  it('a --baseline containerd profile runs the program too', async () => {
    const p = await profileOf('pipeline-containerd', ['sh', '-c', 'ls /usr | sort | head -3'], ['--baseline', 'containerd']);
    const v = await verify(p, ['sh', '-c', 'ls /usr | sort | head -3']);
    expect(v.code, v.out + v.err).toBe(0);
  });

  it('cannot run: exit 2 with a clear message', async () => {
    const r = await syscribe('verify', '--profile', join(dir, 'missing.json'), '--', 'true');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no such file/);
  });
});

describe('merge of two code paths of one program', () => {
  it('the merged profile runs both paths in runc', async () => {
    const a = ['sh', '-c', 'ls /usr > /dev/null'];
    const b = ['sh', '-c', 'date -u +%Y > /dev/null; cat /etc/hostname > /dev/null'];
    const la = join(dir, 'path-a.strace');
    const lb = join(dir, 'path-b.strace');
    execFileSync('strace', ['-f', '-o', la, ...a], { stdio: 'ignore' });
    execFileSync('strace', ['-f', '-o', lb, ...b], { stdio: 'ignore' });
    const pa = join(dir, 'path-a.json');
    expect((await syscribe('strace', la, '--baseline', 'none', '-o', pa)).code).toBe(0);
    const merged = join(dir, 'merged.json');
    const m = await syscribe('merge', pa, lb, '-o', merged); // a profile and a recording, merged
    expect(m.code, m.err).toBe(0);
    for (const cmd of [a, b]) {
      const v = await verify(merged, cmd);
      expect(v.code, v.out + v.err).toBe(0);
    }
  });
});
