/**
 * audit-profile, the use-case: the audit-mode profile — the chosen
 * RuntimeDefault with default action SCMP_ACT_LOG instead of a denial —
 * generated, validated, rendered, written. Typed options in, a result out
 * (cli/audit-profile.ts prints).
 */
import { archById } from '../arch.js';
import { Collector } from '../collect/collector.js';
import { type GenerateOptions, nativeArchFor } from '../generate/index.js';
import { type ProfileOutput, runEmit } from './emit.js';

export async function runAuditProfile(generate: GenerateOptions, out: ProfileOutput): ReturnType<typeof runEmit> {
  // Log every call the baseline would deny, and list the native arch's whole family so
  // 32-bit and x32 calls are logged too (instead of hitting the bad-arch action).
  // SCMP_ACT_LOG needs no SECCOMP_FILTER_FLAG_LOG to be logged; the flag (logDenials) only logs the
  // baseline's own ERRNO rules, and runc before 1.2 refuses any profile with flags. So: only when asked.
  const opts: GenerateOptions = { ...generate, defaultAction: 'SCMP_ACT_LOG' };
  delete opts.errnoRet;
  if (!opts.arches?.length) opts.arches = [...archById(nativeArchFor(opts.arches ?? [])).family];
  return runEmit(new Collector().result(), opts, out);
}
