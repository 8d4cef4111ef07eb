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
 */
import { StringDecoder } from 'node:string_decoder';

export type LineHandler = (line: string, lineNo: number) => void;

const SLICE = 1 << 16;

export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private rest = '';
  private n = 0;

  constructor(private readonly onLine: LineHandler) {}

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
    for (let i = 0; i < chunk.length; i += SLICE) {
      this.text(this.decoder.write(i === 0 && chunk.length <= SLICE ? chunk : chunk.subarray(i, Math.min(i + SLICE, chunk.length))));
    }
  }

  /** Deliver the last line if it had no newline; the splitter can be used again afterwards. */
  end(): void {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    this.decoder = new StringDecoder('utf8');
    if (last.length > 0) this.emit(last, 0, last.length);
  }

  private text(s: string): void {
    let nl = s.indexOf('\n');
    if (nl < 0) {
      this.rest += s;
      return;
    }
    if (this.rest.length > 0) {
      const first = this.rest + s.slice(0, nl);
      this.rest = '';
      this.emit(first, 0, first.length);
    } else {
      this.emit(s, 0, nl);
    }
    let start = nl + 1;
    for (nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
      this.emit(s, start, nl);
      start = nl + 1;
    }
    if (start < s.length) this.rest = s.slice(start);
  }

  private emit(s: string, a: number, b: number): void {
    if (b > a && s.charCodeAt(b - 1) === 13) b--;
    this.onLine(s.slice(a, b), ++this.n);
  }
}
