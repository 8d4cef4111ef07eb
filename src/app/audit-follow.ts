/**
 * audit --follow (one profile), the use-case: tail an audit log, keep the
 * profile file up to date, return the final report. Typed options in, a result
 * out: no flags, no printing — what happens along the way is told through the
 * callbacks (cli/audit.ts words it).
 */
import type { GenerateOptions, GenerateReport } from '../generate/index.js';
import { generateProfile } from '../generate/index.js';
import type { AuditFilter } from '../ingest/audit-filter.js';
import { followFile } from '../sources/follow.js';
import type { Observation } from '../types.js';
import { AuditSink } from './audit.js';
import { type ProfileOutput, writeProfileTo } from './emit.js';

export interface FollowAuditOptions {
  /** The audit log to tail. */
  path: string;
  filter: AuditFilter;
  generate: GenerateOptions;
  /** Where the profile is rewritten (a file). */
  out: ProfileOutput & { output: string };
  procRoot: string;
  /** Read the existing content first. */
  fromStart: boolean;
  /** Rewrite the profile at most this often. */
  flushIntervalMs: number;
  /** A syscall not seen before. */
  onNew?: (name: string, o: Observation) => void;
  /** From the follower (rotation, truncation). */
  onNotice?: (message: string) => void;
  /** A rewrite between the final one failed (following goes on). */
  onWriteError?: (e: Error) => void;
}

/**
 * Tail the file; rewrite the profile when the set changed, at most every
 * flushIntervalMs: a new syscall after a quiet spell is written at once
 * (latency = the poll interval), a burst is written once per interval.
 * Final write on SIGINT/SIGTERM; returns the report and the sink (its filter counts).
 */
export async function runFollowAudit(o: FollowAuditOptions): Promise<{ report: GenerateReport; sink: AuditSink }> {
  const intervalMs = o.flushIntervalMs;
  let dirty = true;
  let lastWrite = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (force: boolean): Promise<void> => {
    writing = writing.then(async () => {
      if (!dirty && !force) return;
      dirty = false;
      lastWrite = Date.now();
      const { profile } = generateProfile(sink.all.result(), o.generate);
      await writeProfileTo(profile, o.out);
    });
    return writing;
  };
  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush(false).catch((e) => o.onWriteError?.(e as Error));
    }, Math.max(0, lastWrite + intervalMs - Date.now()));
  };
  const sink = new AuditSink(o.filter, undefined, o.procRoot, (name, obs) => {
    dirty = true;
    schedule();
    o.onNew?.(name, obs);
  });
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  schedule(); // the profile exists from the start (the baseline, or empty)
  try {
    await followFile(o.path, (l, n) => sink.line(l, n, o.path), {
      fromStart: o.fromStart,
      signal: ac.signal,
      onNotice: (m) => o.onNotice?.(m),
    });
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  await flush(true);
  const { report } = generateProfile(sink.all.result(), o.generate);
  return { report, sink };
}
