/**
 * One large strace log parsed on several cores (issue 14): the file is cut at
 * line starts into byte ranges (sources/ranges.ts); the main thread parses
 * the first range while worker threads parse the others, each from a guessed
 * entry state (ingest/strace/range.ts). In file order, the main thread then
 * checks each range's guesses against the real state the ranges before it
 * left, and either takes the range's results (exactly those of one pass) or
 * parses that range again itself from the real state (the fallback: slower,
 * never wrong; `onFallback` says which range and why, --debug prints it).
 */
import type { ArchId } from '../../arch.js';
import { Collector, type Observed } from '../../collect/collector.js';
import { eachLineOfRange, lineRanges } from '../../sources/ranges.js';
import type { Progress } from '../../sources/progress.js';
import { StraceParser } from '../strace/index.js';
import { StraceByteLane } from './strace-bytes.js';
import { type RangeEnd, absorbRange, checkRange, checkpointLines, rangeCheckpoint, rangeEnd, rangeParser } from '../strace/range.js';

/** One range for a worker: bytes [start, end) of `path`. */
export interface RangeJob {
  path: string;
  start: number;
  end: number;
  defaultArch?: ArchId;
  /** Lines to the first checkpoint (default 1000; tests use small ones). */
  checkpoint?: number;
  /** The pid unprefixed lines belong to (the first range linked it). */
  upid?: number;
  /** false: no byte lane (strace-bytes.ts), every line decoded. */
  byteLane?: boolean;
}

/** Lines of the first range after which the workers start even if no unprefixed pid was linked. */
const START_AFTER = 20000;

export interface RangeResult {
  /** Lines in the range. */
  lines: number;
  end: RangeEnd;
}

/** The worker's job: parse one range (not the file's first) from a guessed entry state, in segments ending at checkpointLines(). */
export async function parseStraceRange(job: RangeJob): Promise<RangeResult> {
  const parser = rangeParser(job.defaultArch !== undefined ? { defaultArch: job.defaultArch } : {}, job.upid);
  const checkpoints: Parameters<typeof rangeCheckpoint>[1] = [];
  const segments: RangeEnd['segments'] = [];
  let collector = new Collector();
  let next = checkpointLines(1, job.checkpoint);
  let lines = 0;
  const after = (n: number): void => {
    lines = n;
    if (n === next) {
      segments.push({ observed: collector.result(), lines: n });
      collector = new Collector();
      rangeCheckpoint(parser, checkpoints);
      next = checkpointLines(checkpoints.length + 1, job.checkpoint);
    }
  };
  const lane = new StraceByteLane(parser);
  await eachLineOfRange(job.path, job.start, job.end, (line, n) => {
    collector.line(parser.line(line), n, line, job.path);
    after(n);
  }, undefined, undefined, job.byteLane === false ? undefined : (buf, a, b, n) => {
    if (!lane.take(collector, buf, a, b, n, job.path)) return false;
    after(n);
    return true;
  });
  segments.push({ observed: collector.result(), lines });
  return { lines, end: rangeEnd(parser, checkpoints, segments) };
}

export interface StraceRangesOptions {
  defaultArch?: ArchId;
  /** Threads in all (the main thread parses the first range): ranges to cut the file into. */
  jobs: number;
  progress?: Progress;
  /** A range whose guesses did not hold at its cut (1-based range number, why, lines the main thread parsed again of its `lines`). */
  onFallback?: (range: number, why: string, again: number, lines: number) => void;
  /** Cut offsets [0, …, size] instead of lineRanges(path, jobs) (tests). */
  cuts?: number[];
  /** Lines to a range's first checkpoint (tests). */
  checkpoint?: number;
  /** false: no byte lane (strace-bytes.ts), every line decoded (tests compare both). */
  byteLane?: boolean;
  /** Run a range job (default: in a worker thread; tests call parseStraceRange in-process). */
  run?: (job: RangeJob) => Promise<RangeResult>;
}

const workerRun = async (job: RangeJob): Promise<RangeResult> => {
  const { runInWorker } = await import('../../util/worker.js');
  return runInWorker<RangeResult>(new URL('./strace-range-worker.js', import.meta.url), job);
};

/** How the ranges after the first went: taken whole, taken after the main thread parsed a head again, parsed again whole. */
export interface RangeStats {
  ranges: number;
  whole: number;
  partly: number;
  again: number;
  /** Lines the main thread parsed again, of `lines` in the ranges after the first. */
  linesAgain: number;
  lines: number;
}

/** Parse one regular file in ranges into `collector`, exactly as one pass would. */
export async function ingestStraceRanges(path: string, collector: Collector, opts: StraceRangesOptions): Promise<RangeStats> {
  const cuts = opts.cuts ?? (await lineRanges(path, opts.jobs));
  const run = opts.run ?? workerRun;
  const def = opts.defaultArch !== undefined ? { defaultArch: opts.defaultArch } : {};
  const jobs: Array<Promise<RangeResult>> = [];
  const parser = new StraceParser(def);
  const lane = new StraceByteLane(parser);
  // The workers start once the first range has shown which pid unprefixed lines belong to
  // (stderr -f output), or after START_AFTER lines without: a range that knows it need not guess it.
  const start = (): void => {
    if (jobs.length > 0) return;
    const procs = parser.procs;
    const upid = procs.unprefixedLinked ? procs.unprefixedPid : undefined;
    for (let k = 1; k + 1 < cuts.length; k++) {
      const job = run({ path, start: cuts[k]!, end: cuts[k + 1]!, ...def, ...(upid !== undefined ? { upid } : {}), ...(opts.checkpoint !== undefined ? { checkpoint: opts.checkpoint } : {}), ...(opts.byteLane === false ? { byteLane: false } : {}) });
      job.catch(() => undefined); // awaited below, in order
      jobs.push(job);
    }
  };
  const progress = opts.progress;
  progress?.nextInput();
  let offset = 0;
  const stats: RangeStats = { ranges: cuts.length - 1, whole: 0, partly: 0, again: 0, linesAgain: 0, lines: 0 };
  for (let k = 0; k + 1 < cuts.length; k++) {
    if (k === 1) start();
    let r: RangeResult | undefined;
    let failed: string | undefined;
    if (k > 0) {
      try {
        r = await jobs[k - 1]!;
      } catch (e) {
        // a worker that failed costs time, not results: the main thread parses its range (and meets any input error itself)
        failed = (e as Error).message;
      }
    }
    const base = offset;
    // the first checkpoint of the range whose guesses hold (0: the cut), the main thread parsing the segments before it
    let seg = r === undefined ? -1 : 0;
    let why = r === undefined ? undefined : checkRange(parser, r.end, 0);
    let taken = r !== undefined && why === undefined;
    let last = 0;
    let lastWhy: string | undefined;
    if (!taken) {
      let done = cuts[k]!;
      let next = checkpointLines(1, opts.checkpoint);
      const after = (n: number): void => {
        last = n;
        if (k === 0 && (n >= START_AFTER || parser.procs.unprefixedLinked)) start();
        if (r !== undefined && n === next) {
          seg++;
          next = checkpointLines(seg + 1, opts.checkpoint);
          if (seg < r.end.segments.length) {
            const w = checkRange(parser, r.end, seg);
            if (w === undefined) taken = true;
            else lastWhy = w;
          }
        }
      };
      await eachLineOfRange(path, cuts[k]!, cuts[k + 1]!, (line, n) => {
        if (taken) return;
        collector.line(parser.line(line), n + base, line, path);
        after(n);
      }, progress && ((bytes, lines) => progress.update((done += bytes), base + lines)), () => taken, opts.byteLane === false ? undefined : (buf, a, b, n) => {
        if (taken) return true;
        if (!lane.take(collector, buf, a, b, n + base, path)) return false;
        after(n);
        return true;
      });
    }
    if (r !== undefined) {
      if (taken) {
        for (const s of r.end.segments.slice(seg)) {
          for (const m of s.observed.malformed) m.line += base;
          collector.absorb(s.observed);
        }
        absorbRange(parser, r.end, seg);
      }
      const again = !taken ? r.lines : seg === 0 ? 0 : r.end.segments[seg - 1]!.lines;
      stats.lines += r.lines;
      stats.linesAgain += again;
      if (!taken) stats.again++;
      else if (seg === 0) stats.whole++;
      else stats.partly++;
      if (why !== undefined) opts.onFallback?.(k + 1, !taken && lastWhy !== undefined ? `${why}; at its last checkpoint: ${lastWhy}` : why, again, r.lines);
      offset += r.lines;
    } else {
      if (failed !== undefined) {
        stats.again++;
        stats.lines += last;
        stats.linesAgain += last;
        opts.onFallback?.(k + 1, `its worker failed: ${failed}`, last, last);
      }
      offset += last;
    }
    progress?.update(cuts[k + 1]!, offset);
  }
  for (const o of parser.end()) collector.add(o);
  return stats;
}
