/**
 * Lines from a FIFO that another process (strace -o FIFO) writes, read in
 * batches. Reading it as a stream wakes the reader for every line strace
 * writes: on the benchmark workload that was ~400 000 thread-pool reads, and
 * the context switches cost the traced program 35 % more time than strace
 * writing to /dev/null. Here the FIFO is opened non-blocking and drained with
 * plain reads every `intervalMs`: a wake-up takes whatever accumulated (the
 * pipe holds 64 KiB; strace only waits if it writes faster than that per
 * interval). strace writes in bursts (a wave of execs with their
 * environments): at 5 ms, 5–15 % of the looks on the bench workload found the
 * pipe half full or more, i.e. strace had likely been stopped on a full pipe.
 * So after a look that found 16 KiB or more, the next look comes after 1 ms;
 * a quiet writer is still looked at every `intervalMs`.
 *
 * A write end of our own is held open until `writerDone` settles, so the read
 * side sees no end-of-file before the writer has opened the FIFO, nor while
 * it runs; then it is closed, and the rest is read up to end-of-file. When
 * `writerDone` settles the wait in progress ends at once: the last lines are
 * read without waiting out the interval (record's fixed cost).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { type LineHandler, LineSplitter } from './split-lines.js';

/** Bytes per look that make the next look come after BUSY_MS instead of the interval. */
const BUSY_BYTES = 16 << 10;
const BUSY_MS = 1;

export async function eachLineOfFifo(path: string, onLine: LineHandler, writerDone: Promise<unknown>, intervalMs = 5): Promise<void> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let own = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  let finished = false;
  let wake: (() => void) | undefined;
  const finish = () => {
    finished = true;
    wake?.();
  };
  void writerDone.then(finish, finish);
  const splitter = new LineSplitter(onLine);
  const buf = Buffer.allocUnsafe(1 << 16);
  try {
    for (;;) {
      // Drain what is there now.
      let drained = 0;
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
        if (n === 0) return; // end of file: every writer, ours too, has closed
        drained += n;
        splitter.push(buf.subarray(0, n));
      }
      if (finished && own >= 0) {
        closeSync(own); // the writer is gone and its data read: the next empty read is end-of-file
        own = -1;
        continue;
      }
      // A busy writer (a quarter of the pipe or more since the last look) is looked at again sooner: a
      // full pipe stops it until the next read.
      const wait = drained >= BUSY_BYTES ? Math.min(intervalMs, BUSY_MS) : intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    if (own >= 0) closeSync(own);
    closeSync(fd);
    splitter.end();
  }
}
