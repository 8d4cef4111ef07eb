import type { CommandModule } from 'yargs';
import { type ProfileDiff, diffProfiles, formatDiff } from '../algebra/diff.js';
import { EXIT_FINDING, EXIT_OK, UserError } from '../errors.js';
import { type LoadOptions, loadProfile } from '../profile/load.js';
import { stringifyJsonExact } from '../profile/exact-json.js';
import { type TargetArgs, targetFrom, withTargetOptions } from './target-options.js';

interface Args extends TargetArgs { a: string; b: string; json?: boolean }

export interface DiffRun {
  diff: ProfileDiff;
  text: string;
  warnings: string[];
  /** e.g. that a moby-format profile was flattened, and for what. */
  notes: string[];
  exitCode: number;
}

/** Load both, compare, render. Exit code 1 when they differ, 0 when they behave the same. */
export async function runDiff(a: string, b: string, json = false, opts: LoadOptions = {}): Promise<DiffRun> {
  if (a === '-' && b === '-') throw new UserError('stdin (-) can be read once only');
  const pa = await loadProfile(a, opts);
  const pb = await loadProfile(b, opts);
  const diff = diffProfiles(pa.profile, pb.profile);
  const text = json ? `${stringifyJsonExact({ a: pa.source, b: pb.source, ...diff }, 2)}\n` : formatDiff(diff, { a: pa.source, b: pb.source });
  return { diff, text, warnings: [...pa.warnings, ...pb.warnings], notes: [...pa.notes, ...pb.notes], exitCode: diff.equal ? EXIT_OK : EXIT_FINDING };
}

export const diffCommand: CommandModule<object, Args> = {
  command: 'diff <a> <b>',
  describe: 'What changed between two profiles: default action, architectures, flags, syscalls per action, conditions (exit 1 when they differ)',
  builder: (y) =>
    withTargetOptions(y)
      .positional('a', { type: 'string', demandOption: true, describe: 'The old profile (OCI JSON or SeccompProfile YAML)' })
      .positional('b', { type: 'string', demandOption: true, describe: 'The new profile' })
      .option('json', { type: 'boolean', describe: 'Print the differences as JSON' })
      .example('$0 diff old.json new.json', 'syscalls added and removed per action')
      .example('$0 diff profile.json cluster.yaml --json', 'machine output; exit 1 when they differ, 0 when equal (for CI)') as never,
  handler: async (argv) => {
    const r = await runDiff(argv.a, argv.b, !!argv.json, { target: targetFrom(argv) });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    process.stdout.write(r.text);
    process.exitCode = r.exitCode;
  },
};
