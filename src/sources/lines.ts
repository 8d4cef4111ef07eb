/**
 * Sources → lines. Files (plain or gzip, detected by magic bytes), stdin, and
 * any readable stream (a child's stdout) become a stream of lines, one
 * callback per line, CR of CRLF removed (split-lines.ts). Nothing is held in
 * memory beyond the current chunk; a last line without a newline is still
 * delivered. Files are read in 1 MiB reads (fewer thread-pool round trips).
 * Stdin and other non-seekable inputs are read once, as streams (see Held).
 */
import { promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { EXIT_USAGE, UserError } from '../errors.js';
import { type BytesHandler, type LineHandler, LineSplitter } from './split-lines.js';
import type { Progress } from './progress.js';

export type { BytesHandler, LineHandler } from './split-lines.js';

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

/**
 * Inputs that cannot seek or be read twice: stdin ('-') and any path that is
 * not a regular file (/dev/stdin, a FIFO, /proc/self/fd/N). Such an input is
 * opened once; the bytes read to look at its start (gzip magic, "is this a
 * profile?") are kept and handed out again in front of the rest when the
 * input is read, so nothing is read at a position and nothing twice.
 */
interface Held {
  chunks: Buffer[];
  length: number;
  rest: Readable;
  ended: boolean;
  taken: boolean;
}
const held = new Map<string, Held>();

/** The name of an input in messages: `-` is stdin. */
export function inputLabel(path: string): string {
  return path === '-' ? 'stdin (-)' : path;
}

/** Opened as a stream, not read at positions: '-' and every path that is not a regular file. */
async function holdIfStream(path: string): Promise<Held | undefined> {
  const h = held.get(path);
  if (h) return h;
  let rest: Readable;
  if (path === '-') {
    rest = process.stdin;
    if (process.stdin.isTTY) process.stderr.write('reading stdin (-) from the terminal; end with Ctrl-D\n');
  } else {
    const fh = await openFile(path);
    if ((await fh.stat()).isFile()) {
      await fh.close();
      return undefined;
    }
    // No `start`: plain read(2), never pread (a pipe answers ESPIPE to that).
    rest = fh.createReadStream({ highWaterMark: 1 << 20, autoClose: true });
  }
  const entry: Held = { chunks: [], length: 0, rest, ended: false, taken: false };
  held.set(path, entry);
  return entry;
}

/** Read from a held stream until `bytes` are held or it ends. */
function fill(h: Held, bytes: number, path: string): Promise<void> {
  if (h.ended || h.length >= bytes) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = h.rest;
    const cleanup = (): void => {
      s.off('readable', onReadable);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    const onEnd = (): void => {
      h.ended = true;
      cleanup();
      resolve();
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(describeOpenError(path, e as NodeJS.ErrnoException));
    };
    const onReadable = (): void => {
      let c: Buffer | string | null;
      while ((c = s.read() as Buffer | string | null) !== null) {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        h.chunks.push(b);
        h.length += b.length;
        if (h.length >= bytes) {
          cleanup();
          resolve();
          return;
        }
      }
    };
    s.on('readable', onReadable);
    s.on('end', onEnd);
    s.on('error', onError);
    onReadable();
  });
}

/** The first `bytes` bytes of a file or stream (fewer when it is shorter); a stream keeps them for openInput. */
export async function readHead(path: string, bytes: number): Promise<Buffer> {
  const h = await holdIfStream(path);
  if (h) {
    if (h.taken) throw new UserError(`${inputLabel(path)}: can be read once only`);
    await fill(h, bytes, path);
    const all = h.chunks.length === 1 ? h.chunks[0]! : Buffer.concat(h.chunks);
    return all.subarray(0, bytes);
  }
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

/** The held head bytes, then the rest of the stream (piped, so destroying the result stops the source at once). */
function replay(h: Held): Readable {
  if (!h.chunks.length && !h.ended) return h.rest;
  const { chunks, rest, ended } = h;
  h.chunks = [];
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  for (const c of chunks) out.write(c);
  if (ended) out.end();
  else {
    rest.on('error', (e) => out.destroy(e));
    rest.pipe(out);
    // Stopped early (destroyed): stop reading the source too (stdin would keep the process alive).
    out.once('close', () => {
      if (!rest.readableEnded) rest.destroy();
    });
  }
  return out;
}

/** Open a stream input once: its held head, then the rest; gunzipped when it starts with gzip magic. */
async function takeStream(path: string, h: Held): Promise<Readable> {
  if (h.taken) throw new UserError(`${inputLabel(path)}: can be read once only`);
  await fill(h, 2, path);
  h.taken = true;
  const gz = isGzip(h.chunks.length === 1 ? h.chunks[0]! : Buffer.concat(h.chunks));
  const raw = replay(h);
  if (!gz) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  gunzip.once('close', () => raw.destroy());
  return raw.pipe(gunzip);
}

/**
 * Open a path ('-' = stdin) as a byte stream, gunzipping gzip content
 * transparently. Regular files are read in 1 MiB reads from offset 0; stdin,
 * pipes, FIFOs and devices are read as streams, once.
 */
export async function openInput(path: string): Promise<Readable> {
  return (await openInputParts(path)).stream;
}

/** openInput, and the file stream itself (its bytesRead counts bytes before gunzip) when it is a regular file. */
async function openInputParts(path: string): Promise<{ stream: Readable; raw?: { bytesRead: number } }> {
  const h = await holdIfStream(path);
  if (h) return { stream: await takeStream(path, h) };
  const fh = await openFile(path);
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    const raw = fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: true });
    if (!isGzip(magic.subarray(0, bytesRead))) return { stream: raw, raw };
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return { stream: raw.pipe(gunzip), raw };
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}

/** Open a path ('-' = stdin) as its raw bytes (no gunzip), for readers of small whole files (profiles). Stream inputs are read once. */
export async function openRawInput(path: string): Promise<Readable> {
  const h = await holdIfStream(path);
  if (h) {
    if (h.taken) throw new UserError(`${inputLabel(path)}: can be read once only`);
    h.taken = true;
    return replay(h);
  }
  const fh = await openFile(path);
  return fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: true });
}

/** Told after each chunk: its length in bytes and the lines delivered so far. */
export type ChunkHandler = (bytes: number, lines: number) => void;

/**
 * Feed every line of a byte stream to `onLine`. Resolves at end of stream;
 * rejects (and stops reading) when the stream fails or `onLine` throws.
 */
export async function eachLine(input: Readable, onLine: LineHandler, onChunk?: ChunkHandler, onBytes?: BytesHandler): Promise<void> {
  const splitter = new LineSplitter(onLine, false, onBytes);
  // An early exit (onLine throws) destroys the stream: for-await calls return() on it.
  for await (const chunk of input) {
    splitter.push(chunk as Buffer | string);
    onChunk?.((chunk as Buffer | string).length, splitter.lines);
  }
  splitter.end();
}

/** Open a path and feed its lines; `progress` (a terminal's progress line) is told the bytes read from the path; `onBytes`: a byte lane (split-lines.ts). */
export async function eachLineOfFile(path: string, onLine: LineHandler, progress?: Progress, onBytes?: BytesHandler): Promise<void> {
  const { stream: input, raw } = await openInputParts(path);
  let seen = 0;
  progress?.nextInput();
  try {
    await eachLine(input, onLine, progress && ((bytes, lines) => progress.update(raw ? raw.bytesRead : (seen += bytes), lines)), onBytes);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code && !(err instanceof UserError)) throw describeOpenError(path, err);
    throw e;
  }
}

/** Is `path` read as a stream (stdin, a pipe, a FIFO, a device) rather than a regular file? */
export async function isStreamInput(path: string): Promise<boolean> {
  if (path === '-' || held.has(path)) return true;
  try {
    const st = await fsp.stat(path);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Follow a stream input (`dmesg -w | syscribe audit --follow -`): every line
 * until it ends or `signal` aborts. A stream has no rotation or truncation.
 */
export async function followStream(path: string, onLine: LineHandler, signal?: AbortSignal): Promise<void> {
  const input = await openInput(path);
  const stop = (): void => {
    input.destroy();
  };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await eachLine(input, onLine);
  } catch (e) {
    if (!signal?.aborted) throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** A stream that is a string's bytes (tests, small inputs). */
export function stringStream(s: string): Readable {
  const p = new PassThrough();
  p.end(s);
  return p;
}
