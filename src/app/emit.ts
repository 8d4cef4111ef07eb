/**
 * emit, the use-case every profile-writing command ends with (strace, audit,
 * record, audit-profile, the node agent): what was observed + typed generator
 * options → profile + report → validated → rendered → written (-o). Typed
 * options in, a result out: no flags, no printing (cli/generator-options.ts
 * prints the profile to stdout when there is no -o, and the summary).
 */
import type { LineCounts, Observed, UnknownSyscall } from '../collect/collector.js';
import { type GenerateOptions, type GenerateReport, generateProfile } from '../generate/index.js';
import { type CrdMeta, type CrdVersion, crdDropsErrno, profileToCrd, profileToJson } from '../profile/serialize.js';
import type { SeccompProfile } from '../profile/types.js';
import { assertValidProfile } from '../profile/validate.js';
import { writeOutput } from '../write/output.js';

export interface ProfileOutput {
  /** A file to write; undefined or '-': the caller prints `text`. */
  output?: string;
  format: 'oci' | 'crd';
  /** metadata.name of the SeccompProfile (format crd). */
  name?: string;
  crdVersion: CrdVersion;
  /** Told before the profile is written (e.g. what a SeccompProfile cannot say). */
  onNote?: (note: string) => void;
}

export interface WrittenProfile {
  /** The bytes written (or to print). */
  text: string;
  /** Written to `output`. */
  written: boolean;
}

/** The profile as the bytes to write. */
export function renderProfile(p: SeccompProfile, o: Pick<ProfileOutput, 'format' | 'name' | 'crdVersion'>, meta?: CrdMeta): string {
  return o.format === 'crd' ? profileToCrd(p, { name: o.name!, version: o.crdVersion, ...meta }) : profileToJson(p);
}

/** Validate, render and write a profile to `output` (a file); with no file the caller prints `text`. */
export async function writeProfileTo(p: SeccompProfile, o: ProfileOutput, meta?: CrdMeta): Promise<WrittenProfile> {
  assertValidProfile(p, 'generated profile');
  if (o.format === 'crd' && crdDropsErrno(p)) {
    o.onNote?.(`a SeccompProfile has no defaultErrnoRet; the operator answers unlisted calls with EPERM, not errno ${p.defaultErrnoRet}`);
  }
  const text = renderProfile(p, o, meta);
  const written = o.output !== undefined && o.output !== '-';
  if (written) await writeOutput(o.output!, text);
  return { text, written };
}

/** Distinct syscalls observed, all arches. */
export function observedCount(observed: Pick<Observed, 'arches'>): number {
  let n = 0;
  for (const m of observed.arches.values()) n += m.size;
  return n;
}

/** Why nothing was observed, in one line: the line counts, unknown numbers, and `detail`. */
export function nothingObserved(o: { lines: LineCounts; unknown: UnknownSyscall[] }, detail = ''): string {
  const l = o.lines;
  const unknown = o.unknown.reduce((n, u) => n + u.count, 0);
  return `observed nothing: no syscall in ${l.parsed + l.ignored + l.malformed} lines (${l.parsed} parsed, ${l.ignored} ignored, ${l.malformed} malformed)` +
    `${unknown ? `, only ${unknown} calls of unknown syscall numbers` : ''}${detail ? `; ${detail}` : ''}`;
}

/** Generate from what was observed, validate, render, write. */
export async function runEmit(observed: Observed, generate: GenerateOptions, out: ProfileOutput): Promise<{ profile: SeccompProfile; report: GenerateReport } & WrittenProfile> {
  const { profile, report } = generateProfile(observed, generate);
  return { profile, report, ...(await writeProfileTo(profile, out)) };
}
