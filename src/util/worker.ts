/**
 * One job in a worker thread: start `module` (a compiled .js file next to its
 * caller, e.g. new URL('./strace-range-worker.js', import.meta.url)) with
 * `data` as workerData, resolve with the one message it posts. The worker
 * module calls workerReply(fn) to compute and post its answer.
 *
 * Values cross by structured clone (Maps, Sets, bigint and Error survive).
 * An error thrown in the worker rejects with that error (its class name and
 * message kept, so a UserError still reads as one line). node:worker_threads
 * is loaded only when a command parses in parallel (start-up cost).
 */
import { UserError } from '../errors.js';

export async function runInWorker<T>(module: URL, data: unknown): Promise<T> {
  const { Worker } = await import('node:worker_threads');
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(module, { workerData: data });
    let settled = false;
    w.once('message', (m: { ok: true; value: T } | { ok: false; error: { name: string; message: string; exitCode?: number; stack?: string } }) => {
      settled = true;
      if (m.ok) resolve(m.value);
      else reject(revive(m.error));
      void w.terminate();
    });
    w.once('error', (e) => {
      settled = true;
      reject(e);
    });
    w.once('exit', (code) => {
      if (!settled) reject(new Error(`worker ${module.pathname} exited with ${code} before answering`));
    });
  });
}

/** A worker's UserError is a UserError here too (one line, its exit code); anything else stays an unexpected error. */
function revive(e: { name: string; message: string; exitCode?: number; stack?: string }): Error {
  const err = e.name === 'UserError' && e.exitCode !== undefined ? new UserError(e.message, e.exitCode) : new Error(e.message);
  if (!(err instanceof UserError)) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** In a worker module: run `fn(workerData)` and post its value (or its error) to the parent. */
export async function workerReply<T>(fn: (data: never) => Promise<T> | T): Promise<void> {
  const { parentPort, workerData } = await import('node:worker_threads');
  if (!parentPort) throw new Error('workerReply() outside a worker thread');
  try {
    parentPort.postMessage({ ok: true, value: await fn(workerData as never) });
  } catch (e) {
    const err = e as Error & { exitCode?: number };
    parentPort.postMessage({ ok: false, error: { name: err.name, message: err.message, exitCode: err.exitCode, stack: err.stack } });
  }
}
