// The command registry: one module per command under src/cli/.
//
// Start-up time matters (`syscribe resolve`, `syscribe check` in CI): only the
// command that runs is loaded. yargs needs just `command` and `describe` to list
// and match commands; the builder (its options) and the handler come from the
// command's module, imported on first use. test/unit/lazy-commands.test.ts
// checks that the names and descriptions here equal the modules' own.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

/**
 * A command whose handler returns its exit status (0, EXIT_FINDING, …); main()
 * returns it. Nothing returned: 0.
 */
export type StatusCommand<A> = Omit<CommandModule<object, A>, 'handler'> & {
  // A method, so a StatusCommand<Args> is a StatusCommand<any> (parameters compared both ways).
  handler(argv: ArgumentsCamelCase<A>): Promise<number | void>;
};

/** A command whose module is imported only when yargs runs its builder or handler. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lazyCommand(command: string, describe: string, load: () => Promise<AnyCommand | StatusCommand<any>>): AnyCommand {
  let loaded: Promise<AnyCommand | StatusCommand<any>> | undefined;
  const mod = () => (loaded ??= load());
  return {
    command,
    describe,
    builder: async (y: Argv) => {
      const b = (await mod()).builder;
      if (typeof b === 'function') return b(y);
      return b ? y.options(b) : y;
    },
    // The handler's exit status is passed on (main.ts keeps it).
    handler: (async (argv: ArgumentsCamelCase) => (await mod()).handler(argv)) as AnyCommand['handler'],
  };
}

/** merge takes recordings too: each becomes a profile allowing exactly what it shows. */
async function loadMerge(): Promise<AnyCommand> {
  const [{ makeMergeCommand }, { Collector }, { observedToAllowProfile }, { ingestRecording }, { EXIT_FINDING, UserError }, { nothingObserved }] = await Promise.all([
    import('./merge.js'),
    import('../collect/collector.js'),
    import('../generate/index.js'),
    import('../ingest/any.js'),
    import('../errors.js'),
    import('./report.js'),
  ]);
  return makeMergeCommand({
    loadObservation: async (path, defaults) => {
      const c = new Collector();
      await ingestRecording(path, c);
      const observed = c.result();
      // A recording that shows no call would merge as nothing: say so instead (as strace/audit do).
      if (![...observed.arches.values()].some((m) => m.size > 0)) throw new UserError(`${path === '-' ? 'stdin (-)' : path}: ${nothingObserved(observed)}: nothing to merge from it`, EXIT_FINDING);
      return observedToAllowProfile(observed, defaults);
    },
  });
}

export const commands: AnyCommand[] = [
  lazyCommand('strace <files..>', 'Build a profile from strace output (any style: -f, -ff -o, -tt, -T, -y, -n, -c, 32-bit, …)', async () => (await import('./strace.js')).straceCommand),
  lazyCommand('audit [files..]', 'Build a profile from kernel seccomp audit records (audit.log, dmesg, syslog, journald, ausearch)', async () => (await import('./audit.js')).auditCommand),
  lazyCommand('record [cmd..]', 'Run a command (or attach to a process) and build a profile from what it calls', async () => (await import('./record.js')).recordCommand),
  lazyCommand('audit-profile', 'Write the audit-mode profile: the chosen RuntimeDefault with default action SCMP_ACT_LOG', async () => (await import('./audit-profile.js')).auditProfileCommand),
  lazyCommand('merge <inputs..>', 'Union of seccomp profiles (OCI JSON and SeccompProfile YAML, mixed): the least restrictive answer per syscall wins', loadMerge),
  lazyCommand('diff <a> <b>', 'What changed between two profiles: default action, architectures, flags, syscalls per action, conditions (exit 1 when they differ)', async () => (await import('./diff.js')).diffCommand),
  lazyCommand('check <inputs..>', 'Would RuntimeDefault block what the app does? (exit 1 if so: a CI gate before SeccompDefault)', async () => (await import('./check.js')).checkCommand),
  lazyCommand('verify [cmd..]', 'Run a command (or a server and probes) in a real OCI runtime with and without a profile, and compare', async () => (await import('./verify.js')).verifyCommand),
  lazyCommand('runtime-base', "Measure the syscalls the OCI runtime itself makes after installing a container's filter", async () => (await import('./runtime-base.js')).runtimeBaseCommand),
  lazyCommand('install <name> <profile>', "Install a profile under the kubelet's seccomp root and print the securityContext to paste", async () => (await import('./install.js')).installCommand),
  lazyCommand('resolve <syscall>', 'Map a syscall number to its name on an architecture, or a name to its number on every architecture', async () => (await import('./resolve.js')).resolveCommand),
];
