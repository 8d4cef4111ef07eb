import { defineCommand } from './command.js';
import { archOption } from './arch-option.js';
import { runStrace } from '../app/strace.js';
import type { RangeStats } from '../ingest/drivers/strace-ranges.js';
import { checkOutputArgs, generatorOptionsFrom, printEmitted, profileOutputFrom, refuseEmpty, withGeneratorOptions } from './generator-options.js';
import { AUTO_ONE, PARALLEL_MIN_BYTES, jobsFrom, withJobsOption } from './jobs-option.js';
import { escapeControl } from '../util/escape.js';

export const straceCommand = defineCommand({
  command: 'strace <files..>',
  describe: 'Build a profile from strace output (any style: -f, -ff -o, -tt, -T, -y, -n, -c, 32-bit, …)',
  builder: (y) =>
    withJobsOption(withGeneratorOptions(
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'strace logs (- for stdin; .gz read transparently; -ff -o prefix.PID files)' })
        .option('default-arch', { type: 'string', describe: 'Arch of processes with no personality hint (default: this machine\'s)' }),
    ), AUTO_ONE)
      .example('$0 strace app.strace -o app.json', 'containerd RuntimeDefault + what the app called')
      .example('strace -f -o /dev/stdout ./app | $0 strace - --baseline none --runtime none', 'exactly what the app called, from a pipe')
      .example('$0 strace trace.* --baseline crio --format crd --name my-app -o my-app.yaml', 'a Security Profiles Operator SeccompProfile from strace -ff -o trace files')
      .example('$0 strace app.strace --json -o app.json', 'summary as JSON on stdout'),
  handler: async (argv) => {
    await checkOutputArgs(argv);
    const opts = generatorOptionsFrom(argv);
    const defaultArch = argv['default-arch'] !== undefined ? archOption(argv['default-arch'], '--default-arch').id : undefined;
    const debug = argv.debug ? (m: string) => process.stderr.write(`syscribe: ${escapeControl(m)}\n`) : undefined;
    const r = await runStrace({
      files: argv.files,
      ingest: {
        ...(defaultArch ? { defaultArch } : {}),
        jobs: jobsFrom(argv.jobs, AUTO_ONE),
        parallelMinBytes: PARALLEL_MIN_BYTES,
        ...(debug ? {
          onFallback: (path: string, range: number, why: string, again: number, lines: number) => debug(`${path}: range ${range}: ${why} (the main thread parsed ${again} of its ${lines} lines)`),
          onRanges: (path: string, s: RangeStats) => debug(`${path}: ${s.ranges} ranges; after the first: ${s.whole} taken whole, ${s.partly} after a head parsed again, ${s.again} parsed again; ${s.linesAgain} of ${s.lines} lines parsed again`),
        } : {}),
      },
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
