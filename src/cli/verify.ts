import type { CommandModule } from 'yargs';
import { EXIT_FINDING, UserError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import { type TargetArgs, targetFrom, withTargetOptions } from './target-options.js';
import { verifyProfile } from '../runtime/verify.js';

interface Args extends TargetArgs { profile: string; runtime: 'runc' | 'crun'; 'compare-output'?: boolean; timeout: number; cmd?: string[]; '--'?: string[] }

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify [cmd..]',
  describe: 'Run a command in a real OCI runtime with and without a profile, and compare',
  builder: (y) =>
    withTargetOptions(y)
      // The command's arguments are passed as written: yargs would turn 0xffffffffffffffff into 18446744073709552000.
      .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'parse-numbers': false })
      .positional('cmd', { type: 'string', array: true, describe: 'the command, after --' })
      .option('profile', { type: 'string', demandOption: true, describe: 'OCI JSON or SeccompProfile YAML' })
      .option('runtime', { choices: ['runc', 'crun'] as const, default: 'runc' as const, describe: 'OCI runtime' })
      .option('compare-output', { type: 'boolean', describe: 'Also require identical stdout' })
      .option('timeout', { type: 'number', default: 60, describe: 'Seconds per run' })
      .example('$0 verify --profile app.json -- ./app --selftest', 'exit 0 if it behaves the same under the profile; else exit 1 and the denied syscalls')
      .example('$0 verify --profile app.yaml --runtime crun --compare-output -- curl -s http://127.0.0.1:8080/', 'in crun; stdout must match too') as never,
  handler: async (argv) => {
    const cmd = [...(argv.cmd ?? []), ...(argv['--'] ?? [])].map(String);
    if (!cmd.length) throw new UserError('name the command after -- (syscribe verify --profile P -- CMD ARGS...)');
    const loaded = await loadProfile(argv.profile, { target: targetFrom(argv) });
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const n of loaded.notes) process.stderr.write(`note: ${n}\n`);
    const r = await verifyProfile({ profile: loaded.profile, cmd, runtime: argv.runtime, compareOutput: !!argv['compare-output'], timeoutSec: argv.timeout });
    if (r.pass) {
      process.stdout.write(`pass: ${cmd.join(' ')} exits ${r.confined.exitCode} with and without ${argv.profile}${argv['compare-output'] ? ', same stdout' : ''} (${r.version})\n`);
      return;
    }
    process.stdout.write(`FAIL: ${r.reason} (${r.version})\n`);
    if (r.denied.length) process.stdout.write(`denied syscalls: ${r.denied.join(' ')}\n`);
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    const err = r.confined.stderr.trim().split('\n').slice(-3).join('\n');
    if (err) process.stdout.write(`container stderr under the profile (last lines):\n${err}\n`);
    process.exitCode = EXIT_FINDING;
  },
};
