/**
 * --arch / --cap / --kernel for commands that read profiles: the target a
 * moby-format (conditional) profile is flattened for (src/profile/moby.ts).
 * Defaults: the native arch, the runtime's default capability set, the
 * running kernel.
 */
import type { Argv } from 'yargs';
import { type BaselineName, type FlattenTarget, parseKernel, runningKernel } from '../generate/flatten.js';
import { capsFor } from '../profile/capabilities.js';
import { capSpecFrom, withCapOptions } from './cap-options.js';
import type { Declared } from './command.js';
import { flagFor } from './flags.js';
import type { LoadOptions } from '../profile/load.js';
import { hostArch } from '../arch.js';
import { archOption } from './arch-option.js';

export function withTargetOptions<T>(y: Argv<T>) {
  // --cap (exact) / --cap-add / --cap-drop: the capability set its conditions see (default: Docker's default set).
  return withCapOptions(y, 'moby-format input:')
    .option('arch', { type: 'string', describe: 'Node architecture a moby-format profile is flattened for (default: this machine\'s)', group: 'moby-format input:' })
    .option('kernel', { type: 'string', describe: 'Kernel X.Y for its minKernel conditions (default: running kernel)', group: 'moby-format input:' });
}

export type TargetArgs = Declared<typeof withTargetOptions>;

/** Flags → the flatten target (UserError on a bad arch or kernel). */
export function targetFrom(a: TargetArgs, runtime: Exclude<BaselineName, 'none'> = 'docker'): FlattenTarget {
  // A flag given twice: the last one wins (yargs collects the values into an array).
  const last = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);
  const arch = last(a.arch);
  const kernel = last(a.kernel);
  if (kernel !== undefined) parseKernel(kernel);
  return {
    arch: arch ? archOption(arch).id : hostArch().id,
    caps: capsFor(runtime, capSpecFrom(a)),
    kernel: kernel ?? runningKernel(),
  };
}

/** Flags → how a profile is loaded: the flatten target, and notes that name the flags. */
export function loadOptionsFrom(a: TargetArgs, runtime: Exclude<BaselineName, 'none'> = 'docker'): LoadOptions {
  return { target: targetFrom(a, runtime), name: flagFor };
}
