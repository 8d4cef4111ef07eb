/**
 * merge inputs: profiles (OCI JSON, SeccompProfile YAML, mixed) and
 * recordings (strace / audit logs), told apart by content, not by name.
 *
 * A recording joins through `loaders.loadObservation(path, defaults)`, which
 * turns it into a profile allowing exactly what it shows, with the default
 * action the profile inputs share (or --default-action, else SCMP_ACT_ERRNO),
 * so it merges like any other input. `syscribe merge` passes
 * ingest/drivers/any.ts ingestRecording + generate/index.ts observedToAllowProfile
 * (src/cli/commands.ts). A caller without a loader merges profiles only: a
 * recording is refused with a message saying how to make a profile of it first.
 */
import { UserError } from '../errors.js';
import { type LoadOptions, type LoadedProfile, loadProfileFile, looksLikeProfile } from '../profile/load.js';
import type { Action, SeccompProfile } from '../profile/types.js';
import { validateProfile } from '../profile/validate.js';
import { isGzip, readHead } from '../sources/lines.js';
import { type MergeInput, type MergeOptions, resolveMergeDefault } from './merge.js';
import type { Defaults } from './normalize.js';

export type ObservationLoader = (path: string, defaults: Defaults) => Promise<SeccompProfile>;

export interface InputLoaders {
  loadObservation?: ObservationLoader;
}

export type InputKind = 'profile' | 'observation';

const HEAD_BYTES = 64 * 1024;

/** Profile or recording? gzip files are recordings (logs are rotated gzipped; profiles are not). */
export async function sniffInput(path: string): Promise<InputKind> {
  const head = await readHead(path, HEAD_BYTES);
  if (isGzip(head)) return 'observation';
  return looksLikeProfile(head.toString('utf8')) ? 'profile' : 'observation';
}

export interface LoadedInputs {
  inputs: MergeInput[];
  /** Load warnings (e.g. a disabled SeccompProfile). */
  warnings: string[];
  /** Load notes (e.g. a moby-format profile flattened for a target). */
  notes: string[];
  profiles: number;
  observations: number;
}

/**
 * Load every input in order. Profiles first (their shared default decides
 * the default observation profiles get), then observations through the loader.
 */
export async function loadMergeInputs(paths: readonly string[], loaders: InputLoaders = {}, opts: MergeOptions = {}, loadOpts: LoadOptions = {}): Promise<LoadedInputs> {
  if (!paths.length) throw new UserError('nothing to merge: name at least one profile');
  if (paths.filter((p) => p === '-').length > 1) throw new UserError('stdin (-) can be read once only');
  const slots: Array<LoadedProfile[] | string> = [];
  for (const p of paths) {
    const kind = await sniffInput(p);
    if (kind === 'profile') slots.push(await loadProfileFile(p, loadOpts));
    else {
      if (!loaders.loadObservation) {
        throw new UserError(
          `${p}: not a seccomp profile (it looks like a strace or audit recording); this caller merges profiles only: ` +
          `make a profile of it first (syscribe strace ${p} --baseline none -o observed.json) and merge that`,
        );
      }
      slots.push(p);
    }
  }
  const loaded = slots.filter((s): s is LoadedProfile[] => typeof s !== 'string').flat();
  const warnings = loaded.flatMap((l) => l.warnings);
  const notes = loaded.flatMap((l) => l.notes);
  const observationPaths = slots.filter((s): s is string => typeof s === 'string');
  let defaults: Defaults = { defaultAction: 'SCMP_ACT_ERRNO' as Action };
  if (observationPaths.length) {
    if (loaded.length || opts.defaultAction !== undefined) {
      const d = resolveMergeDefault(loaded.map((l) => ({ source: l.source, profile: l.profile })), opts);
      defaults = d.errnoRet === undefined ? { defaultAction: d.action } : { defaultAction: d.action, defaultErrnoRet: d.errnoRet };
    }
  }
  const inputs: MergeInput[] = [];
  for (const s of slots) {
    if (typeof s !== 'string') {
      for (const l of s) inputs.push({ source: l.source, profile: l.profile });
      continue;
    }
    const profile = await loaders.loadObservation!(s, defaults);
    const v = validateProfile(profile);
    if (!v.ok) throw new Error(`profile made from ${s} is invalid: ${v.errors.slice(0, 3).join('; ')}`);
    inputs.push({ source: `${s} (observed)`, profile: v.profile });
  }
  return { inputs, warnings, notes, profiles: loaded.length, observations: observationPaths.length };
}
