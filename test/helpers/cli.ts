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
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { format } from 'node:util';
import type { StatusCommand } from '../../src/cli/command.js';
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runCli(argv: string[], extra: StatusCommand<any>[] = [], opts: RunOptions = {}): Promise<CliRun> {
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
  // yargs prints --help with console.log; vitest's console is not process.stdout.
  const con = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  console.log = console.info = (...a: unknown[]) => { out.push(`${format(...a)}\n`); };
  console.warn = console.error = (...a: unknown[]) => { err.push(`${format(...a)}\n`); };
  try {
    // Without extra commands, main() gets the registry itself: the same path as bin/ (its fast path included).
    const code = await main(argv, extra.length > 0 ? [...commands, ...extra] : commands);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    Object.assign(console, con);
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
  /** stdin: text or bytes written to a pipe (then closed); 'pipe' (write it yourself), 'ignore', a file descriptor; default 'ignore'. (So the text 'pipe' or 'ignore' cannot be given as input.) */
  stdin?: string | Uint8Array | 'pipe' | 'ignore' | number;
  /** stdout/stderr: 'pipe' (default: collected, and readable as it comes), 'ignore', 'inherit' or a file descriptor. */
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
   * another user (`['setpriv', '--reuid=65534', …]`), the right end of a shell pipeline.
   */
  via?: string[];
}

/** How the process ended and what it wrote (all of it, as text). */
export interface CliResult {
  /** null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The running process (node's ChildProcess: kill, pid, exitCode, events, its stdio streams when
 * piped) that is also a promise of its CliResult (never rejected for how it ended).
 */
export type CliChild = Omit<ChildProcess, 'stdin' | 'stdout' | 'stderr'> & {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
} & PromiseLike<CliResult>;

export function spawnCli(argv: string[], opts: SpawnOptions = {}): CliChild {
  const cmd = [...(opts.via ?? []), process.execPath, ...(opts.node ?? []), BIN, ...argv];
  const input = opts.stdin instanceof Uint8Array || (typeof opts.stdin === 'string' && opts.stdin !== 'pipe' && opts.stdin !== 'ignore') ? opts.stdin : undefined;
  const env = opts.onlyEnv ? { ...opts.env } : { ...process.env, ...opts.env };
  const child = spawn(cmd[0]!, cmd.slice(1), {
    cwd: opts.cwd,
    env,
    detached: opts.detached ?? false,
    stdio: [input !== undefined ? 'pipe' : (opts.stdin as 'pipe' | 'ignore' | number | undefined) ?? 'ignore', opts.stdout ?? 'pipe', opts.stderr ?? 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  child.stdin?.on('error', () => undefined); // it may exit before reading its input (EPIPE)
  if (input !== undefined) child.stdin!.end(input);
  const timer = opts.timeout ? setTimeout(() => child.kill('SIGKILL'), opts.timeout) : undefined;
  const abort = (): void => { child.kill('SIGTERM'); };
  opts.signal?.addEventListener('abort', abort, { once: true });
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject); // it could not be started
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', abort);
      resolve({ exitCode: code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
  return Object.assign(child, { then: result.then.bind(result) }) as unknown as CliChild;
}
