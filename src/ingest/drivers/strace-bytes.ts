/** The strace byte lane between a line splitter and a collector (ingest/strace/bytes.ts): lines taken as bytes are counted here. */
import type { Collector } from '../../collect/collector.js';
import { FAST_CALL, type FastCall, lineBytes } from '../strace/bytes.js';
import type { StraceParser } from '../strace/index.js';

export class StraceByteLane {
  private readonly fast: FastCall = { arch: 'x86_64', name: '' };

  constructor(private readonly parser: StraceParser) {}

  /** A line's bytes (a BytesHandler's): its result into `collector` (line number `lineNo`) and true, or false: nothing done, feed the decoded line to parser.line(). */
  take(collector: Collector, buf: Buffer, start: number, end: number, lineNo: number, source: string): boolean {
    const r = lineBytes(this.parser, this.fast, buf, start, end);
    if (r === undefined) return false;
    if (r === FAST_CALL) collector.parsedCall(this.fast.arch, this.fast.name);
    else collector.line(r, lineNo, r.kind === 'malformed' ? buf.toString('utf8', start, end) : '', source);
    return true;
  }
}
