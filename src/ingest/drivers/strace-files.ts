/**
 * The streaming driver for strace logs: files (plain or gzip), stdin ('-'),
 * and the per-process files of `strace -ff -o PREFIX` (PREFIX.PID).
 * One parser per file; every line is accounted for by the collector.
 */
import { basename } from 'node:path';
import type { ArchId } from '../../arch.js';
import type { Collector } from '../../collect/collector.js';
import { eachLineOfFile } from '../../sources/lines.js';
import { StraceParser } from '../strace/index.js';
import type { Progress } from '../../sources/progress.js';
import { canCut } from '../../sources/ranges.js';
import type { RangeStats } from './strace-ranges.js';
import { StraceByteLane } from './strace-bytes.js';

export interface IngestStraceOptions {
  /** The arch of processes with no personality hint (default: this machine's). */
  defaultArch?: ArchId;
  /** A terminal's progress line (sources/progress.ts). */
  progress?: Progress;
  /** Threads for one large regular file (strace-ranges.ts); 1 or unset: one pass. */
  jobs?: number;
  /** Files from this size are cut into ranges when jobs > 1 (the CLI gives PARALLEL_MIN_BYTES; default 0). */
  parallelMinBytes?: number;
  /** Told how a file parsed in ranges went (--debug). */
  onRanges?: (path: string, stats: RangeStats) => void;
  /** false: every line decoded and given to StraceParser.line() (the byte lane off; tests compare both). */
  byteLane?: boolean;
  /** Told of each range whose guesses did not hold at its cut (--debug). */
  onFallback?: (path: string, range: number, why: string, again: number, lines: number) => void;
}


/** Linux's largest pid_max. */
const PID_MAX = 4194304;

export interface StraceInput {
  path: string;
  /** The pid from a `-ff -o PREFIX` file name (PREFIX.PID, optionally .gz). */
  pid?: number;
  /** PREFIX, for -ff files: files sharing it are one recording. */
  group?: string;
}

/** `trace.1234` / `trace.1234.gz` → { group: 'trace', pid: 1234 }. */
export function splitPidSuffix(path: string): { group: string; pid: number } | undefined {
  if (path === '-') return undefined;
  const m = /^(.*)\.([1-9][0-9]{0,6})(\.gz)?$/.exec(path);
  if (!m || basename(m[1]!) === '') return undefined;
  const pid = Number(m[2]);
  return pid <= PID_MAX ? { group: m[1]!, pid } : undefined;
}

/**
 * The order to read inputs in: as given, except that the files of one
 * `-ff -o` recording are read in pid order (parents before children, so a
 * child starts in the arch its parent had when it forked; a shell glob sorts
 * trace.100 before trace.99).
 */
export function orderInputs(paths: string[]): StraceInput[] {
  const inputs: StraceInput[] = paths.map((path) => {
    const s = splitPidSuffix(path);
    return s ? { path, pid: s.pid, group: s.group } : { path };
  });
  const out: StraceInput[] = [];
  const done = new Set<string>();
  for (const inp of inputs) {
    if (inp.group === undefined) {
      out.push(inp);
      continue;
    }
    if (done.has(inp.group)) continue;
    done.add(inp.group);
    out.push(...inputs.filter((x) => x.group === inp.group).sort((a, b) => a.pid! - b.pid!));
  }
  return out;
}

/**
 * Parse strace logs into `collector`: every line via collector.line(), calls left unfinished at the end via collector.add().
 * With `jobs` > 1, a large uncompressed regular file (not one of a -ff set) is parsed in byte ranges on several threads,
 * with the same results; stdin, pipes, gzip and -ff files are one pass.
 */
export async function ingestStrace(paths: string[], collector: Collector, opts: IngestStraceOptions = {}): Promise<void> {
  const births = new Map<string, Map<number, ArchId>>();
  for (const inp of orderInputs(paths)) {
    let shared: Map<number, ArchId> | undefined;
    if (inp.group !== undefined) {
      shared = births.get(inp.group);
      if (!shared) births.set(inp.group, (shared = new Map()));
    }
    const parser = new StraceParser({
      ...(opts.defaultArch !== undefined ? { defaultArch: opts.defaultArch } : {}),
      ...(inp.pid !== undefined ? { pid: inp.pid } : {}),
      ...(shared ? { births: shared } : {}),
    });
    const jobs = opts.jobs ?? 1;
    if (jobs > 1 && inp.group === undefined && (await canCut(inp.path, opts.parallelMinBytes ?? 0)) !== undefined) {
      // one large regular file: byte ranges on `jobs` threads, merged exactly as one pass
      const { ingestStraceRanges } = await import('./strace-ranges.js');
      const stats = await ingestStraceRanges(inp.path, collector, {
        jobs,
        ...(opts.defaultArch !== undefined ? { defaultArch: opts.defaultArch } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
        ...(opts.byteLane === false ? { byteLane: false } : {}),
        ...(opts.onFallback ? { onFallback: (r: number, why: string, again: number, lines: number) => opts.onFallback!(inp.path, r, why, again, lines) } : {}),
      });
      opts.onRanges?.(inp.path, stats);
      continue;
    }
    const source = inp.path;
    const lane = new StraceByteLane(parser);
    await eachLineOfFile(inp.path, (line, n) => collector.line(parser.line(line), n, line, source), opts.progress,
      opts.byteLane === false ? undefined : (buf, a, b, n) => lane.take(collector, buf, a, b, n, source));
    for (const o of parser.end()) collector.add(o);
  }
}
