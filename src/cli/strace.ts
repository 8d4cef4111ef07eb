import { defineCommand } from './command.js';
import { archOption } from './arch-option.js';
import { runStrace } from '../app/strace.js';
import { checkOutputArgs, generatorOptionsFrom, printEmitted, profileOutputFrom, refuseEmpty, withGeneratorOptions } from './generator-options.js';

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
    const defaultArch = argv['default-arch'] !== undefined ? archOption(argv['default-arch'], '--default-arch').id : undefined;
    const r = await runStrace({
      files: argv.files,
      ingest: { ...(defaultArch ? { defaultArch } : {}) },
      progress: !argv.quiet,
      generate: opts,
      out: profileOutputFrom(argv),
      allowEmpty: !!argv['allow-empty'],
    });
    if (r.empty) refuseEmpty(r.observed, argv);
    await printEmitted(r.emitted!, argv);
    return 0;
  },
});
