import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { which } from '../util/which.js';
import { Collector } from '../collect/collector.js';
import { EXIT_FINDING, EXIT_USAGE, UserError } from '../errors.js';
import { escapeControl } from '../util/argv.js';
import { DEFAULT_DIR, DEFAULT_ROOT, installProfile, usageSnippet } from '../install/install.js';
import { verifyProfile } from '../runtime/verify.js';
import { bpftraceUnavailable, recordWithBpftrace } from '../record/bpftrace-backend.js';
import { type RecordOutcome, type RecordTarget, recordWithStrace } from '../record/strace-backend.js';
import { type GeneratorArgs, checkOutputArgs, emitProfile, generatorOptionsFrom, withGeneratorOptions } from './generator-options.js';

interface Args extends GeneratorArgs {
  backend: string;
  verify?: boolean;
  install?: string;
  root: string;
  dir: string;
  pid?: number;
  '--'?: string[];
  cmd?: string[];
}

export const recordCommand: CommandModule<object, Args> = {
  command: 'record [cmd..]',
  describe: 'Run a command (or attach to a process) and build a profile from what it calls',
  builder: (y) =>
    withGeneratorOptions(
      y
        // The command's arguments are passed as written (yargs would run `echo 0x10` as `echo 16`).
        .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'parse-numbers': false })
        .positional('cmd', { type: 'string', array: true, describe: 'the command, after --' })
        .option('backend', { choices: ['strace', 'bpftrace', 'auto'], default: 'strace', describe: 'strace (any user with ptrace), bpftrace (root, in-kernel counting, near full speed), auto (bpftrace when it can run)' })
        .option('pid', { type: 'number', describe: 'Attach to a running process (threads and children too) until Ctrl-C' })
        .option('verify', { type: 'boolean', describe: 'Then run CMD in runc with and without the profile (syscribe verify)' })
        .option('install', { type: 'string', describe: "Then install the profile as NAME under the kubelet's seccomp root (syscribe install)" })
        .option('root', { type: 'string', default: DEFAULT_ROOT, describe: 'Seccomp root for --install' })
        .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'Sub-directory for --install' }),
    )
      .example('$0 record -o app.json -- ./app --serve', 'run ./app under strace -f, write the profile when it exits (or on Ctrl-C)')
      .example('$0 record --backend bpftrace --baseline none --runtime none -o app.json -- make test', 'count in the kernel; the build runs at nearly full speed')
      .example('$0 record --pid 4242 -o app.json', 'attach to a running process until Ctrl-C')
      .example('$0 record --verify --install my-app -o my-app.json -- ./app --selftest', 'record, prove it in runc, install it for the kubelet') as never,
  handler: async (argv) => {
    checkOutputArgs(argv);
    const opts = generatorOptionsFrom(argv);
    const cmd = [...(argv.cmd ?? []), ...(argv['--'] ?? [])].map(String);
    if (argv.pid === undefined && cmd.length === 0) throw new UserError('name a command after -- (syscribe record -o out.json -- CMD ARGS...), or --pid PID');
    if (argv.verify && argv.pid !== undefined) throw new UserError('--verify needs a command to run (not --pid)');
    if (argv.pid !== undefined && cmd.length) throw new UserError('--pid and a command exclude each other');
    if (argv.pid !== undefined && (!Number.isInteger(argv.pid) || argv.pid <= 0)) throw new UserError(`--pid ${argv.pid}: not a process id`);
    if (cmd.length && !(cmd[0]!.includes('/') ? existsSync(cmd[0]!) : which(cmd[0]!))) throw new UserError(`${cmd[0]}: command not found`);
    const target: RecordTarget = argv.pid !== undefined ? { pid: argv.pid } : { cmd };
    let backend = argv.backend;
    if (backend === 'auto') backend = (await bpftraceUnavailable()) ? 'strace' : 'bpftrace';
    const collector = new Collector();
    const outcome: RecordOutcome = backend === 'bpftrace' ? await recordWithBpftrace(target, collector) : await recordWithStrace(target, collector);
    const { profile } = await emitProfile(collector.result(), argv, opts, { backend, exitCode: outcome.exitCode, interrupted: outcome.interrupted });
    process.exitCode = outcome.exitCode;
    if (argv.verify) {
      const v = await verifyProfile({ profile, cmd, runtime: argv.runtime === 'crun' ? 'crun' : 'runc' });
      if (v.pass) process.stderr.write(`verify: pass (exit ${v.unconfined.exitCode} with and without the profile)\n`);
      else if (v.verdict === 'cannot-verify') {
        process.stderr.write(`verify: cannot verify: ${escapeControl(v.reason ?? '')}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      } else {
        process.stderr.write(`verify: FAIL: ${v.reason}${v.denied.length ? `; denied: ${v.denied.join(' ')}` : ''}\n`);
        process.exitCode = EXIT_FINDING;
        return;
      }
    }
    if (argv.install) {
      const r = await installProfile(argv.install, profile, { root: argv.root, dir: argv.dir });
      process.stderr.write(`installed: ${r.path}\n`);
      process.stderr.write(usageSnippet(r));
    }
  },
};
