/**
 * The syscalls an OCI runtime itself makes after it installs the container's
 * seccomp filter (before and including the execve of the user program).
 * A profile must allow them or the container never starts. Measured with
 * `syscribe runtime-base --save` (see src/data/runtime-base.json for how).
 */
import { createRequire } from 'node:module';
import { UserError } from '../errors.js';

export interface RuntimeBase {
  version: string;
  measured: string;
  arch: string;
  runs: number;
  method: string;
  syscalls: string[];
}

const require = createRequire(import.meta.url);
/** The data file lives in src/data; dist/runtime and src/runtime are both two levels below the package root. */
const DATA_PATH = require.resolve('../../src/data/runtime-base.json');

export function runtimeBaseData(): Record<string, RuntimeBase> {
  return require(DATA_PATH) as Record<string, RuntimeBase>;
}

export function runtimeBaseSyscalls(runtime: 'runc' | 'crun'): string[] {
  const d = runtimeBaseData()[runtime];
  if (!d) {
    throw new UserError(`no measured post-filter syscall set for ${runtime} (measure it with: syscribe runtime-base --runtime ${runtime} --save), or use --runtime none`);
  }
  return [...d.syscalls];
}

export function runtimeBasePath(): string {
  return DATA_PATH;
}
