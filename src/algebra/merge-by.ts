/**
 * `syscribe merge --by workload DIR|FILE...`: the partial profiles of many
 * nodes → one merged profile per workload, with the existing union
 * (./merge.ts mergeProfiles), for users without SPO's merger.
 *
 * Grouping, per input file:
 * - a SeccompProfile carrying SPO's partial labels (src/attribution/spo.ts):
 *   by recording-namespace + recording-id + container-id, as SPO's
 *   listPartialProfiles() does; the result is named and labelled as SPO's
 *   mergedProfileName() / mergedObjectMeta() name it;
 * - any other profile: by its file name without extension — syscribe's own
 *   per-workload file name `<namespace>-<workload>.json` from
 *   `audit --split-by workload`, so the same workload's file from every
 *   node's directory lands in one group.
 */
import { promises as fsp } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type PartialKey, partialKeyOf, spoMergedMeta } from '../attribution/spo.js';
import { OptionError, UserError } from '../errors.js';
import type { LoadOptions } from '../profile/load.js';
import { type CrdVersion, isValidK8sName, profileToCrd, profileToJson } from '../profile/serialize.js';
import type { SeccompProfile } from '../profile/types.js';
import { assertValidProfile } from '../profile/validate.js';
import { type InputLoaders, loadMergeInputs } from './inputs.js';
import { type MergeOptions, type MergeWarning, mergeProfiles } from './merge.js';

const PROFILE_EXT = new Set(['.json', '.yaml', '.yml']);
/** Profiles are small; a bigger file is not one (read whole only up to this). */
const MAX_PROFILE_BYTES = 16 * 1024 * 1024;

/** Files as given; directories → their *.json / *.yaml / *.yml files (not recursive, not dotfiles), sorted. */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') throw new OptionError((n) => `merge ${n('by')} reads files and directories, not stdin`);
    const st = await fsp.stat(p).catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`${p}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    });
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await fsp.readdir(p, { withFileTypes: true }))
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && !d.name.startsWith('.') && PROFILE_EXT.has(extname(d.name).toLowerCase()))
      .map((d) => d.name)
      .sort();
    out.push(...names.map((n) => join(p, n)));
  }
  return out;
}

export interface PartialGroup {
  /** Output stem: SPO's merged name, or the shared file name. */
  key: string;
  spo?: PartialKey;
  files: string[];
}

/** The SPO partial key of a file's SeccompProfile document(s), or undefined (then the file name groups it). */
export async function partialKeyOfFile(path: string): Promise<PartialKey | undefined> {
  const st = await fsp.stat(path);
  if (st.size > MAX_PROFILE_BYTES) throw new UserError(`${path}: ${st.size} bytes is too big for a profile`);
  const text = await fsp.readFile(path, 'utf8');
  if (/^\s*[{[]/.test(text)) return undefined; // OCI JSON: no labels
  let key: PartialKey | undefined;
  let first = true;
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as { kind?: unknown; metadata?: { labels?: Record<string, unknown> } } | null;
    if (!o || o.kind !== 'SeccompProfile') continue;
    const k = partialKeyOf(o.metadata?.labels);
    if (first) key = k;
    else if (JSON.stringify(k) !== JSON.stringify(key)) throw new UserError(`${path}: its SeccompProfile documents belong to different partial groups; split the file`);
    first = false;
  }
  return key;
}

export async function groupPartials(files: readonly string[]): Promise<PartialGroup[]> {
  const groups = new Map<string, PartialGroup>();
  for (const f of files) {
    const spo = await partialKeyOfFile(f);
    const key = spo ? spoMergedMeta(spo).name : basename(f, extname(f));
    const id = spo ? `spo\0${spo.namespace}\0${spo.recording}\0${spo.container}` : `file\0${key}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = spo ? { key, spo, files: [] } : { key, files: [] }));
    g.files.push(f);
  }
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return [...groups.values()].sort((a, b) => cmp(a.key, b.key) || cmp(a.spo?.namespace ?? '', b.spo?.namespace ?? ''));
}

export interface MergedGroup {
  key: string;
  file: string;
  inputs: number;
  profile: SeccompProfile;
  text: string;
  warnings: MergeWarning[];
  loadWarnings: string[];
}

/** One merged profile per group, rendered (not written). OCI JSON → `<key>.json`; crd → `<name>.yaml`. */
export async function mergeGroups(
  groups: readonly PartialGroup[],
  o: { format: 'oci' | 'crd'; crdVersion?: CrdVersion; merge?: MergeOptions; load?: LoadOptions; loaders?: InputLoaders },
): Promise<MergedGroup[]> {
  const out: MergedGroup[] = [];
  const stems = new Set<string>();
  for (const g of groups) {
    const loaded = await loadMergeInputs(g.files, o.loaders ?? {}, o.merge ?? {}, o.load ?? {});
    const { profile, warnings } = mergeProfiles(loaded.inputs, o.merge ?? {});
    assertValidProfile(profile, `merged profile of ${g.key}`);
    let text: string;
    let stem: string;
    if (o.format === 'crd') {
      const meta = g.spo ? spoMergedMeta(g.spo) : { name: g.key.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+/, '').slice(0, 253).replace(/[-.]+$/, '') };
      if (!isValidK8sName(meta.name)) throw new UserError(`${g.key}: cannot make a Kubernetes name of it`);
      stem = meta.name;
      text = profileToCrd(profile, { name: meta.name, version: o.crdVersion ?? 'v1beta1', ...('labels' in meta ? { labels: meta.labels } : {}) });
    } else {
      stem = g.spo ? `${g.spo.namespace}-${g.key}` : g.key;
      text = profileToJson(profile);
    }
    const file = `${stem}.${o.format === 'crd' ? 'yaml' : 'json'}`;
    if (stems.has(file)) throw new UserError(`two groups would both be written to ${file}; merge them in separate runs`);
    stems.add(file);
    out.push({ key: g.key, file, inputs: loaded.inputs.length, profile, text, warnings, loadWarnings: loaded.warnings });
  }
  return out;
}
