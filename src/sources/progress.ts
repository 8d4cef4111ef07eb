/**
 * A progress line on a terminal for long inputs: bytes read / total, lines, lines/s.
 *
 * Drawn only when the stream is a terminal, only once the input has taken
 * longer than `afterMs` (2 s), and redrawn at most every `everyMs` (250 ms):
 * nothing is printed for the short inputs most runs have, and nothing at all
 * when stderr is a file or a pipe (CI logs stay clean). No timer: the time is
 * looked at when a chunk arrives (every 1 MiB read). The line is erased when
 * the input is done, so the summary that follows starts on a clean line.
 */
import { statSync } from 'node:fs';

export interface ProgressOptions {
  /** Where to draw (default: process.stderr). */
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Total bytes of the inputs, when known (regular files). */
  total?: number;
  /** Nothing is drawn before this many ms (default 2000). */
  afterMs?: number;
  /** At most one redraw per this many ms (default 250). */
  everyMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

function bytesText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e3).toFixed(1)} kB`;
}

export class Progress {
  private readonly out: NonNullable<ProgressOptions['out']>;
  private readonly total: number | undefined;
  private readonly afterMs: number;
  private readonly everyMs: number;
  private readonly now: () => number;
  private readonly t0: number;
  private lastDraw = -Infinity;
  private drawn = false;
  /** Bytes and lines of the inputs finished before the current one. */
  private baseBytes = 0;
  private baseLines = 0;
  private bytes = 0;
  private lines = 0;

  constructor(opts: ProgressOptions = {}) {
    this.out = opts.out ?? process.stderr;
    this.total = opts.total;
    this.afterMs = opts.afterMs ?? 2000;
    this.everyMs = opts.everyMs ?? 250;
    this.now = opts.now ?? Date.now;
    this.t0 = this.now();
  }

  /** A progress line on stderr, or undefined when stderr is not a terminal or --quiet was given. */
  static forInputs(paths: readonly string[], quiet?: boolean, out: NonNullable<ProgressOptions['out']> = process.stderr): Progress | undefined {
    if (quiet || !out.isTTY) return undefined;
    return new Progress({ out, ...totalOf(paths) });
  }

  /** The next input starts: what was counted so far is kept. */
  nextInput(): void {
    this.baseBytes = this.bytes;
    this.baseLines = this.lines;
  }

  /** Bytes read and lines seen so far in the current input. */
  update(inputBytes: number, inputLines: number): void {
    this.bytes = this.baseBytes + inputBytes;
    this.lines = this.baseLines + inputLines;
    const t = this.now();
    if (t - this.t0 < this.afterMs || t - this.lastDraw < this.everyMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.out.write(`\r${this.text(t)}\x1b[K`);
  }

  /** Erase the line (if one was drawn). */
  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The line as drawn at time t. */
  text(t: number = this.now()): string {
    const secs = Math.max((t - this.t0) / 1000, 1e-3);
    const read = this.total !== undefined && this.total > 0
      ? `${bytesText(this.bytes)} / ${bytesText(this.total)} (${Math.min(100, Math.floor((this.bytes / this.total) * 100))}%)`
      : bytesText(this.bytes);
    const rate = this.lines / secs;
    const line = `reading: ${read}, ${this.lines} lines, ${rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : Math.round(rate)} lines/s`;
    const cols = this.out.columns;
    return cols && line.length >= cols ? line.slice(0, cols - 1) : line;
  }
}

/** The total size of regular files among the paths (stdin and devices: unknown). */
function totalOf(paths: readonly string[]): { total?: number } {
  let total = 0;
  for (const p of paths) {
    if (p === '-') return {};
    try {
      const st = statSync(p);
      if (!st.isFile()) return {};
      total += st.size;
    } catch {
      return {}; // opening it will say what is wrong
    }
  }
  return { total };
}
