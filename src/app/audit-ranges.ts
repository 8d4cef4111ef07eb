/**
 * audit on both cores (issue 14): one large regular file is cut into byte
 * ranges at line starts (sources/ranges.ts); the first range is parsed here,
 * the others in worker threads (audit-range-worker.ts), and the parts are
 * folded into the sink in file order.
 *
 * Why the merge is exact (what one pass carries from line to line, and how
 * a part carries it instead):
 *  - line counts, filter counts, kept/filtered, per-key record counts: sums;
 *  - malformed samples: each part keeps its first ones with range-local line
 *    numbers; they are shifted by the lines of the ranges before it and the
 *    first MAX_MALFORMED_SAMPLES kept, in file order;
 *  - loss: `audit_lost=` is a cumulative counter, so a part keeps its min and
 *    max counter and the sums of the other signals (collect/loss.ts
 *    mergeLoss is exact for these);
 *  - syscall counts, unknown numbers and names per arch: counts per key, in
 *    first-seen order (the parts are absorbed in file order);
 *  - the parser's date cache (ausearch -i local times) is a pure cache.
 * What is NOT exact across ranges, so stays one pass: container attribution
 * (--container, --split-by container|pod|workload, --namespace/--workload)
 * reads /proc and caches per pid as the lines go by; stdin, pipes, gzip and
 * --follow cannot be cut.
 */
import type { Observed } from '../collect/collector.js';
import type { AuditFilter, FilterCounts } from '../ingest/audit-filter.js';
import { eachLineOfFile } from '../sources/lines.js';
import type { Progress } from '../sources/progress.js';
import { canCut, eachLineOfRange, lineRanges } from '../sources/ranges.js';
import { runInWorker } from '../util/worker.js';
import { AuditSink, type SplitKey } from './audit.js';

/** One range to parse (crosses to a worker by structured clone). */
export interface AuditRangeJob {
  path: string;
  start: number;
  end: number;
  filter: AuditFilter;
  splitBy?: SplitKey;
  procRoot?: string;
}

/** What one range adds to the sink; line numbers in it are counted from the range's first line. */
export interface AuditPart {
  all: Observed;
  /** Lines the range holds. */
  lines: number;
  filtered: number;
  removedBy: FilterCounts;
  kept: number;
  byKey: Map<string, Observed>;
  perKey: Map<string, { records: number; podUid?: string }>;
}

/** The sink's share of one range, as a plain value. */
export function partOf(sink: AuditSink): AuditPart {
  const all = sink.all.result();
  const byKey = new Map<string, Observed>();
  for (const [k, c] of sink.byKey) byKey.set(k, c.result());
  return { all, lines: all.lines.parsed + all.lines.ignored + all.lines.malformed, filtered: sink.filtered, removedBy: { ...sink.removedBy }, kept: sink.kept, byKey, perKey: sink.perKey };
}

/** Parse bytes [start, end) of a file as `audit` would (in this thread): the range's part. */
export async function auditRange(job: AuditRangeJob, onChunk?: (bytes: number, lines: number) => void): Promise<AuditPart> {
  const sink = new AuditSink(job.filter, job.splitBy, job.procRoot);
  const path = job.path;
  await eachLineOfRange(path, job.start, job.end, (l, n) => sink.line(l, n, path), onChunk);
  return partOf(sink);
}

/** Can this run be split into ranges? Not when container attribution reads /proc per pid as the lines go by. */
export function rangesAllowed(filter: AuditFilter, splitBy: SplitKey | undefined): boolean {
  return filter.containers === undefined && (splitBy === undefined || splitBy === 'exe' || splitBy === 'comm');
}

export interface ReadAuditOptions {
  /** Threads for one large regular file (1: one pass). */
  jobs: number;
  progress?: Progress;
  procRoot?: string;
  /** Files below this size are read in one pass (the CLI: PARALLEL_MIN_BYTES; a worker's start-up is not worth it for less). */
  minBytes: number;
}

/**
 * Read audit log files into the sink, in order. A regular file of at least
 * `minBytes` bytes is parsed in `jobs` ranges when the run allows it
 * (rangesAllowed); everything else in one pass. The sink ends up exactly as
 * one pass leaves it.
 */
export async function readAuditFiles(sink: AuditSink, paths: readonly string[], opts: ReadAuditOptions): Promise<void> {
  const parallel = opts.jobs > 1 && sink.onNew === undefined && rangesAllowed(sink.filter, sink.splitBy);
  for (const f of paths) {
    const size = parallel ? await canCut(f, opts.minBytes) : undefined;
    if (size === undefined) {
      await eachLineOfFile(f, (l, n) => sink.line(l, n, f), opts.progress);
      continue;
    }
    const cuts = await lineRanges(f, opts.jobs);
    const jobs: AuditRangeJob[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) jobs.push({ path: f, start: cuts[k]!, end: cuts[k + 1]!, filter: sink.filter, splitBy: sink.splitBy, procRoot: opts.procRoot });
    const worker = new URL('./audit-range-worker.js', import.meta.url);
    // The other ranges start first (a worker takes a few tens of ms to start); the first is parsed here meanwhile.
    const others = jobs.slice(1).map((j) => runInWorker<AuditPart>(worker, j));
    const progress = opts.progress;
    progress?.nextInput();
    // Progress: the ranges advance at about the same pace, so the first range's share stands for the whole (an estimate).
    const scale = size / Math.max(1, jobs[0]!.end - jobs[0]!.start);
    const first = auditRange(jobs[0]!, progress ? (bytes, lines) => progress.update(Math.min(size, Math.round(bytes * scale)), Math.round(lines * scale)) : undefined);
    // Wait for every range, even when one fails: no worker is left running behind an error.
    const settled = await Promise.allSettled([first, ...others]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const parts = settled.map((r) => (r as PromiseFulfilledResult<AuditPart>).value);
    let offset = 0;
    for (const p of parts) {
      sink.absorb(p, offset);
      offset += p.lines;
    }
    progress?.update(size, offset);
  }
}
