/**
 * `audit FILE --follow --split-by container|pod|workload|exe|comm -o DIR`: the
 * node agent, the use-case. Follows the log (rotation, truncation:
 * src/sources/follow.ts), and every flush interval folds what the last
 * interval saw into the per-group state (src/collect/agent-state.ts), rewrites
 * the changed groups' profiles in the directory, and saves the state with the
 * log position those sets correspond to. Memory: the groups' syscall sets plus
 * one interval's per-container sets; records are not kept. A restart resumes
 * at the saved position (statePath, default DIR.state.json beside DIR).
 * Typed options in, a result out: no flags, no printing (cli/audit.ts words
 * what the callbacks tell).
 */
import { resolve as resolvePath } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { MemberInfo } from '../attribution/group.js';
import type { PodAttributionOptions } from '../attribution/options.js';
import { absorbGroup, loadState, saveState } from '../collect/agent-state.js';
import type { Collector, Observed } from '../collect/collector.js';
import type { GenerateOptions } from '../generate/index.js';
import type { AuditFilter } from '../ingest/audit-filter.js';
import { type FollowPosition, followFile } from '../sources/follow.js';
import { AuditSink, type SplitKey, writeSplitProfile } from './audit.js';
import { type ProfileOutput, observedCount } from './emit.js';

/** Pids not seen for this long are forgotten (the pid → container cache stays bounded). */
const PID_IDLE_MS = 60_000;

export interface AuditAgentOptions {
  /** The audit log to follow. */
  path: string;
  filter: AuditFilter;
  split: SplitKey;
  /** Attribute containers to pods / workloads (and filter by namespace, workload). */
  pods?: PodAttributionOptions;
  generate: GenerateOptions;
  /** How each group's profile is written; out.output is the directory. */
  out: ProfileOutput & { output: string };
  /** The restart-safe state (default: <directory>.state.json, beside the directory). */
  statePath?: string;
  procRoot: string;
  /** Read the existing content first (when there is no saved position). */
  fromStart: boolean;
  flushIntervalMs: number;
  /** Following starts: the state file, and the byte position resumed from (a saved position of this log). */
  onStart?: (s: { dir: string; statePath: string; resumeAt?: number }) => void;
  /** A group's profile was (re)written. */
  onWrote?: (file: string) => void;
  /** From the follower (rotation, truncation). */
  onNotice?: (message: string) => void;
  /** Pod attribution fell back to container ids (the reason). */
  onAttributionNotice?: (notice: string) => void;
  /** A flush between the final one failed (following goes on). */
  onFlushError?: (e: Error) => void;
}

export interface AuditAgentRun {
  dir: string;
  /** Groups in the state (this run's and earlier runs'). */
  groups: number;
  /** This run's pass (line counts, loss). */
  totals: Observed;
}

/** Follow until SIGINT/SIGTERM; flush once more and return. */
export async function runAuditAgent(o: AuditAgentOptions): Promise<AuditAgentRun> {
  const { path, split, pods } = o;
  const dir = resolvePath(o.out.output);
  await mkdir(dir, { recursive: true });
  // Beside the output directory, not in it: the directory holds only profiles (kubectl apply -f DIR, merge --by workload DIR).
  const statePath = o.statePath ?? `${dir}.state.json`;
  const state = await loadState(statePath);
  const resume = state.log && state.log.path === resolvePath(path) ? state.log : undefined;
  const sink = new AuditSink(o.filter, pods ? 'container' : split, o.procRoot);
  const att = pods ? await import('../attribution/index.js') : undefined;
  let position: FollowPosition | undefined = resume;
  const dirty = new Set<string>(state.groups.keys());
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      // Take this interval's observations and the position they end at in one synchronous step;
      // lines read while the CRI is asked go to the next interval.
      const byKey = new Map(sink.byKey);
      const perKey = new Map(sink.perKey);
      sink.byKey.clear();
      sink.perKey.clear();
      const at = position;
      const folded: Array<[string, Collector, number, MemberInfo[]]> = [];
      if (att && pods && byKey.size) {
        const g = await att.attributeAudit(byKey, perKey, sink.all.result(), pods);
        if (g.notice) o.onAttributionNotice?.(g.notice);
        for (const x of g.groups) folded.push([x.key, x.collector, x.records, x.containers]);
      } else for (const [k, c] of byKey) folded.push([k, c, perKey.get(k)?.records ?? 0, []]);
      for (const [k, c, n, members] of folded) {
        const before = state.groups.get(k)?.collector.result();
        const had = before ? observedCount(before) : 0;
        absorbGroup(state, k, c, n, members);
        const now = observedCount(state.groups.get(k)!.collector);
        if (now !== had || !before) dirty.add(k);
      }
      for (const k of [...dirty].sort()) {
        const g = state.groups.get(k)!;
        if (!observedCount(g.collector)) continue;
        o.onWrote?.(await writeSplitProfile(dir, k, g.collector, [...g.members.values()], o.out, o.generate, split));
      }
      dirty.clear();
      sink.prunePids(PID_IDLE_MS);
      if (at) state.log = { path: resolvePath(path), ...at };
      await saveState(statePath, state);
    });
    return writing;
  };

  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = setInterval(() => {
    flush().catch((e) => o.onFlushError?.(e as Error));
  }, o.flushIntervalMs);
  o.onStart?.({ dir, statePath, ...(resume ? { resumeAt: resume.pos } : {}) });
  try {
    await followFile(path, (l, n) => sink.line(l, n, path), {
      fromStart: o.fromStart,
      signal: ac.signal,
      onNotice: (m) => o.onNotice?.(m),
      onCheckpoint: (p) => {
        position = p;
      },
      ...(resume ? { resume } : {}),
    });
  } finally {
    clearInterval(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  await flush();
  return { dir, groups: state.groups.size, totals: sink.all.result() };
}
