import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canCut, eachLineOfRange, lineRanges } from '../../src/sources/ranges.js';
import { eachLineOfFile } from '../../src/sources/lines.js';

const dir = mkdtempSync(join(tmpdir(), 'syscribe-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function linesOf(path: string): Promise<string[]> {
  const out: string[] = [];
  await eachLineOfFile(path, (l) => out.push(l));
  return out;
}

async function linesByRanges(path: string, n: number): Promise<string[]> {
  const cuts = await lineRanges(path, n);
  expect(cuts.length).toBe(n + 1);
  const out: string[] = [];
  for (let k = 0; k < n; k++) await eachLineOfRange(path, cuts[k]!, cuts[k + 1]!, (l) => out.push(l));
  return out;
}

describe('file ranges cut at line starts', () => {
  it('gives exactly the lines of one pass, for any text and any number of ranges', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string(), fc.constantFrom('\n', '\r\n', '\ufeff', 'é', '\n\n')), { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), async (parts, n) => {
        const p = join(dir, `f${i++}`);
        writeFileSync(p, parts.join(''));
        expect(await linesByRanges(p, n)).toEqual(await linesOf(p));
      }),
      { numRuns: 200 },
    );
  });

  it('cuts just after a newline, never inside a line', async () => {
    const p = join(dir, 'cuts');
    writeFileSync(p, 'aaaa\nbbbb\ncccc\ndddd\n');
    expect(await lineRanges(p, 2)).toEqual([0, 10, 20]);
    expect(await lineRanges(p, 4)).toEqual([0, 5, 10, 15, 20]);
  });

  it('a line longer than the file share gives empty ranges, not split lines', async () => {
    const p = join(dir, 'long');
    writeFileSync(p, 'x'.repeat(1000) + '\nshort\n');
    const cuts = await lineRanges(p, 4);
    expect(cuts).toEqual([0, 1001, 1001, 1001, 1007]);
    expect(await linesByRanges(p, 4)).toEqual(['x'.repeat(1000), 'short']);
  });

  it('only uncompressed regular files of the minimum size are cut', async () => {
    const p = join(dir, 'plain');
    writeFileSync(p, 'a\n'.repeat(100));
    const gz = join(dir, 'gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    expect(await canCut(p, 10)).toBe(200);
    expect(await canCut(p, 1000)).toBeUndefined();
    expect(await canCut(gz, 1)).toBeUndefined();
    expect(await canCut('-', 1)).toBeUndefined();
    expect(await canCut(dir, 1)).toBeUndefined();
  });

  it('a FIFO is answered without opening it (an open would take its writer, or wait forever for one)', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const answer = await Promise.race([canCut(fifo, 1), new Promise((r) => setTimeout(() => r('blocked'), 2000))]);
    expect(answer).toBeUndefined();
  });
});
