/**
 * audit on several cores (app/audit-ranges.ts): a file cut into byte ranges at
 * line starts, each range parsed on its own, the parts folded in file order,
 * must leave the sink exactly as one pass does — line counts, loss accounting
 * (audit_lost= is a cumulative counter), unknown numbers, names per arch in
 * first-seen order, filter counts, --split-by exe|comm groups and malformed
 * samples with their file line numbers. Every audit fixture, and
 * concatenations of them, cut at every line boundary (two ranges) and at
 * pairs of boundaries (three ranges). The ranges run in this thread (the
 * worker is a thin wrapper, exercised by test/integration/audit-jobs.test.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditSink, type SplitKey } from '../../src/app/audit.js';
import { auditRange, rangesAllowed, readAuditFiles } from '../../src/app/audit-ranges.js';
import type { AuditFilter } from '../../src/ingest/audit-filter.js';
import { filterFrom } from '../../src/cli/audit-options.js';
import { eachLineOfFile } from '../../src/sources/lines.js';
import { canCut } from '../../src/sources/ranges.js';

const FIX = join(__dirname, '..', 'fixtures', 'audit');
const dir = mkdtempSync(join(tmpdir(), 'syscribe-audit-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixtures = readdirSync(FIX).filter((f) => f.endsWith('.log')).sort();

/** Everything a sink holds, Maps as entry lists (their order is part of the result). */
function snapshot(s: AuditSink): unknown {
  const plain = (v: unknown): unknown => {
    if (v instanceof Map) return [...v].map(([k, x]) => [k, plain(x)]);
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  return plain({
    all: s.all.result(),
    byKey: [...s.byKey].map(([k, c]) => [k, c.result()]),
    perKey: s.perKey,
    filtered: s.filtered,
    removedBy: s.removedBy,
    kept: s.kept,
  });
}

async function onePass(path: string, filter: AuditFilter, split?: SplitKey): Promise<AuditSink> {
  const sink = new AuditSink(filter, split);
  await eachLineOfFile(path, (l, n) => sink.line(l, n, path));
  return sink;
}

async function byRanges(path: string, cuts: number[], filter: AuditFilter, split?: SplitKey): Promise<AuditSink> {
  const sink = new AuditSink(filter, split);
  let offset = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const part = await auditRange({ path, start: cuts[k]!, end: cuts[k + 1]!, filter, splitBy: split });
    sink.absorb(part, offset);
    offset += part.lines;
  }
  return sink;
}

/** Byte offsets of every line start of a file (0 and after each newline), and its size. */
function lineStarts(path: string): { starts: number[]; size: number } {
  const b = readFileSync(path);
  const starts = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 10 && i + 1 < b.length) starts.push(i + 1);
  return { starts, size: b.length };
}

/** The runs compared: no filter (arch + number only), filters (every field decoded), --split-by exe / comm. */
const RUNS: Array<{ name: string; filter: AuditFilter; split?: SplitKey }> = [
  { name: 'no filter', filter: {} },
  { name: '--comm', filter: filterFrom({ comm: ['sc-logtest'] }) },
  { name: '--uid --action --since', filter: filterFrom({ uid: ['0'], action: ['log', 'kill'], since: '1795419507.5' }) },
  { name: '--split-by exe', filter: {}, split: 'exe' },
  { name: '--split-by comm --pid', filter: filterFrom({ pid: ['7296', '1234'] }), split: 'comm' },
];

/** Inputs: every fixture, all of them concatenated, and loss.log twice with the cumulative counter advanced (7 → 12). */
function inputs(): string[] {
  const all = join(dir, 'all.log');
  writeFileSync(all, Buffer.concat(fixtures.map((f) => readFileSync(join(FIX, f)))));
  const loss = readFileSync(join(FIX, 'loss.log'), 'utf8');
  const lossTwice = join(dir, 'loss-twice.log');
  writeFileSync(lossTwice, loss + readFileSync(join(FIX, 'malformed.log'), 'utf8') + readFileSync(join(FIX, 'auditd-enriched.log'), 'utf8') + loss.replace('audit_lost=7', 'audit_lost=12'));
  return [...fixtures.map((f) => join(FIX, f)), lossTwice, all];
}

describe('audit parsed in byte ranges, merged in file order = one pass', () => {
  it('every fixture and concatenations, cut at every line start (2 ranges), every run', async () => {
    let compared = 0;
    for (const path of inputs()) {
      const { starts, size } = lineStarts(path);
      for (const [r, run] of RUNS.entries()) {
        const want = snapshot(await onePass(path, run.filter, run.split));
        // the concatenations (hundreds of lines): every cut for two runs, every third for the others
        const stride = starts.length > 60 && r > 1 ? 3 : 1;
        for (const c of [...starts.filter((_, i) => i % stride === 0), size]) {
          const got = snapshot(await byRanges(path, [0, c, size], run.filter, run.split));
          expect(got, `${path} cut at byte ${c} (${run.name})`).toEqual(want);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it('three ranges, at pairs of line starts (empty ranges included)', async () => {
    for (const path of inputs()) {
      const { starts, size } = lineStarts(path);
      // about 8 cut points per file: every pair of them
      const stride = Math.max(1, Math.ceil(starts.length / 8));
      for (const run of [RUNS[0]!, RUNS[1]!, RUNS[4]!]) {
        const want = snapshot(await onePass(path, run.filter, run.split));
        for (let i = 0; i < starts.length; i += stride) {
          for (let j = i; j <= starts.length; j += stride) {
            const b = j === starts.length ? size : starts[j]!;
            expect(snapshot(await byRanges(path, [0, starts[i]!, b, size], run.filter, run.split)), `${path} cut at ${starts[i]}, ${b} (${run.name})`).toEqual(want);
          }
        }
      }
    }
  });

  it('the merge carries what crosses a cut: cumulative audit_lost, malformed line numbers', async () => {
    const path = inputs().find((p) => p.endsWith('loss-twice.log'))!;
    const one = (await onePass(path, {})).all.result();
    // audit_lost=7 and =12 in one log: 12 - 7 + 1 records, not 1 + 1
    expect(one.loss.counterMin).toBe(7);
    expect(one.loss.counterMax).toBe(12);
    const { starts, size } = lineStarts(path);
    // after loss.log's audit_lost=7 (line 4): the malformed lines and audit_lost=12 are in the second range
    const mid = starts[4]!;
    const merged = (await byRanges(path, [0, mid, size], {})).all.result();
    expect(merged.lost).toBe(one.lost);
    expect(merged.malformed.map((m) => m.line)).toEqual(one.malformed.map((m) => m.line));
    expect(merged.malformed[0]!.line).toBeGreaterThan(5);
  });
});

describe('which runs are cut', () => {
  it('container attribution stays one pass (it reads /proc per pid as the lines go by)', () => {
    expect(rangesAllowed({}, undefined)).toBe(true);
    expect(rangesAllowed({}, 'exe')).toBe(true);
    expect(rangesAllowed({}, 'comm')).toBe(true);
    expect(rangesAllowed(filterFrom({ comm: ['x'], since: '1' }), undefined)).toBe(true);
    expect(rangesAllowed(filterFrom({ container: ['abc'] }), undefined)).toBe(false);
    for (const k of ['container', 'pod', 'workload'] as const) expect(rangesAllowed({}, k)).toBe(false);
  });

  it('a file under the size threshold, or one job, is read in one pass (no worker)', async () => {
    const path = join(FIX, 'auditd-enriched.log');
    const want = snapshot(await onePass(path, {}));
    for (const opts of [{ jobs: 2, minBytes: 1 << 30 }, { jobs: 1, minBytes: 0 }]) {
      const sink = new AuditSink({}, undefined);
      await readAuditFiles(sink, [path, path], opts);
      const twice = new AuditSink({}, undefined);
      await eachLineOfFile(path, (l, n) => twice.line(l, n, path));
      await eachLineOfFile(path, (l, n) => twice.line(l, n, path));
      expect(snapshot(sink)).toEqual(snapshot(twice));
      expect(snapshot(sink)).not.toEqual(want);
    }
  });
});

describe('a FIFO is never cut, nor opened to look at it', () => {
  it('--jobs 2 on a FIFO: one pass, every line, and the writer is not killed (SIGPIPE) by a look-and-close', async () => {
    const src = join(dir, 'fifo-src.log');
    // more than a pipe's buffer (64 KiB): the writer is still writing when a reader that only looks closes
    writeFileSync(src, Buffer.concat(Array.from({ length: 40 }, () => readFileSync(join(FIX, 'auditd-enriched.log')))));
    const fifo = join(dir, 'fifo');
    const mk = spawn('mkfifo', [fifo]);
    expect((await once(mk, 'exit'))[0]).toBe(0);
    // opens and writes at once (no exec between): its write is under way when a look-and-close would close the FIFO
    const writer = spawn(process.execPath, ['-e', 'require("fs").writeFileSync(process.argv[1], require("fs").readFileSync(process.argv[2]))', fifo, src], { stdio: 'ignore' });
    const exited = once(writer, 'exit');
    expect(await canCut(fifo, 0)).toBeUndefined();
    const sink = new AuditSink({}, undefined);
    await readAuditFiles(sink, [fifo], { jobs: 2, minBytes: 0 });
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const want = await onePass(src, {});
    expect(snapshot(sink)).toEqual(snapshot(want));
    expect(sink.all.result().lines.parsed).toBeGreaterThan(900);
  }, 20_000); // before the fix the writer died and the real read waited for another writer forever
});

