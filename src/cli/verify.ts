import type { Argv } from 'yargs';
import { type ArgsOf, defineCommand } from './command.js';
import { flagFor } from './flags.js';
import { EXIT_FINDING, EXIT_USAGE, UserError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import { loadOptionsFrom, withTargetOptions } from './target-options.js';
import { escapeControl, firstLines, showArgv, splitCommand } from '../util/argv.js';
import { type ServerOptions, type VerifyResult, verifyProfile } from '../runtime/verify.js';

/** Server options from the flags, or undefined for a command that runs to its end. */
function serverOptions(argv: Args): ServerOptions | undefined {
  const port = argv['ready-port'];
  const readyCmd = argv['ready-cmd'];
  const probes = (argv.probe ?? []).map((p) => splitCommand(String(p), '--probe'));
  if (port === undefined && readyCmd === undefined) {
    if (probes.length) throw new UserError('--probe needs a server that gets ready: add --ready-port PORT or --ready-cmd CMD');
    return undefined;
  }
  if (port !== undefined && readyCmd !== undefined) throw new UserError('--ready-port and --ready-cmd exclude each other');
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UserError(`--ready-port ${port}: a TCP port 1-65535`);
  if (argv['expect-exit'] !== undefined) throw new UserError('--expect-exit is for commands that run to their end; a server is stopped by syscribe');
  if (!(argv['stop-timeout'] >= 0)) throw new UserError(`--stop-timeout ${argv['stop-timeout']}: seconds, 0 or more`);
  return {
    ready: { ...(port !== undefined ? { port } : { cmd: splitCommand(String(readyCmd), '--ready-cmd') }), timeoutSec: argv['ready-timeout'] },
    probes,
    stopGraceSec: argv['stop-timeout'],
  };
}

/** The result as JSON: verdict, runs (exit status, first stderr lines), probes, denied calls. */
function toJson(r: VerifyResult, cmd: string[], profile: string, noNewPrivileges: boolean): unknown {
  const run = (x: VerifyResult['unconfined'] | undefined) => x && {
    exitCode: x.exitCode, timedOut: x.timedOut, ...(x.runtimeError ? { runtimeError: x.runtimeError } : {}),
    ...('endedBy' in x ? { endedBy: (x as { endedBy: string }).endedBy } : {}),
    stderr: firstLines(x.stderr, 10),
  };
  const probe = (p: NonNullable<VerifyResult['probes']>[number]['confined']) => p && {
    ok: p.ok, exitCode: p.exitCode ?? null, timedOut: p.timedOut, seconds: p.seconds, ...(p.error ? { error: p.error } : {}), stderr: firstLines(p.stderr, 5),
  };
  const ready = (s: NonNullable<VerifyResult['server']>['confined']) => s && { ready: s.ready.ready, seconds: s.ready.seconds, ...(s.ready.why ? { why: s.ready.why } : {}), exitedEarly: s.exitedEarly };
  return {
    verdict: r.verdict,
    reason: r.reason ?? null,
    command: cmd,
    profile,
    runtime: r.runtime,
    version: r.version,
    noNewPrivileges,
    denied: r.denied,
    warnings: r.warnings,
    unconfined: run(r.unconfined),
    confined: run(r.confined) ?? null,
    logged: run(r.logged) ?? null,
    ...(r.server ? {
      ready: { unconfined: ready(r.server.unconfined), confined: ready(r.server.confined) ?? null, logged: ready(r.server.logged) ?? null },
      probes: (r.probes ?? []).map((p) => ({ command: p.argv, unconfined: probe(p.unconfined) ?? null, confined: probe(p.confined) ?? null })),
    } : {}),
  };
}

const builder = (y: Argv) =>
  withTargetOptions(y)
    // The command's arguments are passed as written: yargs would turn 0xffffffffffffffff into 18446744073709552000.
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'parse-numbers': false })
    .positional('cmd', { type: 'string', array: true, describe: 'the command, after --' })
    .option('profile', { type: 'string', demandOption: true, describe: 'OCI JSON or SeccompProfile YAML' })
    .option('runtime', { choices: ['runc', 'crun'] as const, default: 'runc' as const, describe: 'OCI runtime' })
    .option('compare-output', { type: 'boolean', describe: 'Also require identical stdout (of the command, or of each probe)' })
    .option('timeout', { type: 'number', default: 60, describe: 'Seconds per run (server: per probe)' })
    .option('new-privileges', { type: 'boolean', describe: 'Give --no-new-privileges to run with process.noNewPrivileges true (restricted pods, --security-opt no-new-privileges); default false, as docker, podman and Kubernetes' })
    .option('expect-exit', { type: 'number', describe: 'The exit status the command has without the profile (default 0)' })
    .option('ready-port', { type: 'number', describe: 'CMD is a server: ready when 127.0.0.1:PORT accepts TCP connections' })
    .option('ready-cmd', { type: 'string', describe: 'CMD is a server: ready when this host command exits 0 (split like a shell, run without one)' })
    .option('ready-timeout', { type: 'number', default: 30, describe: 'Seconds to wait for the server to be ready' })
    .option('probe', { type: 'string', array: true, describe: 'A client command run on the host against the ready server (repeatable; split like a shell, run without one)' })
    .option('stop-timeout', { type: 'number', default: 10, describe: 'Seconds between SIGTERM and SIGKILL when the server is stopped' })
    .option('json', { type: 'boolean', describe: 'Print the result as JSON' })
    .example('$0 verify --profile app.json -- ./app --selftest', 'exit 0 if it behaves the same under the profile; 1 and the denied syscalls if not; 2 if it fails without the profile too')
    .example("$0 verify --profile nginx.json --ready-port 8080 --probe 'curl -fsS http://127.0.0.1:8080/' -- nginx -g 'daemon off;'", 'a server: wait for the port, probe it, stop it')
    .example('$0 verify --profile app.yaml --runtime crun --compare-output -- ./app --print-config', 'in crun; stdout must match too');

type Args = ArgsOf<typeof builder>;

export const verifyCommand = defineCommand({
  command: 'verify [cmd..]',
  describe: 'Run a command (or a server and probes) in a real OCI runtime with and without a profile, and compare',
  builder,
  handler: async (argv) => {
    const cmd = [...(argv.cmd ?? []), ...(argv['--'] ?? [])].map(String);
    if (!cmd.length) throw new UserError('name the command after -- (syscribe verify --profile P -- CMD ARGS...)');
    const server = serverOptions(argv);
    const loaded = await loadProfile(argv.profile, loadOptionsFrom(argv));
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const n of loaded.notes) process.stderr.write(`note: ${n}\n`);
    const r = await verifyProfile({
      profile: loaded.profile, cmd, runtime: argv.runtime, compareOutput: !!argv['compare-output'], timeoutSec: argv.timeout,
      noNewPrivileges: argv['new-privileges'] === false,
      ...(argv['expect-exit'] !== undefined ? { expectExit: argv['expect-exit'] } : {}),
      ...(server ? { server } : {}),
      name: flagFor,
    });
    const status = r.verdict === 'pass' ? 0 : r.verdict === 'fail' ? EXIT_FINDING : EXIT_USAGE;
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(toJson(r, cmd, argv.profile, argv['new-privileges'] === false), null, 2)}\n`);
      return status;
    }
    const out = (s: string) => process.stdout.write(`${s}\n`);
    const what = showArgv(cmd);
    const profile = escapeControl(argv.profile);
    if (r.verdict === 'pass') {
      if (server) {
        const ready = server.ready.port !== undefined ? `127.0.0.1:${server.ready.port} accepted connections` : 'the ready command succeeded';
        out(`pass: ${what}: ${ready} and ${server.probes.length} probe(s) succeeded with and without ${profile}${argv['compare-output'] ? ' (same stdout)' : ''}; no denial logged (${r.version})`);
      } else {
        out(`pass: ${what} exits ${r.unconfined.exitCode} with and without ${profile}${argv['compare-output'] ? ', same stdout' : ''} (${r.version})`);
      }
      for (const w of r.warnings) process.stderr.write(`warning: ${escapeControl(w)}\n`);
      return status;
    }
    if (r.verdict === 'cannot-verify') {
      out(`cannot verify: ${escapeControl(r.reason ?? '')} (${r.version})`);
      const err = firstLines(r.unconfined.stderr, 5);
      if (err.length) out(`stderr without the profile (first lines):\n${err.map((l) => `  ${l}`).join('\n')}`);
      // Some servers log to stdout only (redis): then its first lines say why.
      const so = err.length ? [] : firstLines(r.unconfined.stdout, 5);
      if (so.length) out(`stdout without the profile (first lines; stderr was empty):\n${so.map((l) => `  ${l}`).join('\n')}`);
      const bad = r.probes?.find((p) => p.unconfined && !p.unconfined.ok)?.unconfined;
      const perr = bad ? firstLines(bad.stderr, 5) : [];
      if (perr.length) out(`probe stderr (first lines):\n${perr.map((l) => `  ${l}`).join('\n')}`);
      return status;
    }
    out(`FAIL: ${escapeControl(r.reason ?? '')} (${r.version})`);
    if (r.denied.length) out(`denied syscalls: ${r.denied.join(' ')}`);
    for (const w of r.warnings) process.stderr.write(`warning: ${escapeControl(w)}\n`);
    const err = (r.confined?.stderr ?? '').trim().split('\n').filter((l) => l.trim()).slice(-3).map((l) => escapeControl(l.slice(0, 200)));
    if (err.length) out(`container stderr under the profile (last lines):\n${err.join('\n')}`);
    return status;
  },
});
