// Hostile and broken input through the CLI: copytruncate + append bursts under --follow, an endless
// line, control characters from comm values and binary files, `check` on non-profiles and unknown numbers.
// In-process (runCli), except the --follow loops (stopped by SIGTERM) and the endless line (the peak
// RSS of its own process is measured): spawnCli. SYSCRIBE_BIN=/path/to/old/bin/syscribe.js runs
// the spawned ones against another build.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliChild, runCli, spawnCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), `syscribe-hostile-${process.pid}-`));
const kids: CliChild[] = [];
afterAll(() => {
  for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const rec = (serial: number, nr: number | string, comm = '"burst"') =>
  `type=SECCOMP msg=audit(1795419519.${String(serial).padStart(3, '0')}:${serial}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=77 comm=${comm} exe="/burst" sig=0 arch=c000003e syscall=${nr} compat=0 ip=0x7f92a1c1e011 code=0x7ffc0000\n`;

const run = (args: string[]) => runCli(args);

async function until(what: string, ok: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function allowed(profile: string): Set<string> {
  try {
    const p = JSON.parse(readFileSync(profile, 'utf8')) as { syscalls?: Array<{ names: string[]; action: string }> };
    return new Set((p.syscalls ?? []).filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names));
  } catch {
    return new Set();
  }
}

describe('audit --follow after copytruncate', () => {
  it('a burst of appends right after truncation, longer than the old offset, is read from the start (30 rounds)', async () => {
    const log = join(dir, 'trunc.log');
    const out = join(dir, 'trunc.json');
    // 3 records to start with (~585 bytes), then each round: truncate, append 4 records (~780 bytes) at once.
    writeFileSync(log, rec(1, 0) + rec(2, 1) + rec(3, 2));
    const child = spawnCli(['audit', log, '--follow', '--from-start', '--baseline', 'none', '--runtime', 'none', '--flush-interval', '0.05', '--json', '-o', out]);
    kids.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    await until('the first records', () => ['read', 'write', 'open'].every((n) => allowed(out).has(n)));
    // x86_64 numbers 3..122, four new ones per round; serials differ so no two rounds write the same bytes
    const { syscallName } = await import('../../src/resolve.js');
    const { archById } = await import('../../src/arch.js');
    const x64 = archById('x86_64');
    const rounds = 30;
    let serial = 10;
    let nr = 3;
    for (let r = 0; r < rounds; r++) {
      const nrs = [nr, nr + 1, nr + 2, nr + 3];
      nr += 4;
      truncateSync(log, 0);
      appendFileSync(log, nrs.map((n) => rec(serial++, n)).join(''));
      const want = nrs.map((n) => syscallName(x64, n)!);
      await until(`round ${r}: ${want.join(' ')}`, () => { const a = allowed(out); return want.every((n) => a.has(n)); });
    }
    child.kill('SIGTERM');
    await once(child, 'exit');
    const report = JSON.parse(stdout) as { lines: { parsed: number; ignored: number; malformed: number } };
    expect(report.lines).toEqual({ parsed: 3 + 4 * rounds, ignored: 0, malformed: 0 });
    expect(stderr.match(/truncated, reading from its start/g)?.length).toBe(rounds);
  }, 120_000);

  it('NUL padding left by a writer that kept its offset is skipped after truncation', async () => {
    const log = join(dir, 'nul.log');
    const out = join(dir, 'nul.json');
    writeFileSync(log, rec(1, 0));
    const child = spawnCli(['audit', log, '--follow', '--from-start', '--baseline', 'none', '--runtime', 'none', '--flush-interval', '0.05', '--json', '-o', out]);
    kids.push(child);
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    await until('read', () => allowed(out).has('read'));
    truncateSync(log, 0);
    // the writer goes on at its old offset (2 MiB further on, past the 1 MiB line cap): a hole of NULs, then its record
    const padded = Buffer.concat([Buffer.alloc(2 << 20), Buffer.from(rec(2, 59))]);
    writeFileSync(log, padded);
    await until('execve', () => allowed(out).has('execve'));
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(JSON.parse(stdout).lines).toEqual({ parsed: 2, ignored: 0, malformed: 0 });
  }, 60_000);
});

describe('an endless line', () => {
  it('50 MB without a newline: counted malformed with its line number, memory flat, the next line parsed', async () => {
    // A file on disk: reading a FIFO or stdin is being reworked elsewhere (today openInput preads, ESPIPE on a pipe).
    const big = join(dir, 'endless.log');
    const { createWriteStream } = await import('node:fs');
    const w = createWriteStream(big);
    w.write(rec(1, 0));
    const mb = Buffer.alloc(1 << 20, 'a');
    for (let i = 0; i < 50; i++) if (!w.write(mb)) await once(w, 'drain');
    w.end(`\n${rec(2, 59)}`);
    await once(w, 'close');
    const out = join(dir, 'endless.json');
    const child = spawnCli(['audit', big, '--baseline', 'none', '--runtime', 'none', '--json', '-o', out]);
    kids.push(child);
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch { /* exited */ }
    }, 20);
    const [code] = await once(child, 'exit');
    clearInterval(poll);
    expect(code).toBe(0);
    const j = JSON.parse(stdout) as { lines: object; malformed: Array<{ line: number; reason: string }> };
    expect(j.lines).toEqual({ parsed: 2, ignored: 0, malformed: 1 });
    expect(j.malformed[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/longer than/) });
    expect([...allowed(out)].sort()).toEqual(['execve', 'read']);
    expect(peak / 1024).toBeLessThan(150); // MiB; the whole line would be 50 MiB at least, plus its copies
  }, 120_000);
});

describe('control characters from input never reach the terminal raw', () => {
  const hexComm = Buffer.from('\x1b[2J').toString('hex').toUpperCase(); // 1B5B324A, as auditd prints it

  it('--split-by comm: the summary escapes a hex-encoded comm; the file name is safe', async () => {
    const log = join(dir, 'esc.log');
    writeFileSync(log, rec(1, 0, hexComm) + rec(2, 1, '"plain"'));
    const outDir = join(dir, 'split');
    mkdirSync(outDir);
    const r = await run(['audit', log, '--split-by', 'comm', '--baseline', 'none', '--runtime', 'none', '-o', outDir]);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/\x1b/);
    expect(r.err).toContain('\\x1b[2J');
    for (const f of readdirSync(outDir)) expect(f).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('--follow: the "new:" line escapes the comm', async () => {
    const log = join(dir, 'esc-follow.log');
    const out = join(dir, 'esc-follow.json');
    writeFileSync(log, rec(1, 0, hexComm));
    const child = spawnCli(['audit', log, '--follow', '--from-start', '--baseline', 'none', '--runtime', 'none', '-o', out]);
    kids.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await until('new: read', () => stderr.includes('new: read'));
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(stderr).not.toMatch(/\x1b/);
    expect(stderr).toContain('new: read (x86_64, \\x1b[2J pid 77)');
  });

  it('strace on a binary file: malformed samples are escaped, and no call is made of it', async () => {
    const f = join(dir, 'binary.strace');
    const junk = Buffer.alloc(1 << 20);
    let x = 7;
    for (let i = 0; i < junk.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      junk[i] = x >>> 24;
    }
    writeFileSync(f, Buffer.concat([Buffer.from('\x1b]0;pwned\x07\x1b[2J read(0, "", 1) garbage\n'), junk]));
    // Nothing observed: exit 1, no profile, one line (which quotes no input).
    const refused = await run(['strace', f, '--baseline', 'none', '--runtime', 'none', '-o', join(dir, 'binary.json')]);
    expect(refused.code).toBe(1);
    expect(refused.err).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    // --allow-empty: the full summary, its malformed samples escaped.
    const r = await run(['strace', f, '--baseline', 'none', '--runtime', 'none', '--allow-empty', '-o', join(dir, 'binary.json')]);
    expect(r.err).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.err).toContain('\\x1b]0;pwned\\x07');
    expect(r.err).toMatch(/lines: 0 parsed/);
    expect(allowed(join(dir, 'binary.json')).size).toBe(0);
  });
});

describe('check: never "nothing would be blocked" for what it cannot judge', () => {
  it('unknown syscall numbers (511, 999): "unknown — cannot tell", exit 1', async () => {
    const log = join(dir, 'unknown.log');
    writeFileSync(log, rec(1, 511) + rec(2, 999));
    const r = await run(['check', log]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/x86_64 number 511: unknown — cannot tell/);
    expect(r.out).toMatch(/x86_64 number 999: unknown — cannot tell/);
    expect(r.out).not.toMatch(/nothing would be blocked/);
    const j = JSON.parse((await run(['check', log, '--json'])).out);
    expect([j.blocked, j.cannotTell]).toEqual([false, true]);
  });

  it('[], null, an empty file and a YAML alias bomb: exit 2, one line on stderr', async () => {
    const bomb = ['defaultAction: SCMP_ACT_ERRNO', 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
    bomb.push('syscalls: [{names: *a8, action: SCMP_ACT_ALLOW}]');
    const bomb2 = 'a: &a ["x","x","x"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\n';
    for (const [name, text] of [['list.json', '[]\n'], ['null.json', 'null\n'], ['empty.json', ''], ['bomb.yaml', bomb.join('\n') + '\n'], ['bomb2.yaml', bomb2]] as const) {
      const p = join(dir, name);
      writeFileSync(p, text);
      const r = await run(['check', p]);
      expect([name, r.code]).toEqual([name, 2]);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).not.toMatch(/nothing would be blocked/);
    }
  });
});

it('the scratch directory exists (sanity)', () => {
  expect(existsSync(dir)).toBe(true);
});
