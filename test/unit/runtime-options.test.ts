// The generator's --runtime / --no-new-privileges flags → the runtime's post-filter set of that mode.
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { type GeneratorArgs, generatorOptionsFrom, withGeneratorOptions } from '../../src/cli/generator-options.js';
import { runtimeBaseSyscalls } from '../../src/runtime/runtime-base.js';

function parse(argv: string[]): GeneratorArgs {
  return withGeneratorOptions(yargs(argv).strict()).parseSync() as unknown as GeneratorArgs;
}

describe('generator runtime options', () => {
  it('default: --runtime any, noNewPrivileges false — runc\'s and crun\'s late set-up calls are in', () => {
    const o = generatorOptionsFrom(parse([]));
    expect(o.runtime).toBe('any');
    expect(o.noNewPrivileges).toBe(false);
    expect(o.runtimeSyscalls).toEqual(runtimeBaseSyscalls('any', false));
    expect(o.runtimeSyscalls).toEqual(expect.arrayContaining(['setuid', 'capset', 'setresuid', 'pselect6', 'openat2', 'statx', 'close_range']));
  });

  it('--no-new-privileges: the restricted set, without the user switch', () => {
    const o = generatorOptionsFrom(parse(['--no-new-privileges']));
    expect(o.noNewPrivileges).toBe(true);
    expect(o.runtimeSyscalls).toEqual(runtimeBaseSyscalls('any', true));
    for (const n of ['setuid', 'setgid', 'capset', 'setresuid', 'chdir']) expect(o.runtimeSyscalls).not.toContain(n);
    expect(o.runtimeSyscalls).toEqual(expect.arrayContaining(['execve', 'close', 'openat2', 'statx']));
  });

  it('--runtime runc / crun / none', () => {
    expect(generatorOptionsFrom(parse(['--runtime', 'runc'])).runtimeSyscalls).toEqual(runtimeBaseSyscalls('runc'));
    expect(generatorOptionsFrom(parse(['--runtime', 'crun', '--no-new-privileges'])).runtimeSyscalls).toEqual(runtimeBaseSyscalls('crun', true));
    expect(generatorOptionsFrom(parse(['--runtime', 'none'])).runtimeSyscalls).toEqual([]);
    expect(() => parse(['--runtime', 'youki'])).toThrow();
  });
});
