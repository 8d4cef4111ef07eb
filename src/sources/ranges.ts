/**
 * Byte ranges of a regular file, cut at line starts, for parsing one file on
 * several cores (issue 14): the parse of each range runs in its own worker
 * thread (util/worker.ts) and the results are merged in file order.
 *
 * lineRanges() picks the cuts: near k·size/n, moved forward to just after the
 * next newline, so every line lies in exactly one range and a range never
 * starts inside a line. A range may be empty (one long line covering a cut).
 * eachLineOfRange() reads [start, end) with the same LineSplitter as every
 * other source, so a range's lines are exactly the file's lines it holds.
 *
 * Only uncompressed regular files can be cut: gzip, stdin, pipes and
 * --follow stay single-pass (canCut()).
 */
import { type FileHandle, stat } from 'node:fs/promises';
import { type BytesHandler, type LineHandler, LineSplitter } from './split-lines.js';
import { describeOpenError, isGzip, openFile } from './lines.js';

const READ = 1 << 20;
/** How far past a cut to look for its newline before giving up on that cut (the range then ends where the next one does). */
const SCAN = 1 << 20;

/** A regular file of at least `minBytes` bytes that is not gzip: it can be read in ranges. */
export async function canCut(path: string, minBytes: number): Promise<number | undefined> {
  if (path === '-') return undefined;
  // stat first, open only a regular file: opening a FIFO would wait for its writer, and closing it again
  // could kill that writer with SIGPIPE before the one real read opens it
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size < minBytes) return undefined;
  } catch {
    return undefined;
  }
  let fh: FileHandle;
  try {
    fh = await openFile(path);
  } catch {
    return undefined;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size < minBytes) return undefined;
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    return isGzip(magic.subarray(0, bytesRead)) ? undefined : st.size;
  } finally {
    await fh.close();
  }
}

/** Offsets [0, c1, …, size] cutting the file into at most `n` ranges at line starts (ranges may be empty). */
export async function lineRanges(path: string, n: number): Promise<number[]> {
  const fh = await openFile(path);
  try {
    const size = (await fh.stat()).size;
    const cuts = [0];
    const buf = Buffer.alloc(Math.min(SCAN, Math.max(size, 1)));
    for (let k = 1; k < n; k++) {
      let at = Math.max(Math.floor((size * k) / n), cuts[cuts.length - 1]!);
      let found = -1;
      // look for the newline that ends the line holding byte `at - 1`
      for (let from = Math.max(at - 1, 0); from < size && found < 0; from += buf.length) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, from);
        if (bytesRead <= 0) break;
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) found = from + nl + 1;
      }
      at = found < 0 ? size : found;
      cuts.push(at);
    }
    cuts.push(size);
    return cuts;
  } finally {
    await fh.close();
  }
}

/** Told after each read: bytes in it, lines delivered so far. */
export type RangeChunkHandler = (bytes: number, lines: number) => void;

/**
 * Feed the lines of bytes [start, end) of a regular file to `onLine`, line
 * numbers counted from 1 within the range. `start` must be a line start
 * (0 or just after a newline), as lineRanges() gives. `stop()`, asked before
 * each read, ends the reading early (the lines already read are delivered).
 */
export async function eachLineOfRange(path: string, start: number, end: number, onLine: LineHandler, onChunk?: RangeChunkHandler, stop?: () => boolean, onBytes?: BytesHandler): Promise<void> {
  const fh = await openFile(path);
  const splitter = new LineSplitter(onLine, start > 0, onBytes);
  try {
    const buf = Buffer.allocUnsafe(READ);
    for (let pos = start; pos < end && !stop?.(); ) {
      let got: number;
      try {
        ({ bytesRead: got } = await fh.read(buf, 0, Math.min(READ, end - pos), pos));
      } catch (e) {
        throw describeOpenError(path, e as NodeJS.ErrnoException);
      }
      if (got <= 0) break; // the file shrank under us: read what there is
      // the splitter keeps no reference to the chunk past push() (it decodes it or hands out its bytes during push()), so the buffer is reused
      splitter.push(buf.subarray(0, got));
      pos += got;
      onChunk?.(got, splitter.lines);
    }
    splitter.end();
  } finally {
    await fh.close();
  }
}
