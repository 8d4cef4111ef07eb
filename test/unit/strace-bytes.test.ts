/**
 * The strace byte lane (issue 14; ingest/strace/bytes.ts, the BytesHandler of
 * sources/split-lines.ts): lines taken as bytes must give exactly what
 * decoding every line and giving it to StraceParser.line() gives — the
 * collector's Observed compared as JSON (line counts, names per arch in
 * order, counts, argument tuples, unknowns, malformed samples with their line
 * numbers) — on every fixture, fed in chunks that cut lines and multi-byte
 * characters at every position, with CRLF, a BOM, over-long lines, through
 * the file and range drivers, and on random mixes of fixture lines and
 * garbage bytes (fast-check). And the lane must really take most lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canon, straceFixtures } from '../helpers/strace-fixtures.js';
import { Collector } from '../../src/collect/collector.js';
import { StraceByteLane } from '../../src/ingest/drivers/strace-bytes.js';
import { ingestStrace } from '../../src/ingest/drivers/strace-files.js';
import { ingestStraceRanges, parseStraceRange } from '../../src/ingest/drivers/strace-ranges.js';
import { StraceParser } from '../../src/ingest/strace/index.js';
import { rangeParser } from '../../src/ingest/strace/range.js';
import { LineSplitter, MAX_LINE } from '../../src/sources/split-lines.js';

const tmp = mkdtempSync(join(tmpdir(), `syscribe-bytes-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fixtures = straceFixtures();


/** Feed `data` in the given chunk lengths (cycled) through a splitter, with or without the byte lane; Observed as JSON and lines the lane took. */
function run(data: Buffer, chunks: number[], lane: boolean, opts: { midFile?: boolean; range?: boolean } = {}): { text: string; taken: number } {
  const parser = opts.range ? rangeParser({ defaultArch: 'x86_64' }) : new StraceParser({ defaultArch: 'x86_64' });
  const c = new Collector();
  const byteLane = new StraceByteLane(parser);
  let taken = 0;
  const split = new LineSplitter((line, n) => c.line(parser.line(line), n, line, 'x'), opts.midFile ?? false,
    lane ? (buf, a, b, n) => {
      const ok = byteLane.take(c, buf, a, b, n, 'x');
      if (ok) taken++;
      return ok;
    } : undefined);
  for (let i = 0, k = 0; i < data.length; k++) {
    const len = Math.max(1, chunks[k % chunks.length]!);
    // a fresh copy each time: the lane must not keep a chunk past push()
    split.push(Buffer.from(data.subarray(i, i + len)));
    i += len;
  }
  split.end();
  if (!opts.range) for (const o of parser.end()) c.add(o);
  return { text: canon(c.result()), taken };
}

function same(data: Buffer, chunks: number[], opts: { midFile?: boolean; range?: boolean } = {}): number {
  const want = run(data, [data.length || 1], false, opts).text;
  const got = run(data, chunks, true, opts);
  if (got.text !== want) throw new Error(`byte lane differs with chunks ${chunks.join(',')}`);
  expect(got.text).toBe(want);
  return got.taken;
}

const CHUNKINGS = [[1], [2], [3], [5], [7], [13, 1, 64], [1000], [4096], [1 << 20]];

describe('strace byte lane = decoded lines', () => {
  it.each(fixtures.map(([f]) => f))('%s in chunks of 1, 2, 3, 5, 7, 13/1/64, 1000, 4096, 1 MiB bytes; split once at every offset (every k-th on large files)', (f) => {
    const data = fixtures.find(([g]) => g === f)![1];
    const big = data.length > 50_000;
    for (const ch of big ? [[1], [4096], [1 << 20]] : CHUNKINGS) same(data, ch);
    const stride = Math.max(1, Math.ceil(data.length / (big ? 40 : 400)));
    for (let o = 1; o < data.length; o += stride) same(data, [o, data.length]);
  });

  it('every fixture with CRLF line ends, a doubled CR, a BOM, as a range start (BOM is text there), and through the range parser', () => {
    for (const [, d] of fixtures.filter(([, x]) => x.length < 50_000)) {
      const crlf = Buffer.from(d.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
      const crcr = Buffer.from(d.toString('latin1').replace(/\n/g, '\r\r\n'), 'latin1');
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), d]);
      for (const x of [crlf, crcr, bom]) for (const ch of [[1], [7], [1 << 20]]) same(x, ch);
      for (const ch of [[3], [1 << 20]]) {
        same(bom, ch, { midFile: true });
        same(d, ch, { range: true });
      }
    }
  });

  it('all fixtures concatenated (as the bench mix is): equal, and the lane takes most lines', () => {
    const data = Buffer.concat(fixtures.map(([, d]) => (d[d.length - 1] === 10 ? d : Buffer.concat([d, Buffer.from('\n')]))));
    let lines = 0;
    for (const b of data) if (b === 10) lines++;
    for (const ch of [[65536], [1 << 20], [100, 10000, 3]]) {
      const taken = same(data, ch);
      expect(taken).toBeGreaterThan(lines * 0.6);
    }
  });

  it('over-long lines (ASCII, multi-byte at MAX_LINE ± 1 characters), multi-byte and invalid UTF-8 around call lines', () => {
    const call = '1234 read(3, "x", 1) = 1\n';
    const long = (s: string) => Buffer.from(s, 'utf8');
    const pieces = [
      long(`1234 write(1, "${'a'.repeat(MAX_LINE)}", 5) = 5\n`),
      long(`1234 write(1, "${'é'.repeat(MAX_LINE / 2 - 8)}", 5) = 5\n`), // over MAX_LINE bytes, under MAX_LINE characters
      long(`1234 write(1, "${'é'.repeat(MAX_LINE - 8)}", 5) = 5\n`),
      long(`1234 write(1, "${'€'.repeat(Math.floor(MAX_LINE / 3))}") = 5\n`),
      long(`${'x'.repeat(MAX_LINE - 1)}\n`),
      long(`${'x'.repeat(MAX_LINE)}\n`),
      long(`${'x'.repeat(MAX_LINE + 1)}\n`),
      long(`1234 write(1, "é€😀", 5) = 5\n1234 é(1) = 5\n[pid 12é] read(3) = 1\n<... read résumed>) = 1\n`),
      Buffer.from([0x31, 0x32, 0x20, 0x72, 0x65, 0x61, 0x64, 0x28, 0xe2, 0x82, 0x0a, 0xff, 0xfe, 0x29, 0x20, 0x3d, 0x20, 0x31, 0x0a, 0xf0, 0x9f, 0x0a]),
    ];
    for (const p of pieces) {
      const data = Buffer.concat([long(call), p, long(call), p, long(call)]);
      for (const ch of [[1 << 20], [65536], [4093, 1]]) same(data, ch);
    }
    // a last line without a newline, over-long and not
    same(Buffer.concat([long(call), long('x'.repeat(MAX_LINE + 5))]), [1 << 16]);
    same(Buffer.concat([long(call), long('1234 read(3) = 1')]), [5]);
  });
});

describe('strace byte lane: lines that look like calls but are not what they seem', () => {
  it.each([
    // 8 digits at the line start are a timestamp, not a pid: the unprefixed first process, linked to pid 99, turns 32-bit
    ['a long number is no pid', '12345678 read(3) = 1\n[pid    99] mmap2(NULL, 4096) = 0xf7f00000\n[pid 99] read(3) = 1\n'],
    // an attach notice cuts the call even behind a CRLF's CR and one more CR
    ['attach notice behind CRs', '1234 read(3) = 1strace: Process 5 attached\r\r\n1234 close(3) = 0\r\n'],
    ['unfinished, resumed, cut', '1234 read(3,  <unfinished ...>\n1234 <... read resumed>"x", 1) = 1\n1234 write(1, "a"hello\n) = 1\n1234 <... futex resumed>) = 0\n'],
    ['-Y, -n, -i prefixes', '1234<sh> read(3) = 1\n[ 0] read(3) = 1\n[00007f0000000000] read(3) = 1\n1234 [ 3] close(3) = 0\n'],
  ])('%s', (_name, text) => {
    // (an input's first line never takes the lane: a BOM may be there)
    const data = Buffer.from(`\n${text}`, 'utf8');
    for (const ch of [[1], [4], [1 << 20]]) {
      same(data, ch);
      same(data, ch, { range: true });
    }
  });
});

describe('strace byte lane through the drivers', () => {
  it('file driver (one pass) and ranges (2 and 3) give what the decoded path gives', async () => {
    const data = Buffer.concat([...fixtures.map(([, d]) => d), Buffer.from('\n'), ...fixtures.map(([, d]) => d).reverse()]);
    const path = join(tmp, 'all.log');
    writeFileSync(path, data);
    const one = async (byteLane: boolean) => {
      const c = new Collector();
      await ingestStrace([path], c, { defaultArch: 'x86_64', byteLane });
      return canon(c.result());
    };
    const want = await one(false);
    expect(await one(true)).toBe(want);
    for (const cuts of [[0, Math.floor(data.length / 2), data.length], [0, Math.floor(data.length / 3), Math.floor((2 * data.length) / 3), data.length]]) {
      // ranges start at a line start
      const at = cuts.map((x, i) => (i === 0 || i === cuts.length - 1 ? x : data.indexOf(10, x) + 1));
      for (const byteLane of [false, true]) {
        const c = new Collector();
        await ingestStraceRanges(path, c, { defaultArch: 'x86_64', jobs: at.length - 1, cuts: at, run: parseStraceRange, checkpoint: 50, byteLane });
        expect(canon(c.result())).toBe(want);
      }
    }
  });
});

describe('strace byte lane property', () => {
  const lines: Buffer[] = [];
  for (const [, d] of fixtures) {
    let s = 0;
    for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, s)) {
      lines.push(d.subarray(s, i + 1));
      s = i + 1;
    }
  }
  const garbage = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 40 }).map((a) => Buffer.from(a)),
    fc.constantFrom(' = ', ')', ' <unfinished ...>', '<... ', ' resumed>', '[pid 5] ', '[pid  12] ', '\r', '\n', '\r\n', 'é', '😀', '\xef\xbb\xbf', ' attached',
      'strace: Process 7 attached\n', ' strace: Process 7 attached', 'strace: Process 8 attached\r\r\n', '\r\r\n', '12345678 ', '1234567 ', '0 ', '1234<sh> ', '[ 257] ', '+++ exited with 0 +++\n', '1234 ', '12:00:01.123456 ', '1.5 ', 'read(', 'futex(', 'clone(', 'newfstatat(', 'mmap2(', '--- SIGCHLD ---\n',
      '% time     seconds  usecs/call     calls    errors syscall\n').map((s) => Buffer.from(s, s === '\xef\xbb\xbf' ? 'latin1' : 'utf8')),
    fc.uint8Array({ minLength: 1, maxLength: 6 }).map((a) => Buffer.from(a).map((b) => 0x80 | (b & 0x7f))),
  );
  const piece = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: lines.length - 1 }).map((i) => lines[i]!) }, { weight: 1, arbitrary: garbage });

  it('random mixes of fixture lines and garbage bytes, random chunk lengths: the same Observed', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (ps, chunks, range) => {
        const data = Buffer.concat(ps);
        same(data, chunks, { range });
      }),
      { numRuns: 600 },
    );
  });
});
