/**
 * The post-filter syscall sets of the OCI runtimes, as stored: measured here
 * (src/data/runtime-base.json, written by `syscribe runtime-base --save`) and
 * what newer releases add (src/data/runtime-extra.json). Every command that
 * writes a profile reads them (generator options); the measuring itself
 * (runtime-base.ts: bundles, the audit log) is loaded only by runtime-base.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { OptionError, UserError } from '../errors.js';
import { RUNTIMES, type RuntimeName } from './runc.js';

export interface RuntimeBase {
  runtime?: RuntimeName;
  noNewPrivileges?: boolean;
  version: string;
  measured: string;
  arch: string;
  runs: number;
  method: string;
  syscalls: string[];
}

const require = createRequire(import.meta.url);
/** The data file lives in src/data (shipped: package.json "files"); dist/runtime and src/runtime are both two levels below the package root. */
const DATA_PATH = require.resolve('../../src/data/runtime-base.json');
const EXTRA_PATH = require.resolve('../../src/data/runtime-extra.json');

/** The data file key of a runtime in a privilege mode. */
export function runtimeBaseKey(runtime: RuntimeName, noNewPrivileges = false): string {
  return noNewPrivileges ? `${runtime}+nnp` : runtime;
}

/** A call some runtime release makes after installing the filter, read from its source (not measured here). */
export interface ExtraSyscall {
  name: string;
  /** The privilege modes in which that release makes it after the filter. */
  modes: Array<'nnp=false' | 'nnp=true'>;
  /** Releases that make it ("runc >= 1.2.0"). */
  releases: string;
  /** File(s) and function(s) in that release's source. */
  source: string;
  why: string;
}

/** runtime-extra.json: per runtime, the calls newer (or other) releases make after the filter. */
export function runtimeExtraData(path = EXTRA_PATH): Partial<Record<RuntimeName, ExtraSyscall[]>> {
  const j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const out: Partial<Record<RuntimeName, ExtraSyscall[]>> = {};
  for (const r of RUNTIMES) if (Array.isArray(j[r])) out[r] = j[r] as ExtraSyscall[];
  return out;
}

/** The names runtime-extra.json adds for `runtime` in that mode, sorted. */
export function runtimeExtraSyscalls(runtime: RuntimeName, noNewPrivileges = false): string[] {
  const mode = noNewPrivileges ? 'nnp=true' : 'nnp=false';
  return [...new Set((runtimeExtraData()[runtime] ?? []).filter((e) => e.modes.includes(mode)).map((e) => e.name))].sort();
}

/** Everything measured so far, read fresh from the data file (or another file of that shape; a missing one is empty). */
export function runtimeBaseData(path = DATA_PATH): Record<string, RuntimeBase> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (path !== DATA_PATH && (e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    return JSON.parse(text) as Record<string, RuntimeBase>;
  } catch (e) {
    throw new UserError(`${path}: not JSON (${(e as Error).message})`);
  }
}

/** The measured post-filter set of `runtime` in that privilege mode (sorted). Throws a UserError when it was never measured. */
export function runtimeMeasuredSyscalls(runtime: RuntimeName, noNewPrivileges = false): string[] {
  const key = runtimeBaseKey(runtime, noNewPrivileges);
  const data = runtimeBaseData();
  const d = Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
  if (!d) {
    throw new OptionError((n) => `no measured post-filter syscall set for ${runtime}${noNewPrivileges ? ' with noNewPrivileges' : ''} (measure it with: syscribe runtime-base --runtime ${runtime}${noNewPrivileges ? ' --no-new-privileges' : ''} --save), or use ${n('runtime')} none`);
  }
  return [...d.syscalls];
}

/**
 * The post-filter set a profile must allow for `runtime` (or "any": runc and
 * crun together) in that privilege mode: measured here ∪ what newer releases
 * make (runtime-extra.json), sorted. noNewPrivileges false is the default:
 * what docker, podman and an unconfigured pod do.
 */
export function runtimeBaseSyscalls(runtime: RuntimeName | 'any', noNewPrivileges = false): string[] {
  const list = runtime === 'any' ? RUNTIMES : [runtime];
  const out = new Set<string>();
  for (const r of list) {
    for (const n of runtimeMeasuredSyscalls(r, noNewPrivileges)) out.add(n);
    for (const n of runtimeExtraSyscalls(r, noNewPrivileges)) out.add(n);
  }
  return [...out].sort();
}

export function runtimeBasePath(): string {
  return DATA_PATH;
}

