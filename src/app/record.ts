/**
 * record, the use-case: run a command (or attach to a pid) under a backend —
 * strace, bpftrace, or strace around runc/crun (in the container) —, collect
 * what it called, and emit the profile (generate, validate, render, write).
 * Typed options in, a result out: no flags, no printing (cli/record.ts prints
 * the summary, the verdict of a --verify run and the install note).
 *
 * The backends are imported when used: `record -- CMD`'s fixed cost is mostly
 * start-up (issue 14), so the in-container recorder (bundles, runc) and the
 * bpftrace backend are not loaded for a plain strace recording.
 */
import { Collector, type Observed } from '../collect/collector.js';
import type { GenerateOptions, GenerateReport } from '../generate/index.js';
import type { SeccompProfile } from '../profile/types.js';
import type { InContainerOutcome } from '../record/in-container.js';
import { type RecordOutcome, type RecordTarget, recordWithStrace } from '../record/strace-backend.js';
import type { RuntimeName } from '../runtime/runc.js';
import { type ProfileOutput, type WrittenProfile, observedCount, runEmit } from './emit.js';

export type RecordBackend = 'strace' | 'bpftrace' | 'auto';

export interface RecordRunOptions {
  target: RecordTarget;
  backend: RecordBackend;
  /** Run target.cmd in a container of this runtime and record what its seccomp filter sees (strace only). */
  inContainer?: {
    runtime: RuntimeName;
    noNewPrivileges: boolean;
    /**
     * Also allow the measured sets of every runtime (the generator's runtime 'any'), so the profile
     * starts under the other runtime and newer releases too; otherwise the runtime's own calls
     * recorded after the install are all it gets.
     */
    addMeasuredSets: boolean;
  };
  generate: GenerateOptions;
  out: ProfileOutput;
  /** Write even when nothing was observed. */
  allowEmpty: boolean;
}

export interface RecordRun extends RecordOutcome {
  /** The backend that recorded (auto resolved). */
  backend: 'strace' | 'bpftrace';
  observed: Observed;
  /** What the in-container recording did (runtime, version, the install it cut at). */
  inContainer?: InContainerOutcome;
  /** The record fields of the summary (--json): the backend, the command's exit, what the container run did. */
  fields: Record<string, unknown>;
  /** Nothing observed (and not allowEmpty): nothing was written. */
  empty: boolean;
  /** The profile, its report, and the bytes written (or to print when out.output is none). */
  emitted?: { profile: SeccompProfile; report: GenerateReport } & WrittenProfile;
}

/** Record, collect, write. */
export async function runRecord(o: RecordRunOptions): Promise<RecordRun> {
  const collector = new Collector();
  let generate = o.generate;
  let backend: 'strace' | 'bpftrace';
  let outcome: RecordOutcome;
  let inContainer: InContainerOutcome | undefined;
  let fields: Record<string, unknown>;
  if (o.inContainer) {
    const { recordInContainer, inContainerSummary } = await import('../record/in-container.js');
    inContainer = await recordInContainer({ cmd: o.target.cmd ?? [], runtime: o.inContainer.runtime, noNewPrivileges: o.inContainer.noNewPrivileges }, collector);
    outcome = inContainer;
    fields = { backend: 'strace', inContainer: { ...inContainerSummary(inContainer), measuredSetsAdded: o.inContainer.addMeasuredSets }, exitCode: outcome.exitCode, interrupted: outcome.interrupted };
    backend = 'strace';
    // The runtime's own calls after the install were recorded: no stored set is needed unless asked.
    if (!o.inContainer.addMeasuredSets) generate = { ...generate, runtime: 'none', runtimeSyscalls: [] };
  } else if (o.backend === 'strace') {
    backend = 'strace';
    outcome = await recordWithStrace(o.target, collector);
  } else {
    const bpf = await import('../record/bpftrace-backend.js');
    backend = o.backend === 'auto' && (await bpf.bpftraceUnavailable()) ? 'strace' : 'bpftrace';
    outcome = backend === 'bpftrace' ? await bpf.recordWithBpftrace(o.target, collector) : await recordWithStrace(o.target, collector);
  }
  fields ??= { backend, exitCode: outcome.exitCode, interrupted: outcome.interrupted, ...(outcome.signal ? { partial: true, signal: outcome.signal } : {}) };
  const observed = collector.result();
  const run: RecordRun = { ...outcome, backend, observed, fields, empty: false, ...(inContainer ? { inContainer } : {}) };
  if (!o.allowEmpty && observedCount(observed) === 0) return { ...run, empty: true };
  return { ...run, emitted: await runEmit(observed, generate, o.out) };
}
