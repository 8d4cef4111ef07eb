// The command registry: one module per command under src/cli/.
//
// Start-up time matters (`syscribe resolve`, `syscribe check` in CI): only the
// command that runs is loaded. yargs needs just `command` and `describe` to list
// and match commands; the builder (its options) and the handler come from the
// command's module, imported on first use. test/unit/lazy-commands.test.ts
// checks that the names and descriptions here equal the modules' own.
import type { Argv } from 'yargs';
import type { CommandArgs, StatusCommand } from './command.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = StatusCommand<any>;

/** A command whose module is imported only when yargs runs its builder or handler. */
export function lazyCommand(command: string, describe: string, load: () => Promise<AnyCommand>): AnyCommand {
  let loaded: Promise<AnyCommand> | undefined;
  const mod = () => (loaded ??= load());
  return {
    command,
    describe,
    // yargs awaits a builder that returns a promise (the module is loaded then).
    builder: async (y: Argv) => (await mod()).builder(y),
    // The handler's exit status is passed on (main.ts keeps it).
    handler: async (argv: CommandArgs<unknown>) => (await mod()).handler(argv),
  };
}

export const commands: AnyCommand[] = [
  lazyCommand('strace <files..>', 'Build a profile from strace output (any style: -f, -ff -o, -tt, -T, -y, -n, -c, 32-bit, …)', async () => (await import('./strace.js')).straceCommand),
  lazyCommand('audit [files..]', 'Build a profile from kernel seccomp audit records (audit.log, dmesg, syslog, journald, ausearch)', async () => (await import('./audit.js')).auditCommand),
  lazyCommand('record [cmd..]', 'Run a command (or attach to a process) and build a profile from what it calls', async () => (await import('./record.js')).recordCommand),
  lazyCommand('audit-profile', 'Write the audit-mode profile: the chosen RuntimeDefault with default action SCMP_ACT_LOG', async () => (await import('./audit-profile.js')).auditProfileCommand),
  lazyCommand('merge <inputs..>', 'Union of seccomp profiles (OCI JSON and SeccompProfile YAML, mixed): the least restrictive answer per syscall wins', async () => (await import('./merge.js')).mergeCommand),
  lazyCommand('diff <a> <b>', 'What changed between two profiles: default action, architectures, flags, syscalls per action, conditions (exit 1 when they differ)', async () => (await import('./diff.js')).diffCommand),
  lazyCommand('check <inputs..>', 'Would RuntimeDefault block what the app does? (exit 1 if so: a CI gate before SeccompDefault)', async () => (await import('./check.js')).checkCommand),
  lazyCommand('verify [cmd..]', 'Run a command (or a server and probes) in a real OCI runtime with and without a profile, and compare', async () => (await import('./verify.js')).verifyCommand),
  lazyCommand('runtime-base', "Measure the syscalls the OCI runtime itself makes after installing a container's filter", async () => (await import('./runtime-base.js')).runtimeBaseCommand),
  lazyCommand('install <name> <profile>', "Install a profile under the kubelet's seccomp root and print the securityContext to paste", async () => (await import('./install.js')).installCommand),
  lazyCommand('resolve <syscall>', 'Map a syscall number to its name on an architecture, or a name to its number on every architecture', async () => (await import('./resolve.js')).resolveCommand),
];
