import { existsSync } from 'node:fs';
import { defineCommand } from './command.js';
import { flagFor } from './flags.js';
import { which } from '../util/which.js';
import { EXIT_FINDING, EXIT_USAGE, UserError } from '../errors.js';
import { escapeControl } from '../util/argv.js';
import { DEFAULT_DIR, DEFAULT_ROOT, checkInstallTarget, installProfile, usageSnippet } from '../install/install.js';
import type { VerifyOptions } from '../runtime/verify.js';
import type { SeccompProfile } from '../profile/types.js';
import { runRecord } from '../app/record.js';
import { checkOutputArgs, generatorOptionsFrom, printEmitted, profileOutputFrom, refuseEmpty, withGeneratorOptions } from './generator-options.js';

/** --backend's choices (the yargs-free path in fast-path.ts checks them too). */
export const RECORD_BACKENDS = ['strace', 'bpftrace', 'auto'] as const;

export const recordCommand = defineCommand({
  command: 'record [cmd..]',
  describe: 'Run a command (or attach to a process) and build a profile from what it calls',
  builder: (y) =>
    withGeneratorOptions(
      y
        // The command's arguments are passed as written (yargs would run `echo 0x10` as `echo 16`).
        .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'parse-numbers': false })
        .positional('cmd', { type: 'string', array: true, describe: 'the command, after --' })
        .option('backend', { choices: [...RECORD_BACKENDS], default: 'strace' as const, describe: 'strace (any user with ptrace), bpftrace (root, in-kernel counting, near full speed), auto (bpftrace when it can run)' })
        .option('pid', { type: 'number', describe: 'Attach to a running process (threads and children too) until Ctrl-C' })
        .option('in-container', { type: 'boolean', describe: 'Run CMD in a container (--runtime runc or crun; runc for any/none) and record only what its seccomp filter sees: the runtime\'s own calls after it installs the filter and the program\'s, in the container (root). With --no-new-privileges the container runs with noNewPrivileges true' })
        .option('verify', { type: 'boolean', describe: 'Then run CMD in runc with and without the profile (syscribe verify)' })
        .option('install', { type: 'string', describe: "Then install the profile as NAME under the kubelet's seccomp root (syscribe install)" })
        .option('root', { type: 'string', default: DEFAULT_ROOT, describe: 'Seccomp root for --install' })
        .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'Sub-directory for --install' }),
    )
      .example('$0 record -o app.json -- ./app --serve', 'run ./app under strace -f, write the profile when it exits (or on Ctrl-C)')
      .example('$0 record --backend bpftrace --baseline none --runtime none -o app.json -- make test', 'count in the kernel; the build runs at nearly full speed')
      .example('$0 record --in-container --verify --baseline none -o sh.json -- sh -c "cd /tmp && ls"', 'record inside a runc container (noNewPrivileges false), then prove the profile there')
      .example('$0 record --pid 4242 -o app.json', 'attach to a running process until Ctrl-C')
      .example('$0 record --verify --install my-app -o my-app.json -- ./app --selftest', 'record, prove it in runc, install it for the kubelet'),
  handler: async (argv) => {
    await checkOutputArgs(argv);
    if (argv.install) await checkInstallTarget(argv.install, { root: argv.root, dir: argv.dir });
    const opts = generatorOptionsFrom(argv);
    const cmd = [...(argv.cmd ?? []), ...(argv['--'] ?? [])].map(String);
    if (argv.pid === undefined && cmd.length === 0) throw new UserError('name a command after -- (syscribe record -o out.json -- CMD ARGS...), or --pid PID');
    if (argv.verify && argv.pid !== undefined) throw new UserError('--verify needs a command to run (not --pid)');
    if (argv['in-container'] && argv.pid !== undefined) throw new UserError('--in-container runs a command in a container; it cannot attach to --pid');
    if (argv['in-container'] && argv.backend === 'bpftrace') throw new UserError('--in-container records with strace (--backend strace)');
    if (argv.pid !== undefined && cmd.length) throw new UserError('--pid and a command exclude each other');
    if (argv.pid !== undefined && (!Number.isInteger(argv.pid) || argv.pid <= 0)) throw new UserError(`--pid ${argv.pid}: not a process id`);
    if (cmd.length && !(cmd[0]!.includes('/') ? existsSync(cmd[0]!) : which(cmd[0]!))) throw new UserError(`${cmd[0]}: command not found`);
    const containerRuntime = argv.runtime === 'crun' ? 'crun' : 'runc';
    const noNewPrivileges = argv['new-privileges'] === false;
    const inContainer = argv['in-container'] ? { runtime: containerRuntime, noNewPrivileges, addMeasuredSets: argv.runtime === 'any' } as const : undefined;
    const r = await runRecord({
      target: argv.pid !== undefined ? { pid: argv.pid } : { cmd },
      backend: argv.backend,
      ...(inContainer ? { inContainer } : {}),
      generate: opts,
      out: profileOutputFrom(argv),
      allowEmpty: !!argv['allow-empty'],
    });
    if (r.empty) refuseEmpty(r.observed, argv, '', r.fields);
    const { profile } = r.emitted!;
    await printEmitted(r.emitted!, argv, r.fields);
    if (r.inContainer && !argv.json) {
      const { inContainerNote } = await import('../record/in-container.js');
      process.stderr.write(inContainerNote({ ...r.inContainer, measuredSetsAdded: inContainer!.addMeasuredSets }));
    }
    if (!r.inContainer && r.signal && !argv.json) {
      process.stderr.write(`partial: recording stopped by ${r.signal} before ${argv.pid !== undefined ? `detaching from pid ${argv.pid}` : 'the command ended'}: the profile holds what was seen until then\n`);
    }
    if (argv.verify) {
      const v = await reportVerify({ profile, cmd, runtime: containerRuntime, noNewPrivileges });
      if (v !== 0) return v;
    }
    if (argv.install) await install(argv, profile);
    return r.exitCode;
  },
});

/** Run verify and print its verdict; the exit status: 0 when it passed. */
async function reportVerify(o: VerifyOptions): Promise<number> {
  const { verifyProfile } = await import('../runtime/verify.js');
  const v = await verifyProfile({ ...o, name: flagFor });
  const mode = `, noNewPrivileges ${o.noNewPrivileges ?? false}`;
  if (v.pass) {
    process.stderr.write(`verify: pass in ${v.version}${mode} (exit ${v.unconfined.exitCode} with and without the profile)\n`);
    return 0;
  }
  if (v.verdict === 'cannot-verify') {
    process.stderr.write(`verify: cannot verify: ${escapeControl(v.reason ?? '')}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`verify: FAIL: ${v.reason}${v.denied.length ? `; denied: ${v.denied.join(' ')}` : ''}\n`);
  return EXIT_FINDING;
}

async function install(argv: { install?: string | undefined; root: string; dir: string }, profile: SeccompProfile): Promise<void> {
  const r = await installProfile(argv.install!, profile, { root: argv.root, dir: argv.dir });
  process.stderr.write(`installed: ${r.path}\n`);
  process.stderr.write(usageSnippet(r));
}
