/**
 * strace, the use-case: strace logs (any style, -ff files, gzip, stdin) →
 * what was observed → one profile, generated, validated, rendered, written.
 * Typed options in, a result out: no flags, no printing (cli/strace.ts).
 */
import { Collector, type Observed } from '../collect/collector.js';
import type { GenerateOptions, GenerateReport } from '../generate/index.js';
import { type IngestStraceOptions, ingestStrace } from '../ingest/drivers/strace-files.js';
import type { SeccompProfile } from '../profile/types.js';
import { Progress } from '../sources/progress.js';
import { type ProfileOutput, type WrittenProfile, observedCount, runEmit } from './emit.js';

export interface StraceRunOptions {
  /** Logs ('-' is stdin). */
  files: string[];
  /** How they are parsed (the default arch, …); the progress line is made here. */
  ingest?: Omit<IngestStraceOptions, 'progress'>;
  /** A progress line on a terminal while the files are read. */
  progress: boolean;
  generate: GenerateOptions;
  out: ProfileOutput;
  /** Write even when nothing was observed. */
  allowEmpty: boolean;
}

export interface StraceRun {
  observed: Observed;
  /** Nothing observed (and not allowEmpty): nothing was written. */
  empty: boolean;
  /** The profile, its report, and the bytes written (or to print when out.output is none). */
  emitted?: { profile: SeccompProfile; report: GenerateReport } & WrittenProfile;
}

/** Read, collect, write. */
export async function runStrace(o: StraceRunOptions): Promise<StraceRun> {
  const collector = new Collector();
  const progress = Progress.forInputs(o.files, !o.progress);
  try {
    await ingestStrace(o.files, collector, { ...o.ingest, ...(progress ? { progress } : {}) });
  } finally {
    progress?.done();
  }
  const observed = collector.result();
  if (!o.allowEmpty && observedCount(observed) === 0) return { observed, empty: true };
  return { observed, empty: false, emitted: await runEmit(observed, o.generate, o.out) };
}
