import type { CommandModule } from 'yargs';
import { measureRuntimeBase, runtimeBaseData, runtimeBasePath } from '../runtime/runtime-base.js';
import { hostArch } from '../arch.js';
import { writeFileAtomic } from '../write/atomic.js';

interface Args { runtime: 'runc' | 'crun'; runs: number; save?: boolean }

export const runtimeBaseCommand: CommandModule<object, Args> = {
  command: 'runtime-base',
  describe: "Measure the syscalls the OCI runtime itself makes after installing a container's filter",
  builder: (y) =>
    y
      .option('runtime', { choices: ['runc', 'crun'] as const, default: 'runc' as const, describe: 'OCI runtime' })
      .option('runs', { type: 'number', default: 5, describe: 'Containers to run (the union is kept)' })
      .option('save', { type: 'boolean', describe: 'Store the set as the data --runtime uses (src/data/runtime-base.json)' })
      .example('$0 runtime-base', "runc's post-filter calls on this machine")
      .example('$0 runtime-base --runtime crun --runs 10 --save', 'measure crun and keep the result') as never,
  handler: async (argv) => {
    const m = await measureRuntimeBase(argv.runtime, argv.runs);
    process.stdout.write(`${m.syscalls.join('\n')}\n`);
    process.stderr.write(`${argv.runtime} (${m.version}): ${m.syscalls.length} syscalls from ${m.records} records over ${argv.runs} runs\n`);
    if (argv.save) {
      const data = { ...runtimeBaseData() };
      data[argv.runtime] = {
        version: m.version,
        measured: new Date().toISOString().slice(0, 10),
        arch: hostArch().id,
        runs: argv.runs,
        method: `syscribe runtime-base --runtime ${argv.runtime} --runs ${argv.runs}: /bin/true in a bundle whose seccomp profile logs everything (SCMP_ACT_LOG, native arch family); union of the type=SECCOMP records of the container's init pid before the user program runs`,
        syscalls: m.syscalls,
      };
      await writeFileAtomic(runtimeBasePath(), `${JSON.stringify(data, null, 2)}\n`);
      process.stderr.write(`saved to ${runtimeBasePath()}\n`);
    }
  },
};
