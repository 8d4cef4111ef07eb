// `-` means stdin for every command that reads files, through real pipes:
// real strace output piped in, audit records piped in, profiles piped in.
// A pipe cannot seek and cannot be read twice: /dev/stdin and FIFOs too.
// Spawned (spawnCli) whenever stdin is read: a real pipe into syscribe's own process is the point.
// Runs that read no stdin (the same input from a file or a FIFO by path) are in-process (runCli).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const fixtures = join(__dirname, '..', 'fixtures');
let dir: string;

beforeAll(() => {
  requireTool('strace');
  requireTool('mkfifo', 'coreutils');
  dir = mkdtempSync(join(tmpdir(), `syscribe-stdin-${process.pid}-`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number | null; out: string; err: string }

/** syscribe with `input` written to its stdin through a pipe; without input, in-process. */
async function run(args: string[], input?: string | Buffer): Promise<Run> {
  if (input === undefined) return runCli(args);
  const r = await spawnCli(args, { stdin: input });
  return { code: r.exitCode ?? null, out: r.stdout, err: r.stderr };
}

/**
 * `producer | syscribe ARGS` as a shell pipeline (an OS pipe between them):
 * sh -c "'PRODUCER'… | exec \"$0\" \"$@\"" node bin ARGS…
 */
async function pipeFrom(producer: string[], args: string[]): Promise<Run> {
  const left = producer.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = await spawnCli(args, { via: ['sh', '-c', `${left} | exec "$0" "$@"`] });
  return { code: r.exitCode ?? null, out: r.stdout, err: r.stderr };
}

const allowNames = (text: string): string[] =>
  (JSON.parse(text).syscalls as Array<{ action: string; names: string[] }>).filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names).sort();

const TRUE_LOG = 'execve("/bin/true", ["true"], 0x7ffc0 /* 1 var */) = 0\nexit_group(0) = ?\n+++ exited with 0 +++\n';
const EXACT = ['--baseline', 'none', '--runtime', 'none'];

describe('strace -', () => {
  it('strace -f -o /dev/stdout /bin/true | syscribe strace - : the calls strace saw', async () => {
    const r = await pipeFrom(['strace', '-f', '-o', '/dev/stdout', '/bin/true'], ['strace', '-', ...EXACT, '--json', '-o', join(dir, 'true.json')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.lines.parsed).toBeGreaterThan(10);
    const names = allowNames(readFileSync(join(dir, 'true.json'), 'utf8'));
    expect(names).toContain('execve');
    expect(names).toContain('exit_group');
    expect(names).toContain('mmap');
  });

  it('/dev/stdin (a pipe: no positioned reads) reads the same', async () => {
    const r = await pipeFrom(['strace', '-f', '-o', '/dev/stdout', '/bin/true'], ['strace', '/dev/stdin', ...EXACT, '-o', join(dir, 'devstdin.json')]);
    expect(r.err).not.toMatch(/ESPIPE|invalid seek/);
    expect(r.code).toBe(0);
    expect(allowNames(readFileSync(join(dir, 'devstdin.json'), 'utf8'))).toContain('exit_group');
  });

  it('gzip on stdin is gunzipped; every line of a long stream is counted once', async () => {
    const n = 50_000;
    const lines = ['execve("/bin/x", ["x"], 0x0) = 0'];
    for (let i = 1; i < n - 1; i++) lines.push(i % 2 ? `read(3, "abc", 3) = 3` : `getpid() = ${i}`);
    lines.push('exit_group(0) = ?');
    const text = `${lines.join('\n')}\n`;
    for (const input of [text, gzipSync(text)]) {
      const r = await run(['strace', '-', ...EXACT, '--json', '-o', join(dir, 'long.json')], input);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).lines).toEqual({ parsed: n, ignored: 0, malformed: 0 });
      expect(allowNames(readFileSync(join(dir, 'long.json'), 'utf8'))).toEqual(['execve', 'exit_group', 'getpid', 'read']);
    }
  });

  it('a FIFO given by path is read as a stream', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'printf "%s" "$1" > "$2"', 'sh', TRUE_LOG, fifo], { stdio: 'ignore' });
    const written = new Promise((res) => writer.on('close', res)); // before the read: it may close during it
    const r = await run(['strace', fifo, ...EXACT]);
    await written;
    expect(r.code).toBe(0);
    expect(allowNames(r.out)).toEqual(['execve', 'exit_group']);
  });

  it('- given twice is a usage error; -o - (stdout) is not an input', async () => {
    const twice = await run(['strace', '-', '-', ...EXACT], TRUE_LOG);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/^syscribe: stdin \(-\) given twice/);
    const out = await run(['strace', '-', ...EXACT, '-o', '-'], TRUE_LOG);
    expect(out.code).toBe(0);
    expect(allowNames(out.out)).toEqual(['execve', 'exit_group']);
  });
});

describe('audit -', () => {
  it('reads the pipe, not /var/log/audit/audit.log', async () => {
    const log = readFileSync(join(fixtures, 'audit', 'ausearch-raw.log'));
    const viaFile = await run(['audit', join(fixtures, 'audit', 'ausearch-raw.log'), ...EXACT, '--json', '-o', join(dir, 'af.json')]);
    const viaPipe = await run(['audit', '-', ...EXACT, '--json', '-o', join(dir, 'ap.json')], log);
    expect(viaPipe.code).toBe(0);
    expect(JSON.parse(viaPipe.out).lines).toEqual(JSON.parse(viaFile.out).lines);
    expect(readFileSync(join(dir, 'ap.json'), 'utf8')).toBe(readFileSync(join(dir, 'af.json'), 'utf8'));
  });
});

describe('audit --follow -', () => {
  it('follows a pipe (`dmesg -w | syscribe audit --follow -`) until Ctrl-C, then writes what it saw', async () => {
    const out = join(dir, 'follow.json');
    const s = spawnCli(['audit', '--follow', '-', ...EXACT, '-o', out], { stdin: 'pipe' });
    let err = '';
    const sawAll = new Promise<void>((res) => s.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/new: exit_group \(x86,/.test(err)) res();
    }));
    s.stdin.write(readFileSync(join(fixtures, 'audit', 'ausearch-raw.log')));
    // The pipe stays open (a live source): only SIGINT ends the follow.
    await Promise.race([sawAll, new Promise((res) => setTimeout(res, 15_000))]);
    s.kill('SIGINT');
    const code = (await s).exitCode;
    s.stdin.destroy();
    expect(err).not.toMatch(/waiting for the file/);
    expect(code).toBe(0);
    expect(allowNames(readFileSync(out, 'utf8'))).toEqual(['close', 'exit_group', 'getpid', 'listns', 'openat', 'read']);
  });
});

describe('profile readers: check, merge, diff, install, verify', () => {
  it('check -: a recording on stdin that calls reboot is blocked (exit 1)', async () => {
    const r = await run(['check', '-'], 'execve("/sbin/reboot", ["reboot"], 0x0) = 0\nreboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF) = -1 EPERM (Operation not permitted)\n');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BLOCKED\s+reboot/);
  });

  it('merge a.json - : both inputs (stdin holding a strace recording or a profile)', async () => {
    const a = join(dir, 'a.json');
    writeFileSync(a, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const rec = await run(['merge', a, '-'], TRUE_LOG);
    expect(rec.code).toBe(0);
    expect(rec.err).toMatch(/merged 2 inputs \(1 recording\)/);
    expect(allowNames(rec.out)).toEqual(['execve', 'exit_group', 'read']);
    const prof = await run(['merge', a, '-'], JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ALLOW' }] }));
    expect(prof.code).toBe(0);
    expect(allowNames(prof.out)).toEqual(['read', 'write']);
  });

  it('diff - b.json compares stdin with the file', async () => {
    const b = join(dir, 'b.json');
    writeFileSync(b, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const same = await run(['diff', '-', b], readFileSync(b));
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    const other = await run(['diff', '-', b], JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }));
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/- write|write/);
    expect((await run(['diff', '-', '-'], '{}')).code).toBe(2);
  });

  it('install NAME - installs the profile on stdin', async () => {
    const root = join(dir, 'kubelet-seccomp');
    const p = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW' }] });
    const r = await run(['install', 'piped', '-', '--root', root], p);
    expect(r.err).toMatch(/written: /);
    expect(r.code).toBe(0);
    expect(allowNames(readFileSync(join(root, 'profiles', 'piped.json'), 'utf8'))).toEqual(['getpid']);
  });

  it('verify --profile - reads the profile from stdin (an invalid one is named as stdin, exit 2)', async () => {
    const r = await run(['verify', '--profile', '-', '--', 'true'], '{"defaultAction": "SCMP_ACT_NOPE"}');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^syscribe: stdin/);
  });

  it('strace - | verify --profile -: a profile made from a real recording, proven in runc from a pipe', async () => {
    requireTool('runc');
    const made = await pipeFrom(['strace', '-f', '-o', '/dev/stdout', '/bin/true'], ['strace', '-']);
    expect(made.code).toBe(0);
    const r = await run(['verify', '--profile', '-', '--', '/bin/true'], made.out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pass: \/bin\/true exits 0 with and without -/);
  });
});
