// Progress on long inputs (sources/progress.ts): a line on stderr when stderr is a terminal and the
// input takes over 2 s; nothing on a pipe; --quiet silences the progress line and the summary.
// The terminal is a real pseudo-terminal (test/helpers/pty-run.py, python3's os.openpty).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.js';

const bin = fileURLToPath(new URL('../../bin/syscribe.js', import.meta.url));
const ptyRun = fileURLToPath(new URL('../helpers/pty-run.py', import.meta.url));
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));

/** syscribe's stderr, with stdin fed `input` over `secs` seconds and stderr a terminal ('tty') or a pipe. */
function run(mode: 'tty' | 'pipe', secs: number, input: string, args: string[]): { status: number | null; err: string } {
  requireTool('python3');
  const r = spawnSync('python3', [ptyRun, mode, String(secs), input, process.execPath, bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, err: r.stdout };
}

const straceArgs = ['strace', '-', '--baseline', 'none', '--runtime', 'none'];

describe('progress line', () => {
  it('on a terminal, an input taking over 2 s shows a progress line, erased before the summary', () => {
    const { status, err } = run('tty', 3.5, fixture('strace/f.strace'), straceArgs);
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

  it('when stderr is not a terminal, no progress line and no escape sequences', () => {
    const { status, err } = run('pipe', 3.5, fixture('strace/f.strace'), straceArgs);
    expect(status).toBe(0);
    expect(err).not.toMatch(/reading:|\x1b/);
    expect(err).toMatch(/^baseline: none\n/);
    expect(err).toMatch(/lines: 195 parsed, 5 ignored, 0 malformed/);
  }, 60_000);

  it('--quiet: neither the progress line nor the summary, on a terminal too', () => {
    const { status, err } = run('tty', 3.5, fixture('strace/f.strace'), [...straceArgs, '--quiet', '-o', '/dev/null']);
    expect(status).toBe(0);
    expect(err).toBe('');
  }, 60_000);

  it('a short input on a terminal draws nothing', () => {
    const { status, err } = run('tty', 0.2, fixture('audit/auditd-enriched.log'), ['audit', '-', '--baseline', 'none', '--runtime', 'none']);
    expect(status).toBe(0);
    expect(err).not.toMatch(/reading:|\x1b/);
    expect(err).toMatch(/^baseline: none\r?\n/);
  }, 60_000);
});

describe('--quiet', () => {
  it('is accepted by strace, audit, audit-profile and record and keeps WARNING lines', () => {
    const loss = spawnSync(process.execPath, [bin, 'audit', fixture('audit/auditd-enriched.log'), fixture('audit/loss.log'), '--baseline', 'none', '--runtime', 'none', '-q', '-o', '/dev/null'], { encoding: 'utf8' });
    expect(loss.status, loss.stderr).toBe(0);
    expect(loss.stderr).toMatch(/^WARNING: the log says \d+ records were lost/);
    expect(loss.stderr.split('\n').filter(Boolean).every((l) => l.startsWith('WARNING:'))).toBe(true);
    const ap = spawnSync(process.execPath, [bin, 'audit-profile', '--quiet', '-o', '/dev/null'], { encoding: 'utf8' });
    expect([ap.status, ap.stderr]).toEqual([0, '']);
    const st = spawnSync(process.execPath, [bin, 'strace', fixture('strace/f.strace'), '--quiet', '-o', '/dev/null'], { encoding: 'utf8' });
    expect([st.status, st.stderr]).toEqual([0, '']);
    const rec = spawnSync(process.execPath, [bin, 'record', '--help'], { encoding: 'utf8' });
    expect(rec.stdout).toMatch(/--quiet/);
  });
});
