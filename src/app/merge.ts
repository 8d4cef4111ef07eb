/**
 * merge, the use-case: profiles and recordings → one profile (the union),
 * validated, rendered, written (-o) — typed options in, a result out, nothing
 * printed (cli/merge.ts words the warnings and the summary). Also --by
 * workload (runMergeBy) and the loader of recordings (RECORDING_LOADERS).
 */
import { type InputLoaders, loadMergeInputs } from '../algebra/inputs.js';
import { type MergeOptions, type MergeWarning, mergeProfiles } from '../algebra/merge.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergedGroup } from '../algebra/merge-by.js';
import { Collector } from '../collect/collector.js';
import { EXIT_FINDING, OptionError, UserError } from '../errors.js';
import { observedToAllowProfile } from '../generate/index.js';
import { ingestRecording } from '../ingest/drivers/any.js';
import type { LoadOptions } from '../profile/load.js';
import { type CrdVersion, profileToCrd, profileToJson } from '../profile/serialize.js';
import type { SeccompProfile } from '../profile/types.js';
import { assertValidProfile } from '../profile/validate.js';
import { checkOutput, checkOutputDir, writeOutput } from '../write/output.js';
import { nothingObserved, observedCount } from './emit.js';

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

/**
 * The loaders merge passes on (src/algebra/inputs.ts): a recording (strace or
 * audit log) becomes a profile allowing exactly what it shows; one that shows
 * no call is refused (exit 1), as strace and audit refuse to write nothing.
 */
export const RECORDING_LOADERS: InputLoaders = {
  loadObservation: async (path, defaults) => {
    const c = new Collector();
    await ingestRecording(path, c);
    const observed = c.result();
    if (observedCount(observed) === 0) throw new UserError(`${path === '-' ? 'stdin (-)' : path}: ${nothingObserved(observed)}: nothing to merge from it`, EXIT_FINDING);
    return observedToAllowProfile(observed, defaults);
  },
};

export interface MergeByRunOptions {
  /** Files, or directories of them (*.json, *.yaml, *.yml). */
  inputs: string[];
  /** The directory the merged profiles are written into. */
  dir: string;
  format: 'oci' | 'crd';
  crdVersion: CrdVersion;
  merge?: MergeOptions;
  load?: LoadOptions;
  loaders?: InputLoaders;
}

export interface MergeByRun {
  /** Files read. */
  files: number;
  /** One per workload, with the path written. */
  merged: Array<MergedGroup & { path: string }>;
}

/** Group the partial profiles by workload (src/algebra/merge-by.ts), merge each group, write one profile per workload into `dir`. */
export async function runMergeBy(o: MergeByRunOptions): Promise<MergeByRun> {
  const { expandInputs, groupPartials, mergeGroups } = await import('../algebra/merge-by.js');
  await checkOutputDir(o.dir);
  const files = await expandInputs(o.inputs);
  if (!files.length) throw new UserError(`no profiles (*.json, *.yaml, *.yml) in ${o.inputs.join(', ')}`);
  const groups = await groupPartials(files);
  const merged = await mergeGroups(groups, { format: o.format, crdVersion: o.crdVersion, ...(o.merge ? { merge: o.merge } : {}), ...(o.load ? { load: o.load } : {}), ...(o.loaders ? { loaders: o.loaders } : {}) });
  await mkdir(o.dir, { recursive: true });
  const out: MergeByRun['merged'] = [];
  for (const m of merged) {
    const path = join(o.dir, m.file);
    await writeOutput(path, m.text);
    out.push({ ...m, path });
  }
  return { files: files.length, merged: out };
}
