/**
 * --arch / --cap / --kernel for commands that read profiles: the target a
 * moby-format (conditional) profile is flattened for (src/profile/moby.ts).
 * Defaults: the native arch, the runtime's default capability set, the
 * running kernel.
 */
import type { Argv } from 'yargs';
import { type BaselineName, type FlattenTarget, capName, defaultCaps, parseKernel, runningKernel } from '../generate/flatten.js';
import { hostArch } from '../arch.js';
import { archOption } from './arch-option.js';

export interface TargetArgs {
  arch?: string;
  cap?: string[];
  kernel?: string;
}

export function withTargetOptions<T>(y: Argv<T>): Argv<T & TargetArgs> {
  return y
    .option('arch', { type: 'string', describe: 'Node architecture a moby-format profile is flattened for (default: this machine\'s)', group: 'moby-format input:' })
    .option('cap', { type: 'string', array: true, describe: 'Container capabilities its conditions see (repeatable; default: Docker\'s default set)', group: 'moby-format input:' })
    .option('kernel', { type: 'string', describe: 'Kernel X.Y for its minKernel conditions (default: running kernel)', group: 'moby-format input:' }) as unknown as Argv<T & TargetArgs>;
}

/** Flags → the flatten target (UserError on a bad arch or kernel). */
export function targetFrom(a: TargetArgs, runtime: Exclude<BaselineName, 'none'> = 'docker'): FlattenTarget {
  const last = <V>(v: V | V[] | undefined): V | undefined => (Array.isArray(v) ? v[v.length - 1] : v);
  const arch = last(a.arch);
  const kernel = last(a.kernel);
  if (kernel !== undefined) parseKernel(kernel);
  const caps = a.cap?.length ? a.cap.flatMap((c) => c.split(',')).filter(Boolean).map(capName) : defaultCaps(runtime);
  return {
    arch: arch ? archOption(arch).id : hostArch().id,
    caps: [...new Set(caps)].sort(),
    kernel: kernel ?? runningKernel(),
  };
}
