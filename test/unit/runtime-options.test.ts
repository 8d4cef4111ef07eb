// The generator's --runtime / --no-new-privileges flags → the runtime's post-filter set of that mode.
// The flags are read through the CLI (runCli) by a probe command with the generator commands' builder.
import { describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import type { StatusCommand } from '../../src/cli/command.js';
import { type GeneratorArgs, generatorOptionsFrom, withGeneratorOptions } from '../../src/cli/generator-options.js';
import type { GenerateOptions } from '../../src/generate/index.js';
import { runtimeBaseSyscalls } from '../../src/runtime/runtime-base.js';
import { runCli } from '../helpers/cli.js';

/** The GenerateOptions `syscribe probe ARGV` reads; a refused command line throws its error line. */
async function options(argv: string[]): Promise<GenerateOptions> {
  let got: GenerateOptions | undefined;
  const probe: CommandModule<object, GeneratorArgs> = {
    command: 'probe',
    describe: false,
    builder: (y) => withGeneratorOptions(y),
    handler: (a) => { got = generatorOptionsFrom(a); },
  };
  const r = await runCli(['probe', ...argv], [probe as unknown as StatusCommand<never>]);
  if (r.code !== 0 || !got) throw new Error(`exit ${r.code}: ${r.err}`);
  return got;
}

describe('generator runtime options', () => {
  it('default: --runtime any, noNewPrivileges false — runc\'s and crun\'s late set-up calls are in', async () => {
    const o = (await options([]));
    expect(o.runtime).toBe('any');
    expect(o.noNewPrivileges).toBe(false);
    expect(o.runtimeSyscalls).toEqual(runtimeBaseSyscalls('any', false));
    expect(o.runtimeSyscalls).toEqual(expect.arrayContaining(['setuid', 'capset', 'setresuid', 'pselect6', 'openat2', 'statx', 'close_range']));
  });

  it('--no-new-privileges: the restricted set, without the user switch', async () => {
    const o = (await options(['--no-new-privileges']));
    expect(o.noNewPrivileges).toBe(true);
    expect(o.runtimeSyscalls).toEqual(runtimeBaseSyscalls('any', true));
    for (const n of ['setuid', 'setgid', 'capset', 'setresuid', 'chdir']) expect(o.runtimeSyscalls).not.toContain(n);
    expect(o.runtimeSyscalls).toEqual(expect.arrayContaining(['execve', 'close', 'openat2', 'statx']));
  });

  it('--runtime runc / crun / none', async () => {
    expect((await options(['--runtime', 'runc'])).runtimeSyscalls).toEqual(runtimeBaseSyscalls('runc'));
    expect((await options(['--runtime', 'crun', '--no-new-privileges'])).runtimeSyscalls).toEqual(runtimeBaseSyscalls('crun', true));
    expect((await options(['--runtime', 'none'])).runtimeSyscalls).toEqual([]);
    await expect(options(['--runtime', 'youki'])).rejects.toThrow(/^exit 2: syscribe: Invalid values:\n  Argument: runtime, Given: "youki"/);
  });
});
