import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eachLine, eachLineOfFile, stringStream } from '../../src/sources/lines.js';
import { LineSplitter } from '../../src/sources/split-lines.js';

/**
 * What a line reader must give for a text: split on \n, a CR ending a line
 * dropped (also on a last line cut between CR and LF), no empty line after a
 * final newline.
 */
function reference(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (text.endsWith('\n')) parts.pop();
  return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function splitChunks(buf: Buffer, cuts: number[]): string[] {
  const out: string[] = [];
  const nums: number[] = [];
  const s = new LineSplitter((l, n) => {
    out.push(l);
    nums.push(n);
  });
  let prev = 0;
  for (const c of [...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b)) {
    s.push(buf.subarray(prev, c));
    prev = c;
  }
  s.push(buf.subarray(prev));
  s.end();
  expect(nums).toEqual(out.map((_, i) => i + 1));
  return out;
}

describe('LineSplitter', () => {
  it('drops the CR of CRLF only, keeps empty lines, delivers a last line without newline', () => {
    expect(splitChunks(Buffer.from('a\r\n\r\nb\rc\n\nlast'), [])).toEqual(['a', '', 'b\rc', '', 'last']);
    expect(splitChunks(Buffer.from('one\n'), [])).toEqual(['one']);
    expect(splitChunks(Buffer.from(''), [])).toEqual([]);
  });

  it('joins a line cut anywhere, also inside a CRLF and inside a multi-byte character', () => {
    const text = 'comm="ñandú" x\r\nexe="/ü/€/😀"\r\nend';
    const buf = Buffer.from(text);
    for (let i = 0; i <= buf.length; i++) expect(splitChunks(buf, [i])).toEqual(reference(text));
  });

  it('decodes chunks larger than its 64 KiB slice without losing a character at the slice border', () => {
    // A 2-byte character straddling every 64 KiB border, lines longer than a slice.
    const line = `${'x'.repeat(65535)}é${'y'.repeat(70000)}`;
    const text = `${line}\nshort\n${line}`;
    const buf = Buffer.from(text);
    expect(splitChunks(buf, [])).toEqual([line, 'short', line]);
    expect(splitChunks(buf, [100_000, 140_000])).toEqual([line, 'short', line]);
  });

  it('gives the same lines as split("\\n") for any text cut into any chunks (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n', '\r', ' ', '='), maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        expect(splitChunks(Buffer.from(text), cuts)).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('eachLine / eachLineOfFile', () => {
  it('reads a stream to its end', async () => {
    const got: string[] = [];
    await eachLine(stringStream('a\nb\r\nc'), (l) => got.push(l));
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('stops and rejects when the handler throws', async () => {
    const got: string[] = [];
    const p = eachLine(stringStream('a\nb\nc\n'), (l) => {
      got.push(l);
      if (l === 'b') throw new Error('stop here');
    });
    await expect(p).rejects.toThrow('stop here');
    expect(got).toEqual(['a', 'b']);
  });

  it('reads plain and gzip files alike (gzip found by its magic bytes, not the name)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syscribe-lines-'));
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'z'.repeat(i % 97)}`).join('\n');
    writeFileSync(join(dir, 'plain.log'), text);
    writeFileSync(join(dir, 'packed'), gzipSync(text));
    for (const f of ['plain.log', 'packed']) {
      const got: string[] = [];
      let misnumbered = 0;
      await eachLineOfFile(join(dir, f), (l, n) => {
        if (n !== got.length + 1) misnumbered++;
        got.push(l);
      });
      expect(misnumbered).toBe(0);
      expect(got.length).toBe(50_000);
      expect(got.join('\n')).toBe(text);
    }
    await expect(eachLineOfFile(join(dir, 'missing'), () => undefined)).rejects.toThrow('missing: no such file');
    await expect(eachLineOfFile(dir, () => undefined)).rejects.toThrow('is a directory');
  });
});
