/**
 * `syscribe audit --jobs 2` on a regular file above the parallel threshold
 * (PARALLEL_MIN_BYTES) gives byte for byte what `--jobs 1` gives: profile,
 * --json summary, --split-by exe profiles, the text summary with its
 * malformed samples (file line numbers) and loss warning. The input is built
 * from the real fixtures with the malformed records and a second audit_lost
 * counter at its end, so they fall in the second range. That a worker thread
 * really parsed a range is seen from outside: node --cpu-prof writes one
 * profile per thread. Needs dist/ (npx tsc -p tsconfig.json).
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARALLEL_MIN_BYTES } from '../../src/cli/jobs-option.js';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'syscribe.js');
const FIX = join(ROOT, 'test', 'fixtures', 'audit');
const dir = mkdtempSync(join(tmpdir(), `syscribe-audit-jobs-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const big = join(dir, 'big.log');
const NONE = ['--baseline', 'none', '--runtime', 'none'];

interface Run { code: number; out: string; err: string }

async function syscribe(args: string[], nodeArgs: string[] = [], input?: string): Promise<Run> {
  const p = promisify(execFile)(process.execPath, [...nodeArgs, BIN, ...args], { maxBuffer: 64 << 20 });
  if (input !== undefined) p.child.stdin!.end(readFileSync(input));
  try {
    const { stdout, stderr } = await p;
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

/** Threads that ran: node --cpu-prof writes one profile per thread (the main one and each worker). */
async function threadsOf(args: string[], input?: string): Promise<number> {
  const prof = mkdtempSync(join(dir, 'prof-'));
  const r = await syscribe(args, ['--cpu-prof', `--cpu-prof-dir=${prof}`], input);
  expect(r.code, r.err).toBe(0);
  return readdirSync(prof).filter((f) => f.endsWith('.cpuprofile')).length;
}

beforeAll(async () => {
  // Every fixture without malformed records, repeated past the threshold; then the malformed records (7: more than the 5 samples shown) and loss lines.
  const tail = ['malformed.log', 'ausearch-i-arches.log', 'arches-raw.log'];
  const body = readdirSync(FIX).filter((f) => f.endsWith('.log') && !tail.includes(f) && f !== 'loss.log').sort().map((f) => readFileSync(join(FIX, f)));
  const loss = readFileSync(join(FIX, 'loss.log'), 'utf8');
  const ws = createWriteStream(big);
  ws.write(loss);
  let n = 0;
  while (n < PARALLEL_MIN_BYTES + (2 << 20)) {
    for (const b of body) {
      if (!ws.write(b)) await once(ws, 'drain');
      n += b.length;
    }
  }
  for (const f of tail) ws.write(readFileSync(join(FIX, f)));
  ws.end(loss.replace('audit_lost=7', 'audit_lost=12'));
  await once(ws, 'finish');
  expect(statSync(big).size).toBeGreaterThan(PARALLEL_MIN_BYTES);
}, 120_000);

describe('syscribe audit --jobs', () => {
  it('--jobs 2 parses in two threads and prints exactly what --jobs 1 prints (profile, --json, text summary)', async () => {
    for (const extra of [[], ['--comm', 'sc-logtest'], ['--action', 'log', '--since', '1795419507.5', '--json']]) {
      const res: Array<{ run: Run; profile: string }> = [];
      for (const jobs of ['1', '2']) {
        const out = join(dir, `p${jobs}.json`);
        const run = await syscribe(['audit', big, '--jobs', jobs, ...NONE, ...extra, '-o', out]);
        res.push({ run: { ...run, out: run.out.replaceAll(out, 'OUT'), err: run.err.replaceAll(out, 'OUT') }, profile: readFileSync(out, 'utf8') });
      }
      expect(res[0]!.run.code, res[0]!.run.err).toBe(0);
      expect(res[1]).toEqual(res[0]);
      if (!extra.includes('--json')) {
        // the malformed samples are the last lines of the file: numbered in it, not in the second range
        expect(res[0]!.run.err).toMatch(/big\.log:\d{6}: unknown audit arch 0xdeadbeef/);
        expect(res[0]!.run.err).toMatch(/more malformed lines not shown/);
        expect(res[0]!.run.err).toMatch(/records were lost/);
      }
    }
    expect(await threadsOf(['audit', big, '--jobs', '2', ...NONE, '-q', '-o', join(dir, 't2.json')])).toBe(2);
    expect(await threadsOf(['audit', big, '--jobs', '1', ...NONE, '-q', '-o', join(dir, 't1.json')])).toBe(1);
  });

  it('--split-by exe: the same profiles and summary', async () => {
    const res: Array<{ run: Run; files: Record<string, string> }> = [];
    for (const jobs of ['1', '2']) {
      const out = join(dir, `split${jobs}`);
      const run = await syscribe(['audit', big, '--jobs', jobs, ...NONE, '--split-by', 'exe', '--json', '-o', out]);
      expect(run.code, run.err).toBe(0);
      const files = Object.fromEntries(readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')]));
      res.push({ run: { ...run, out: run.out.replaceAll(out, 'OUT'), err: run.err.replaceAll(out, 'OUT') }, files });
    }
    expect(Object.keys(res[0]!.files).length).toBeGreaterThan(2);
    expect(res[1]).toEqual(res[0]);
  });

  it('stdin and small files stay one pass; a bad --jobs is a usage error', async () => {
    expect(await threadsOf(['audit', '-', '--jobs', '2', ...NONE, '-q', '-o', join(dir, 's.json')], big)).toBe(1);
    expect(await threadsOf(['audit', join(FIX, 'dmesg.log'), '--jobs', '2', ...NONE, '-q', '-o', join(dir, 'small.json')])).toBe(1);
    const bad = await syscribe(['audit', big, '--jobs', '0', ...NONE, '-o', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--jobs 0/);
  });
});
