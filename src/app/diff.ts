/**
 * diff, the use-case: load two profiles (any format; a moby-format one is
 * flattened for the target), compare, render as text or JSON. Typed options
 * in, a result out: no flags, no printing (cli/diff.ts prints).
 */
import { type ProfileDiff, diffProfiles, formatDiff } from '../algebra/diff.js';
import { EXIT_FINDING, EXIT_OK, UserError } from '../errors.js';
import { type LoadOptions, loadProfile } from '../profile/load.js';
import { stringifyJsonExact } from '../profile/exact-json.js';

export interface DiffRun {
  diff: ProfileDiff;
  text: string;
  warnings: string[];
  /** e.g. that a moby-format profile was flattened, and for what. */
  notes: string[];
  exitCode: number;
}

/** Load both, compare, render. Exit code 1 when they differ, 0 when they behave the same. */
export async function runDiff(a: string, b: string, json = false, opts: LoadOptions = {}): Promise<DiffRun> {
  if (a === '-' && b === '-') throw new UserError('stdin (-) can be read once only');
  const pa = await loadProfile(a, opts);
  const pb = await loadProfile(b, opts);
  const diff = diffProfiles(pa.profile, pb.profile);
  const text = json ? `${stringifyJsonExact({ a: pa.source, b: pb.source, ...diff }, 2)}\n` : formatDiff(diff, { a: pa.source, b: pb.source });
  return { diff, text, warnings: [...pa.warnings, ...pb.warnings], notes: [...pa.notes, ...pb.notes], exitCode: diff.equal ? EXIT_OK : EXIT_FINDING };
}
