/**
 * Bytes → lines, one callback per line, the CR of a CRLF removed, a last line
 * without a newline delivered by end(). Pure: no I/O, no stream machinery.
 *
 * Why not split2: it pushes every line through an object-mode stream (an
 * event and a buffer entry per line) and splits with a regular expression;
 * on the benchmark's 200 MB strace log that was 650 ms of splitting alone,
 * this is 210 ms (`npm run bench`, /tmp measurements in the README).
 *
 * Chunks are decoded in slices of at most SLICE bytes: V8 puts strings over
 * 128 KiB (kMaxRegularHeapObjectSize) in large-object space, and decoding a
 * 128 KiB chunk into one string measured 3× slower than two 64 KiB ones.
 * A partial line is carried over as a small string; a multi-byte UTF-8
 * character cut between chunks is carried over by the StringDecoder.
 *
 * Hostile input: a UTF-8 byte-order mark at the start of an input (the first
 * line, and the first line again after end()) is dropped, so it cannot hide
 * that line's record. A line longer than MAX_LINE characters is not kept: its
 * characters are dropped as they arrive (memory stays flat, a 600 MB line
 * without a newline included) and the line is delivered as OVERLONG_LINE,
 * which every parser counts as malformed.
 */
import { StringDecoder } from 'node:string_decoder';

export type LineHandler = (line: string, lineNo: number) => void;

/**
 * A line offered as its bytes buf[start, end) before it is decoded (CR of a
 * CRLF removed): true when the handler took it, false to get it as a string
 * from the LineHandler. Only complete lines of at most MAX_LINE bytes that
 * do not start an input (a BOM may be there) are offered; the buffer is the
 * caller's and is reused after push() returns.
 */
export type BytesHandler = (buf: Buffer, start: number, end: number, lineNo: number) => boolean;

const SLICE = 1 << 16;

/** Longest line kept, in characters (UTF-16 code units; bytes for ASCII): 1 MiB. */
export const MAX_LINE = 1 << 20;

/**
 * What an over-long line is delivered as. Parsers answer it with
 * overlongResult(); the NUL makes it impossible in any well-formed log, and a
 * log that spells it anyway only gets that line counted as malformed.
 */
export const OVERLONG_LINE = '\u0000[line longer than 1 MiB: not read]';

/** The reason an over-long line is malformed. */
export const OVERLONG_REASON = `line longer than ${MAX_LINE} characters (1 MiB): skipped`;

export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private rest = '';
  private n = 0;
  /** Nothing decoded yet from this input: a BOM here is dropped. */
  private atStart = true;
  /** The current line ran past MAX_LINE: its characters are dropped up to its newline. */
  private skipping = false;

  /** Bytes of an unfinished line went to the decoder (the byte lane resumes after its newline). */
  private held = false;

  /**
   * `midFile`: the bytes start inside a file (a range after its first), where a BOM is text, not a mark.
   * `onBytes`: offered each line's bytes first (the byte lane of a parser); lines it declines are decoded
   * one by one (decoding a complete line alone gives the characters decoding the whole stream gives it).
   */
  constructor(private readonly onLine: LineHandler, midFile = false, private readonly onBytes?: BytesHandler) {
    if (midFile) this.atStart = false;
  }

  /** Lines delivered so far. */
  get lines(): number {
    return this.n;
  }

  /** Feed bytes (or already-decoded text). */
  push(chunk: Buffer | string): void {
    if (typeof chunk === 'string') {
      this.text(chunk);
      return;
    }
    if (this.onBytes !== undefined) {
      this.bytes(chunk);
      return;
    }
    this.decode(chunk);
  }

  private decode(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i += SLICE) {
      this.text(this.decoder.write(i === 0 && chunk.length <= SLICE ? chunk : chunk.subarray(i, Math.min(i + SLICE, chunk.length))));
    }
  }

  /** push() with a byte lane: whole lines offered to onBytes, the rest (an input's first line, lines cut by the chunk's ends, over-long lines) decoded as push() does. */
  private bytes(chunk: Buffer): void {
    const n = chunk.length;
    const onBytes = this.onBytes!;
    let pos = 0;
    if (this.atStart || this.held || this.rest.length > 0 || this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.decode(chunk);
        this.held = true;
        return;
      }
      pos = nl + 1;
      this.decode(pos === n ? chunk : chunk.subarray(0, pos));
      this.held = false;
    }
    while (pos < n) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) {
        this.decode(chunk.subarray(pos));
        this.held = true;
        return;
      }
      if (nl - pos > MAX_LINE) {
        this.decode(chunk.subarray(pos, nl + 1));
      } else {
        const e = nl > pos && chunk[nl - 1] === 13 ? nl - 1 : nl;
        const no = ++this.n;
        if (!onBytes(chunk, pos, e, no)) this.onLine(chunk.toString('utf8', pos, e), no);
      }
      pos = nl + 1;
    }
  }

  /** Deliver the last line if it had no newline; the splitter can be used again afterwards. */
  end(): void {
    this.held = false;
    const tail = this.decoder.end();
    this.decoder = new StringDecoder('utf8');
    if (tail.length > 0) this.text(tail);
    const last = this.rest;
    this.rest = '';
    this.atStart = true;
    if (this.skipping) {
      this.skipping = false;
      this.onLine(OVERLONG_LINE, ++this.n);
    } else if (last.length > 0) this.emit(last, 0, last.length);
  }

  private text(s: string): void {
    if (this.atStart && s.length > 0) {
      this.atStart = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    let nl = s.indexOf('\n');
    if (nl < 0) {
      if (this.skipping) return;
      this.rest += s;
      if (this.rest.length > MAX_LINE) {
        this.rest = '';
        this.skipping = true;
      }
      return;
    }
    if (this.skipping) {
      this.skipping = false;
      this.onLine(OVERLONG_LINE, ++this.n);
    } else if (this.rest.length + nl > MAX_LINE) {
      this.rest = '';
      this.onLine(OVERLONG_LINE, ++this.n);
    } else if (this.rest.length > 0) {
      const first = this.rest + s.slice(0, nl);
      this.rest = '';
      this.emit(first, 0, first.length);
    } else {
      this.emit(s, 0, nl);
    }
    let start = nl + 1;
    for (nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
      if (nl - start > MAX_LINE) this.onLine(OVERLONG_LINE, ++this.n);
      else this.emit(s, start, nl);
      start = nl + 1;
    }
    if (start < s.length) {
      if (s.length - start > MAX_LINE) this.skipping = true;
      else this.rest = s.slice(start);
    }
  }

  private emit(s: string, a: number, b: number): void {
    if (b > a && s.charCodeAt(b - 1) === 13) b--;
    this.onLine(s.slice(a, b), ++this.n);
  }
}
