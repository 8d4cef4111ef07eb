import { defineCommand } from './command.js';
import { EXIT_FINDING } from '../errors.js';
import { saveRuntimeBase } from '../app/runtime-base.js';
import { measureRuntimeBase, runtimeBasePath } from '../runtime/runtime-base.js';
import { escapeControl } from '../util/escape.js';
import { checkOutput } from '../write/output.js';

export const runtimeBaseCommand = defineCommand({
  command: 'runtime-base',
  describe: "Measure the syscalls the OCI runtime itself makes after installing a container's filter",
  builder: (y) =>
    y
      .option('runtime', { choices: ['runc', 'crun'] as const, default: 'runc' as const, describe: 'OCI runtime' })
      .option('new-privileges', { type: 'boolean', describe: 'Give --no-new-privileges to measure with process.noNewPrivileges true (restricted pods); default: false, as docker, podman and Kubernetes run containers' })
      .option('runs', { type: 'number', default: 5, describe: 'Containers to run (the union is kept)' })
      .option('save', { type: 'boolean', describe: 'Store the set as the data --runtime uses (src/data/runtime-base.json)' })
      .option('output', { alias: 'o', type: 'string', describe: 'With --save: the data file to update (default: the one syscribe reads)' })
      .option('json', { type: 'boolean', describe: 'Print the measurement as JSON' })
      .example('$0 runtime-base', "runc's post-filter calls on this machine, one per line")
      .example('$0 runtime-base --runtime crun --runs 20 --save', 'measure crun and keep the result')
      .example('$0 runtime-base --no-new-privileges --runs 20 --save', "runc's smaller set when noNewPrivileges is true"),
  handler: async (argv) => {
    if (argv.save) await checkOutput(argv.output ?? runtimeBasePath());
    const m = await measureRuntimeBase(argv.runtime, argv.runs, { noNewPrivileges: argv['new-privileges'] === false });
    if (argv.json) process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
    else process.stdout.write(m.syscalls.map((s) => `${s}\n`).join(''));
    const rare = m.syscalls.filter((s) => (m.seenIn[s] ?? 0) < m.runs).map((s) => `${s} ${m.seenIn[s]}/${m.runs}`);
    process.stderr.write(`${m.version}, noNewPrivileges ${m.noNewPrivileges}: ${m.syscalls.length} syscalls from ${m.records} records of ${m.comms.map((x) => escapeControl(x)).join(', ')} over ${m.runs} runs${rare.length ? ` (not in every run: ${rare.join(', ')})` : ''}\n`);
    if (m.note) process.stderr.write(`note: ${m.note}\n`);
    if (m.incomplete) process.stderr.write(`warning: in ${m.incomplete} of ${m.runs} runs the program's last call never reached the log (it was behind or dropped records); their calls are kept\n`);
    if (m.lost) process.stderr.write(`warning: the log reported ${m.lost} lost record(s) while measuring; measure again\n`);
    process.stderr.write(m.confirmed ? `proven: /bin/true runs under SCMP_ACT_ERRNO allowing only this set and its own calls\n` : `NOT proven: /bin/true failed under SCMP_ACT_ERRNO allowing only this set and its own calls: ${m.confirmNote}\n`);
    if (argv.save) {
      if (!m.confirmed || m.lost) {
        process.stderr.write('not saved: the measurement is not proven or lost records\n');
        return EXIT_FINDING;
      }
      const target = argv.output ?? runtimeBasePath();
      await saveRuntimeBase(target, m);
      process.stderr.write(`saved to ${target}\n`);
    }
  },
});
