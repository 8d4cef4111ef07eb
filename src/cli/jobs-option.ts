import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { UserError } from '../errors.js';

/** Parallel parsing is worth a worker's start-up (~30 ms, one more heap) only from this input size. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** What `auto` means for a command: its threads, and the words --help uses for it. */
export interface JobsAuto {
  jobs: () => number;
  says: string;
}

/** audit: the cores, at most 4 (`npm run bench`: 1.33–1.56 × faster at 2 threads on 2 cores). */
export const AUTO_CORES: JobsAuto = {
  jobs: () => Math.max(1, Math.min(4, availableParallelism())),
  says: `the cores, at most 4, for files over ${PARALLEL_MIN_BYTES >> 20} MB`,
};

/** strace: one pass (with the byte lane, 2 threads measured 0.89 × one thread's speed on 2 cores: `npm run bench`). */
export const AUTO_ONE: JobsAuto = { jobs: () => 1, says: 'one pass: on the 2-core machine measured, 2 threads were slower than one' };

/** `--jobs N`: how many threads parse one regular file (1 = a single pass). Shared by strace and audit. */
export function withJobsOption<T>(y: Argv<T>, auto: JobsAuto) {
  return y.option('jobs', {
    alias: 'j',
    type: 'string',
    describe: `Threads that parse one large regular file (over ${PARALLEL_MIN_BYTES >> 20} MB) in byte ranges (auto: ${auto.says}; 1: one pass). stdin, pipes, gzip and --follow are always one pass`,
    default: 'auto',
  });
}

/** The number of parsers: `auto` → what the command's `auto` means; a positive integer as given. */
export function jobsFrom(value: string | undefined, auto: JobsAuto): number {
  if (value === undefined || value === 'auto') return auto.jobs();
  if (!/^[1-9][0-9]{0,2}$/.test(value)) throw new UserError(`--jobs ${value}: a number of threads (1, 2, …) or auto`);
  return Number(value);
}
