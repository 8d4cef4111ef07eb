/**
 * audit (one pass), the use-case: read the audit records (files, dmesg or the
 * journal) through the sink (parse, filter, per-key collectors), attribute
 * containers to pods and workloads when asked, and write one profile, or one
 * per --split-by group into a directory. Typed options in, a result out: no
 * flags, no printing (cli/audit.ts words the summary); what happens along the
 * way is told through callbacks.
 */
import { mkdir } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { MemberInfo } from '../attribution/group.js';
import type { PodAttributionOptions } from '../attribution/options.js';
import type { Observed } from '../collect/collector.js';
import type { GenerateOptions, GenerateReport } from '../generate/index.js';
import type { AuditFilter, FilterCounts } from '../ingest/audit-filter.js';
import type { SeccompProfile } from '../profile/types.js';
import { DMESG_ARGV, eachLineOfCommand, journalArgv } from '../sources/commands.js';
import { eachLineOfFile } from '../sources/lines.js';
import { Progress } from '../sources/progress.js';
import { AuditSink, type SplitKey, writeSplitProfile } from './audit.js';
import { type ProfileOutput, type WrittenProfile, observedCount, runEmit } from './emit.js';

/** Where the records come from. */
export type AuditInput = { kind: 'files'; paths: string[] } | { kind: 'dmesg' } | { kind: 'journal'; json: boolean };

export interface AuditRunOptions {
  input: AuditInput;
  filter: AuditFilter;
  /** One profile per key into the directory out.output. */
  split?: SplitKey;
  /** Attribute containers to pods / workloads (and filter by namespace, workload). */
  pods?: PodAttributionOptions;
  procRoot: string;
  /** A progress line on a terminal while files are read. */
  progress: boolean;
  generate: GenerateOptions;
  /** Where and how the profile is written (with split: out.output is the directory). */
  out: ProfileOutput;
  /** Write even when nothing was observed. */
  allowEmpty: boolean;
  /** Pod attribution fell back to container ids (the reason). */
  onAttributionNotice?: (notice: string) => void;
}

/** One --split-by group's profile, written. */
export interface SplitProfile {
  key: string;
  file: string;
  /** Distinct syscalls observed in the group. */
  syscalls: number;
  /** The group's containers (pod attribution). */
  containers?: MemberInfo[];
}

export interface AuditRun {
  /** What the profile(s) are built from: kept records (after the pod filters), the whole pass's line counts. */
  observed: Observed;
  /** The whole pass. */
  totals: Observed;
  /** What the record filters did. */
  counts: { filter: AuditFilter; removedBy: FilterCounts; kept: number; filtered: number };
  /** Records the namespace / workload filters removed (pod attribution). */
  podFiltered?: number;
  /** Nothing observed (and not allowEmpty): nothing was written. */
  empty: boolean;
  /** No split: the profile, its report, and the bytes written (or to print when out.output is none). */
  emitted?: { profile: SeccompProfile; report: GenerateReport } & WrittenProfile;
  /** Split: the directory and the profiles written into it. */
  split?: { key: SplitKey; dir: string; profiles: SplitProfile[] };
}

/** Feed every line of the input to the sink. */
async function readInput(input: AuditInput, sink: AuditSink, showProgress: boolean): Promise<void> {
  if (input.kind === 'dmesg') return eachLineOfCommand(DMESG_ARGV, (l, n) => sink.line(l, n, 'dmesg'));
  if (input.kind === 'journal') return eachLineOfCommand(journalArgv(input.json), (l, n) => sink.line(l, n, 'journalctl'));
  const progress = Progress.forInputs(input.paths, !showProgress);
  try {
    for (const f of input.paths) await eachLineOfFile(f, (l, n) => sink.line(l, n, f), progress);
  } finally {
    progress?.done();
  }
}

/** Read, filter, attribute, write. */
export async function runAudit(o: AuditRunOptions): Promise<AuditRun> {
  const { split, pods } = o;
  const sink = new AuditSink(o.filter, pods && !split ? 'container' : split, o.procRoot);
  await readInput(o.input, sink, o.progress);

  const att = pods ? await import('../attribution/index.js') : undefined;
  const totals = sink.all.result();
  const grouped = att && pods ? await att.attributeAudit(sink.byKey, sink.perKey, totals, pods) : undefined;
  if (grouped?.notice) o.onAttributionNotice?.(grouped.notice);
  const observed = grouped?.merged ?? totals;
  const run: AuditRun = {
    observed,
    totals,
    counts: { filter: sink.filter, removedBy: sink.removedBy, kept: sink.kept, filtered: sink.filtered },
    ...(grouped ? { podFiltered: grouped.filtered } : {}),
    empty: !o.allowEmpty && observedCount(observed) === 0,
  };
  if (run.empty) return run;
  if (!split) {
    run.emitted = await runEmit(observed, o.generate, o.out);
    return run;
  }
  const dir = resolvePath(o.out.output!);
  await mkdir(dir, { recursive: true });
  const entries = grouped
    ? grouped.groups.map((g) => [g.key, g.collector, g.containers] as const)
    : [...sink.byKey].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, c, undefined] as const);
  const profiles: SplitProfile[] = [];
  for (const [key, c, members] of entries) {
    const file = await writeSplitProfile(dir, key, c, members, o.out, o.generate, split);
    profiles.push({ key, file, syscalls: observedCount(c), ...(members ? { containers: members } : {}) });
  }
  run.split = { key: split, dir, profiles };
  return run;
}
