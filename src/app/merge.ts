/**
 * merge, the use-case: profiles and recordings → one profile (the union),
 * validated, rendered, written (-o) — typed options in, a result out, nothing
 * printed (cli/merge.ts words the warnings and the summary).
 */
import { type InputLoaders, loadMergeInputs } from '../algebra/inputs.js';
import { type MergeOptions, type MergeWarning, mergeProfiles } from '../algebra/merge.js';
import { OptionError } from '../errors.js';
import type { LoadOptions } from '../profile/load.js';
import { type CrdVersion, profileToCrd, profileToJson } from '../profile/serialize.js';
import type { SeccompProfile } from '../profile/types.js';
import { assertValidProfile } from '../profile/validate.js';
import { checkOutput, writeOutput } from '../write/output.js';

export interface MergeRunOptions {
  /** Paths ('-' is stdin): profiles, and recordings when `loaders` can read them. */
  inputs: string[];
  /** A file to write (checked before any work); undefined or '-': the caller prints `text`. */
  output?: string;
  format: 'oci' | 'crd';
  /** metadata.name of the SeccompProfile (format crd). */
  name?: string;
  crdVersion?: CrdVersion;
  merge?: MergeOptions;
  /** How a moby-format profile among the inputs is flattened. */
  load?: LoadOptions;
  loaders?: InputLoaders;
}

export interface MergeRun {
  profile: SeccompProfile;
  /** The bytes written (or to print). */
  text: string;
  /** Written to `output`. */
  written: boolean;
  /** From loading the inputs (e.g. a disabled SeccompProfile). */
  loadWarnings: string[];
  /** From loading the inputs (e.g. how a moby-format profile was flattened). */
  notes: string[];
  /** From the union (narrowed, restriction dropped, errno, conflicts). */
  warnings: MergeWarning[];
  inputs: number;
  observations: number;
}

export async function runMerge(o: MergeRunOptions): Promise<MergeRun> {
  if (o.format === 'crd' && !o.name) throw new OptionError((n) => `${n('format')} crd needs ${n('name')} (the SeccompProfile metadata.name)`);
  const merge = o.merge ?? {};
  const toFile = o.output !== undefined && o.output !== '-';
  if (toFile) await checkOutput(o.output!);
  const loaded = await loadMergeInputs(o.inputs, o.loaders ?? {}, merge, o.load ?? {});
  const { profile, warnings } = mergeProfiles(loaded.inputs, merge);
  assertValidProfile(profile, 'merged profile');
  const text = o.format === 'crd' ? profileToCrd(profile, { name: o.name!, ...(o.crdVersion ? { version: o.crdVersion } : {}) }) : profileToJson(profile);
  if (toFile) await writeOutput(o.output!, text);
  return {
    profile, text, written: toFile, loadWarnings: loaded.warnings, notes: loaded.notes, warnings,
    inputs: loaded.inputs.length, observations: loaded.observations,
  };
}
