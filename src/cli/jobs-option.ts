import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { UserError } from '../errors.js';

/** Parallel parsing is worth a worker's start-up (~30 ms, one more heap) only from this input size. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** `--jobs N`: how many threads parse one regular file (1 = a single pass). Shared by strace and audit. */
export function withJobsOption<T>(y: Argv<T>) {
  return y.option('jobs', {
    alias: 'j',
    type: 'string',
    describe: `Threads that parse one large regular file in byte ranges (auto: the cores, at most 4, for files over ${PARALLEL_MIN_BYTES >> 20} MB; 1: one pass). stdin, pipes, gzip and --follow are always one pass`,
    default: 'auto',
  });
}

/** The number of parsers: `auto` → the cores (at most 4); a positive integer as given. */
export function jobsFrom(value: string | undefined): number {
  if (value === undefined || value === 'auto') return Math.max(1, Math.min(4, availableParallelism()));
  if (!/^[1-9][0-9]{0,2}$/.test(value)) throw new UserError(`--jobs ${value}: a number of threads (1, 2, …) or auto`);
  return Number(value);
}
