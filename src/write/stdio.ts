/**
 * Errors writing our own stdout/stderr, for every command.
 *
 * - stdout closed by the reader (EPIPE: `syscribe … | head -1`): stop at once,
 *   quietly, with exit 141 (128 + SIGPIPE, what a shell shows for `cat` killed
 *   by SIGPIPE in the same place; Node ignores SIGPIPE, so we cannot die of it).
 * - any other stdout error (ENOSPC: stdout is /dev/full, EIO, …): one line on
 *   stderr, exit 2.
 * - stderr errors: there is nowhere left to report them; the command goes on
 *   and its exit code says how it ended.
 */
import { EXIT_USAGE } from '../errors.js';
import { errnoText } from './output.js';

/** Exit code when stdout's reader went away. */
export const EXIT_PIPE = 141;

/** stdout failed: end the process now (what is left to do would only write more into the void). */
export function stdoutFailed(e: unknown): never {
  if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(EXIT_PIPE);
  try {
    process.stderr.write(`syscribe: cannot write to stdout: ${errnoText(e)}\n`);
  } catch {
    // stderr is gone too
  }
  process.exit(EXIT_USAGE);
}

/** Write to stdout and wait until it is written (a failure ends the process, as above), so nothing is reported as done before it is. */
export function writeStdout(data: string | Buffer): Promise<void> {
  return new Promise<void>((ok) => process.stdout.write(data, (e) => (e ? stdoutFailed(e) : ok())));
}

let guarded = false;

/** Install the handlers (once per process). */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', stdoutFailed);
  process.stderr.on('error', () => undefined);
}
