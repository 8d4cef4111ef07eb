import { defineCommand } from './command.js';
import { runDiff } from '../app/diff.js';
import { loadOptionsFrom, withTargetOptions } from './target-options.js';

export const diffCommand = defineCommand({
  command: 'diff <a> <b>',
  describe: 'What changed between two profiles: default action, architectures, flags, syscalls per action, conditions (exit 1 when they differ)',
  builder: (y) =>
    withTargetOptions(y)
      .positional('a', { type: 'string', demandOption: true, describe: 'The old profile (OCI JSON or SeccompProfile YAML)' })
      .positional('b', { type: 'string', demandOption: true, describe: 'The new profile' })
      .option('json', { type: 'boolean', describe: 'Print the differences as JSON' })
      .example('$0 diff old.json new.json', 'syscalls added and removed per action')
      .example('$0 diff profile.json cluster.yaml --json', 'machine output; exit 1 when they differ, 0 when equal (for CI)'),
  handler: async (argv) => {
    const r = await runDiff(argv.a, argv.b, !!argv.json, loadOptionsFrom(argv));
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    process.stdout.write(r.text);
    return r.exitCode;
  },
});
