/**
 * The in-process CLI harness: syscribe's main() with stdout and stderr captured.
 * No child process (no node start-up per call), the same code path as bin/syscribe.js
 * (argv → yargs → command → exit code). `extra` adds command modules (a test's own).
 * Calls must not overlap (they share process.stdout/stderr): await each one.
 */
import type { StatusCommand } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';

export interface CliRun { code: number; out: string; err: string }

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runCli(argv: string[], extra: StatusCommand<any>[] = []): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const saved = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    const code = await main(argv, [...commands, ...extra]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = saved;
  }
}
