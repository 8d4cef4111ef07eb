// Progress on long inputs (sources/progress.ts): a line on stderr when stderr is a terminal and the
// input takes over 2 s; nothing on a pipe; --quiet silences the progress line and the summary.
// The terminal is a real pseudo-terminal (test/helpers/pty-run.py, python3's os.openpty): those runs
// are spawned (spawnCli) with stderr on it; the --quiet checks without a terminal run in-process.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const ptyRun = fileURLToPath(new URL('../helpers/pty-run.py', import.meta.url));
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));

/** syscribe's stderr, with stdin fed `input` over `secs` seconds and stderr a terminal ('tty') or a pipe. */
async function run(mode: 'tty' | 'pipe', secs: number, input: string, args: string[]): Promise<{ status: number | null; err: string }> {
  requireTool('python3');
  const r = await spawnCli(args, { via: ['python3', ptyRun, mode, String(secs), input], timeout: 60_000 });
  return { status: r.exitCode ?? null, err: r.stdout };
}

const straceArgs = ['strace', '-', '--baseline', 'none', '--runtime', 'none'];

describe('progress line', () => {
  it('on a terminal, an input taking over 2 s shows a progress line, erased before the summary', async () => {
    const { status, err } = await run('tty', 3.5, fixture('strace/f.strace'), straceArgs);
    expect(status).toBe(0);
    expect(err).toMatch(/\rreading: [0-9.]+ kB, \d+ lines, \d+ lines\/s\x1b\[K/);
    // Redrawn in place (\r), at most every 250 ms: over ~1.5 s of drawing, a handful of redraws, not one per chunk.
    const draws = err.split('\rreading:').length - 1;
    expect(draws).toBeGreaterThanOrEqual(1);
    expect(draws).toBeLessThanOrEqual(8);
    // The line is erased, then the summary starts on a clean line.
    expect(err).toMatch(/\r\x1b\[Kbaseline: none/);
    expect(err).toMatch(/lines: 195 parsed, 5 ignored, 0 malformed/);
  }, 60_000);

  it('when stderr is not a terminal, no progress line and no escape sequences', async () => {
    const { status, err } = await run('pipe', 3.5, fixture('strace/f.strace'), straceArgs);
    expect(status).toBe(0);
    expect(err).not.toMatch(/reading:|\x1b/);
    expect(err).toMatch(/^baseline: none\n/);
    expect(err).toMatch(/lines: 195 parsed, 5 ignored, 0 malformed/);
  }, 60_000);

  it('--quiet: neither the progress line nor the summary, on a terminal too', async () => {
    const { status, err } = await run('tty', 3.5, fixture('strace/f.strace'), [...straceArgs, '--quiet', '-o', '/dev/null']);
    expect(status).toBe(0);
    expect(err).toBe('');
  }, 60_000);

  it('a short input on a terminal draws nothing', async () => {
    const { status, err } = await run('tty', 0.2, fixture('audit/auditd-enriched.log'), ['audit', '-', '--baseline', 'none', '--runtime', 'none']);
    expect(status).toBe(0);
    expect(err).not.toMatch(/reading:|\x1b/);
    expect(err).toMatch(/^baseline: none\r?\n/);
  }, 60_000);
});

describe('--quiet', () => {
  it('is accepted by strace, audit, audit-profile and record and keeps WARNING lines', async () => {
    const loss = await runCli(['audit', fixture('audit/auditd-enriched.log'), fixture('audit/loss.log'), '--baseline', 'none', '--runtime', 'none', '-q', '-o', '/dev/null']);
    expect(loss.code, loss.err).toBe(0);
    expect(loss.err).toMatch(/^WARNING: the log says \d+ records were lost/);
    expect(loss.err.split('\n').filter(Boolean).every((l) => l.startsWith('WARNING:'))).toBe(true);
    const ap = await runCli(['audit-profile', '--quiet', '-o', '/dev/null']);
    expect([ap.code, ap.err]).toEqual([0, '']);
    const st = await runCli(['strace', fixture('strace/f.strace'), '--quiet', '-o', '/dev/null']);
    expect([st.code, st.err]).toEqual([0, '']);
    const rec = await runCli(['record', '--help']);
    expect(rec.out).toMatch(/--quiet/);
  });
});
