import type { CommandModule } from 'yargs';
import { archOption } from './arch-option.js';
import { Collector } from '../collect/collector.js';
import { ingestStrace } from '../ingest/drivers/strace-files.js';
import { Progress } from '../sources/progress.js';
import { escapeControl } from '../util/escape.js';
import { PARALLEL_MIN_BYTES, jobsFrom, withJobsOption } from './jobs-option.js';
import { type GeneratorArgs, checkOutputArgs, emitProfile, generatorOptionsFrom, withGeneratorOptions } from './generator-options.js';

interface Args extends GeneratorArgs { files: string[]; 'default-arch'?: string; jobs?: string; debug?: boolean }

export const straceCommand: CommandModule<object, Args> = {
  command: 'strace <files..>',
  describe: 'Build a profile from strace output (any style: -f, -ff -o, -tt, -T, -y, -n, -c, 32-bit, …)',
  builder: (y) =>
    withJobsOption(withGeneratorOptions(
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'strace logs (- for stdin; .gz read transparently; -ff -o prefix.PID files)' })
        .option('default-arch', { type: 'string', describe: 'Arch of processes with no personality hint (default: this machine\'s)' }),
    ))
      .example('$0 strace app.strace -o app.json', 'containerd RuntimeDefault + what the app called')
      .example('strace -f -o /dev/stdout ./app | $0 strace - --baseline none --runtime none', 'exactly what the app called, from a pipe')
      .example('$0 strace trace.* --baseline crio --format crd --name my-app -o my-app.yaml', 'a Security Profiles Operator SeccompProfile from strace -ff -o trace files')
      .example('$0 strace app.strace --json -o app.json', 'summary as JSON on stdout') as never,
  handler: async (argv) => {
    await checkOutputArgs(argv);
    const opts = generatorOptionsFrom(argv);
    let defaultArch;
    if (argv['default-arch'] !== undefined) {
      defaultArch = archOption(argv['default-arch'], '--default-arch').id;
    }
    const jobs = jobsFrom(argv.jobs);
    const collector = new Collector();
    const progress = Progress.forInputs(argv.files, argv.quiet);
    const debug = argv.debug ? (m: string) => process.stderr.write(`syscribe: ${escapeControl(m)}\n`) : undefined;
    try {
      await ingestStrace(argv.files, collector, {
        ...(defaultArch ? { defaultArch } : {}),
        ...(progress ? { progress } : {}),
        jobs,
        parallelMinBytes: PARALLEL_MIN_BYTES,
        ...(debug ? {
          onFallback: (path, r, why, again, lines) => debug(`${path}: range ${r}: ${why} (the main thread parsed ${again} of its ${lines} lines)`),
          onRanges: (path, s) => debug(`${path}: ${s.ranges} ranges; after the first: ${s.whole} taken whole, ${s.partly} after a head parsed again, ${s.again} parsed again; ${s.linesAgain} of ${s.lines} lines parsed again`),
        } : {}),
      });
    } finally {
      progress?.done();
    }
    await emitProfile(collector.result(), argv, opts);
  },
};
