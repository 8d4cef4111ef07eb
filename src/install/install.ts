/**
 * install: put a profile where the kubelet looks for Localhost profiles
 * (ROOT/DIR/NAME.json, ROOT = /var/lib/kubelet/seccomp by default), atomically,
 * mode 0644, without ever leaving ROOT. Without --force the file is created
 * exclusively (link() of a complete temp file): of concurrent installs of
 * different profiles to one name exactly one wins.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { OptionError, UserError } from '../errors.js';
import { profileToJson } from '../profile/serialize.js';
import type { SeccompProfile } from '../profile/types.js';
import { validateProfile } from '../profile/validate.js';
import { parseJsonExact } from '../profile/exact-json.js';
import { createOutputExclusive, writeOutput } from '../write/output.js';

export const DEFAULT_ROOT = '/var/lib/kubelet/seccomp';
export const DEFAULT_DIR = 'profiles';

export interface InstallOptions {
  root?: string;
  dir?: string;
  force?: boolean;
}

export interface InstallResult {
  path: string;
  /** Relative to the root: what `localhostProfile` names. */
  localhostProfile: string;
  status: 'written' | 'unchanged' | 'replaced';
}

/** NAME: one path component of letters, digits, '.', '_', '-' (no leading dot). `.json` is added. */
export function checkName(name: string): string {
  const base = name.endsWith('.json') ? name.slice(0, -5) : name;
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(base) || base.includes('..')) {
    throw new UserError(`profile name '${name}': use letters, digits, '.', '_' and '-' only (no '/', no '..', not absolute)`);
  }
  return `${base}.json`;
}

/** DIR: relative, components like NAME, no '..'. '' or '.' = the root itself. */
export function checkDir(dir: string): string[] {
  if (isAbsolute(dir)) throw new OptionError((n) => `${n('dir')} ${dir}: must be relative to the seccomp root`);
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  for (const p of parts) {
    if (p === '..' || !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(p)) throw new OptionError((n) => `${n('dir')} ${dir}: '${p}' is not allowed (no '..', letters, digits, '.', '_', '-')`);
  }
  return parts;
}

/** Create each directory under root that is missing; refuse symlinks or non-directories on the way. */
async function ensureDirs(root: string, parts: string[]): Promise<string> {
  const rootStat = await fsp.lstat(root).catch(() => undefined);
  if (!rootStat) await fsp.mkdir(root, { recursive: true, mode: 0o755 });
  else if (rootStat.isSymbolicLink()) {
    // The root itself may be a link an admin made (e.g. onto another disk); only what is under it is checked.
    if (!(await fsp.stat(root)).isDirectory()) throw new UserError(`${root}: not a directory`);
  } else if (!rootStat.isDirectory()) throw new UserError(`${root}: not a directory`);
  let cur = root;
  for (const p of parts) {
    cur = join(cur, p);
    let st = await fsp.lstat(cur).catch(() => undefined);
    if (!st) {
      // Another install may create it at the same moment: then check what it made.
      const made = await fsp.mkdir(cur, { mode: 0o755 }).then(() => true, (e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? false : Promise.reject(e)));
      if (!made) st = await fsp.lstat(cur);
    }
    if (!st) continue;
    if (st.isSymbolicLink()) throw new UserError(`${cur} is a symbolic link: refusing to follow it out of ${root}`);
    else if (!st.isDirectory()) throw new UserError(`${cur}: not a directory`);
  }
  return cur;
}

/** The same profile, however the file is formatted? (Not JSON, or not a profile: no.) */
function sameProfile(existing: string, text: string): boolean {
  if (existing === text) return true;
  try {
    const v = validateProfile(parseJsonExact(existing));
    return v.ok && profileToJson(v.profile) === text;
  } catch {
    return false;
  }
}

export async function installProfile(name: string, profile: SeccompProfile, opts: InstallOptions = {}): Promise<InstallResult> {
  const root = opts.root ?? DEFAULT_ROOT;
  const file = checkName(name);
  const parts = checkDir(opts.dir ?? DEFAULT_DIR);
  const v = validateProfile(profile);
  if (!v.ok) throw new UserError(`not a valid OCI seccomp profile, not installing it: ${v.errors.slice(0, 3).join('; ')}`);
  const dir = await ensureDirs(root, parts);
  const path = join(dir, file);
  const text = profileToJson(profile);
  const result = (status: InstallResult['status']): InstallResult => ({ path, localhostProfile: [...parts, file].join('/'), status });
  const existing = async (): Promise<'same' | 'different' | undefined> => {
    const st = await fsp.lstat(path).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink() || !st.isFile()) throw new UserError(`${path} exists and is not a regular file: refusing to replace it`);
    return sameProfile(await fsp.readFile(path, 'utf8'), text) ? 'same' : 'different';
  };
  const different = (): UserError => new OptionError((n) => `${path} exists with a different profile: use ${n('force')} to replace it (compare with: syscribe diff ${path} NEW)`);
  const now = await existing();
  if (now === 'same') return result('unchanged');
  if (now === 'different') {
    if (!opts.force) throw different();
    await writeOutput(path, text, { mode: 0o644, noFollow: true });
    return result('replaced');
  }
  if (opts.force) {
    await writeOutput(path, text, { mode: 0o644, noFollow: true });
    return result('written');
  }
  // Nothing there a moment ago: create it only if it still is not (no check-then-rename race).
  if (await createOutputExclusive(path, text, 0o644)) return result('written');
  const raced = await existing();
  if (raced === 'same') return result('unchanged');
  throw different();
}

/** record --install: check NAME, DIR and that ROOT/DIR can be created and written, before recording. */
export async function checkInstallTarget(name: string, opts: InstallOptions = {}): Promise<void> {
  checkName(name);
  const parts = checkDir(opts.dir ?? DEFAULT_DIR);
  let cur = opts.root ?? DEFAULT_ROOT;
  const rootSt = await fsp.stat(cur).catch(() => undefined);
  if (rootSt && !rootSt.isDirectory()) throw new UserError(`${cur}: not a directory`);
  for (const p of rootSt ? parts : []) {
    const next = join(cur, p);
    const st = await fsp.lstat(next).catch(() => undefined);
    if (!st) break;
    if (st.isSymbolicLink()) throw new UserError(`${next} is a symbolic link: refusing to follow it out of ${opts.root ?? DEFAULT_ROOT}`);
    if (!st.isDirectory()) throw new UserError(`${next}: not a directory`);
    cur = next;
  }
  let up = cur;
  while (!(await fsp.stat(up).catch(() => undefined))) up = dirname(up);
  if (!(await fsp.stat(up)).isDirectory()) throw new UserError(`${up}: not a directory`);
  if (!(await fsp.access(up, fsConstants.W_OK).then(() => true, () => false))) throw new UserError(`cannot install into ${join(opts.root ?? DEFAULT_ROOT, ...parts)}: ${up} is not writable`);
}

/** What to paste into a pod spec, and the docker/podman lines. */
export function usageSnippet(r: InstallResult): string {
  return `# container level (pod.spec.containers[*].securityContext):
securityContext:
  seccompProfile:
    type: Localhost
    localhostProfile: ${r.localhostProfile}
  # the rest of Pod Security Standards "restricted":
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
  runAsNonRoot: true

# or pod level (pod.spec.securityContext), for every container:
securityContext:
  seccompProfile:
    type: Localhost
    localhostProfile: ${r.localhostProfile}

# docker / podman:
docker run --security-opt seccomp=${r.path} IMAGE
podman run --security-opt seccomp=${r.path} IMAGE
`;
}
