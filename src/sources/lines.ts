/**
 * Sources → lines. Files (plain or gzip, detected by magic bytes), stdin, and
 * any readable stream (a child's stdout) become a stream of lines, one
 * callback per line, CR of CRLF removed (split-lines.ts). Nothing is held in
 * memory beyond the current chunk; a last line without a newline is still
 * delivered. Files are read in 1 MiB reads (fewer thread-pool round trips).
 */
import { promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { EXIT_USAGE, UserError } from '../errors.js';
import { type LineHandler, LineSplitter } from './split-lines.js';

export type { LineHandler } from './split-lines.js';

/** Explain a file-open error in one line. */
export function describeOpenError(path: string, e: NodeJS.ErrnoException): UserError {
  switch (e.code) {
    case 'ENOENT':
      return new UserError(`${path}: no such file`, EXIT_USAGE, { cause: e });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${path}: permission denied${path.startsWith('/var/log/audit') ? ' (audit.log is readable by root only: run with sudo)' : ''}`, EXIT_USAGE, { cause: e });
    case 'EISDIR':
      return new UserError(`${path}: is a directory`, EXIT_USAGE, { cause: e });
    default:
      return new UserError(`${path}: ${e.message}`, EXIT_USAGE, { cause: e });
  }
}

/** Open a regular file for reading; clear one-line errors for missing, unreadable or directory paths. */
export async function openFile(path: string): Promise<fsp.FileHandle> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, 'r');
  } catch (e) {
    throw describeOpenError(path, e as NodeJS.ErrnoException);
  }
  if ((await fh.stat()).isDirectory()) {
    await fh.close();
    throw describeOpenError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  }
  return fh;
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
export async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await openFile(path);
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Open a path ('-' = stdin) as a byte stream, gunzipping .gz content transparently. */
export async function openInput(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  const fh = await openFile(path);
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    const raw = fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: true });
    if (!isGzip(magic.subarray(0, bytesRead))) return raw;
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Feed every line of a byte stream to `onLine`. Resolves at end of stream;
 * rejects (and stops reading) when the stream fails or `onLine` throws.
 */
export async function eachLine(input: Readable, onLine: LineHandler): Promise<void> {
  const splitter = new LineSplitter(onLine);
  // An early exit (onLine throws) destroys the stream: for-await calls return() on it.
  for await (const chunk of input) splitter.push(chunk as Buffer | string);
  splitter.end();
}

/** Open a path and feed its lines. */
export async function eachLineOfFile(path: string, onLine: LineHandler): Promise<void> {
  const input = await openInput(path);
  try {
    await eachLine(input, onLine);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code && !(err instanceof UserError)) throw describeOpenError(path, err);
    throw e;
  }
}

/** A stream that is a string's bytes (tests, small inputs). */
export function stringStream(s: string): Readable {
  const p = new PassThrough();
  p.end(s);
  return p;
}
