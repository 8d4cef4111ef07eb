/**
 * The two ways a test drives syscribe's CLI.
 *
 * - runCli(argv): in-process. syscribe's main() with stdout and stderr captured: no child process
 *   (no node start-up per call), the TypeScript sources themselves, the same code path as
 *   bin/syscribe.js (argv → yargs → command → exit code). `extra` adds command modules (a test's
 *   own); `cwd`/`env` are set for the call and restored after. Calls must not overlap (they share
 *   process.stdout/stderr, cwd and env): await each one. The default.
 * - spawnCli(argv, opts): `node bin/syscribe.js` as a child process, for what only a separate
 *   process shows: signals, stdin pipes/FIFOs, EPIPE/exit 141, a terminal, the real binary's exit
 *   code when the process dies, start-up cost and modules loaded, peak RSS, several processes at
 *   once, follow loops that are stopped or killed from outside. Each caller says why it spawns.
 *   It runs dist/, which test/helpers/build.ts (vitest globalSetup) compiles before any test runs:
 *   a spawned test cannot see stale code.
 */
import { execa, type Options, type ResultPromise } from 'execa';
import type { CommandModule } from 'yargs';
import { commands } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';

export interface CliRun { code: number; out: string; err: string }

export interface RunOptions {
  /** The working directory during the call (process.chdir; vitest's forks pool allows it). */
  cwd?: string;
  /** Variables set (a string) or removed (undefined) during the call. */
  env?: Record<string, string | undefined>;
}

type Write = typeof process.stdout.write;

/** A stand-in for stream.write that keeps the text and calls the callback (writeStdout waits for it). */
function capture(into: string[]): Write {
  return ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as Write;
}

let busy = false;

export async function runCli(argv: string[], extra: CommandModule<object, object>[] = [], opts: RunOptions = {}): Promise<CliRun> {
  if (busy) throw new Error('runCli: calls overlap (they share stdout, stderr, cwd and env): await each one');
  busy = true;
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const saved = process.exitCode;
  const cwd = process.cwd();
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    env[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (opts.cwd !== undefined) process.chdir(opts.cwd);
  process.exitCode = undefined;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    // Without extra commands, main() gets the registry itself: the same path as bin/ (its fast path included).
    const code = await main(argv, extra.length > 0 ? [...commands, ...extra] : commands);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = saved;
    process.chdir(cwd);
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    busy = false;
  }
}

/** bin/syscribe.js, the real entry point (it runs dist/); SYSCRIBE_BIN=/old/checkout/bin/syscribe.js runs another build's. */
export const BIN = process.env.SYSCRIBE_BIN ?? new URL('../../bin/syscribe.js', import.meta.url).pathname;

export interface SpawnOptions {
  /** stdin: text or bytes written to a pipe; 'pipe' (write it yourself), 'ignore', a file descriptor; default 'ignore'. */
  stdin?: string | Uint8Array | 'pipe' | 'ignore' | number;
  /** stdout/stderr: 'pipe' (default: collected), 'ignore', 'inherit' or a file descriptor. */
  stdout?: 'pipe' | 'ignore' | 'inherit' | number;
  stderr?: 'pipe' | 'ignore' | 'inherit' | number;
  /** Added to the environment (or, with onlyEnv, the whole of it). */
  env?: Record<string, string>;
  /** `env` is the child's whole environment (a recorded program's as in a container: no $PWD). */
  onlyEnv?: boolean;
  cwd?: string;
  /** Killed (SIGTERM) when it aborts. */
  signal?: AbortSignal;
  /** Killed (SIGKILL) after this many ms. */
  timeout?: number;
  /** Its own process group (to signal the group). */
  detached?: boolean;
  /** Options for node itself, before the script (e.g. --import a hook). */
  node?: string[];
  /**
   * A command the node process runs under: a terminal (`['python3', 'test/helpers/pty-run.py', …]`),
   * another user (`['setpriv', '--reuid=65534', …]`).
   */
  via?: string[];
}

/** Result: execa's (exitCode, signal, stdout, stderr as text; never rejects on a failed exit). */
export type CliChild = ResultPromise<{ reject: false; encoding: 'utf8'; stripFinalNewline: false }>;

export function spawnCli(argv: string[], opts: SpawnOptions = {}): CliChild {
  const cmd = [...(opts.via ?? []), process.execPath, ...(opts.node ?? []), BIN, ...argv];
  const input = typeof opts.stdin === 'string' || opts.stdin instanceof Uint8Array ? opts.stdin : undefined;
  const o: Options = {
    reject: false,
    encoding: 'utf8',
    stripFinalNewline: false,
    maxBuffer: 256 << 20,
    ...(input !== undefined ? { input } : { stdin: ((opts.stdin as 'pipe' | 'ignore' | number | undefined) ?? 'ignore') as 'pipe' }),
    // a file descriptor number works at run time; execa's types do not list it
    stdout: (opts.stdout ?? 'pipe') as 'pipe',
    stderr: (opts.stderr ?? 'pipe') as 'pipe',
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.onlyEnv ? { extendEnv: false } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
    ...(opts.detached ? { detached: true } : {}),
  };
  return execa(cmd[0]!, cmd.slice(1), o) as unknown as CliChild;
}
