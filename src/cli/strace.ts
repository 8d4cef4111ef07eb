import { defineCommand } from './command.js';
import { archOption } from './arch-option.js';
import { Collector } from '../collect/collector.js';
import { ingestStrace } from '../ingest/strace-files.js';
import { Progress } from '../sources/progress.js';
import { checkOutputArgs, emitProfile, generatorOptionsFrom, withGeneratorOptions } from './generator-options.js';

export const straceCommand = defineCommand({
  command: 'strace <files..>',
  describe: 'Build a profile from strace output (any style: -f, -ff -o, -tt, -T, -y, -n, -c, 32-bit, …)',
  builder: (y) =>
    withGeneratorOptions(
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'strace logs (- for stdin; .gz read transparently; -ff -o prefix.PID files)' })
        .option('default-arch', { type: 'string', describe: 'Arch of processes with no personality hint (default: this machine\'s)' }),
    )
      .example('$0 strace app.strace -o app.json', 'containerd RuntimeDefault + what the app called')
      .example('strace -f -o /dev/stdout ./app | $0 strace - --baseline none --runtime none', 'exactly what the app called, from a pipe')
      .example('$0 strace trace.* --baseline crio --format crd --name my-app -o my-app.yaml', 'a Security Profiles Operator SeccompProfile from strace -ff -o trace files')
      .example('$0 strace app.strace --json -o app.json', 'summary as JSON on stdout'),
  handler: async (argv) => {
    await checkOutputArgs(argv);
    const opts = generatorOptionsFrom(argv);
    let defaultArch;
    if (argv['default-arch'] !== undefined) {
      defaultArch = archOption(argv['default-arch'], '--default-arch').id;
    }
    const collector = new Collector();
    const progress = Progress.forInputs(argv.files, argv.quiet);
    try {
      await ingestStrace(argv.files, collector, { ...(defaultArch ? { defaultArch } : {}), ...(progress ? { progress } : {}) });
    } finally {
      progress?.done();
    }
    await emitProfile(collector.result(), argv, opts);
  },
});
