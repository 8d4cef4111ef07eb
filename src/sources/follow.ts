/**
 * Follow a growing log file like `tail -F`: start at its end (or its start),
 * survive rotation (rename + new file: the old file is read to its end, then
 * the new one from its start), truncation (copytruncate: read again from 0),
 * and a file that does not exist yet (wait for it).
 *
 * Implemented as a stat poll on the path plus positional reads, not with the
 * `tail` package: tail@2 follows the *renamed* file after a rotation and
 * drops queued reads on unwatch, so audit.log rotation would lose records.
 * A poll every 100 ms costs one stat(2) and keeps latency low.
 *
 * Truncation is told by more than the size: copytruncate followed by a burst
 * of appends can make the file longer than the old offset again between two
 * polls. Like `tail -F` implementations, each poll also compares a
 * fingerprint — the FP bytes just before the offset and the FP bytes at the
 * file's head, as read — with the file; if either changed, the file was
 * replaced in place and is read again from its start. NUL bytes at the start
 * of a (re-)read file (the hole a writer that kept its offset leaves) are
 * skipped.
 */
import { promises as fsp } from 'node:fs';
import { describeOpenError, followStream, isStreamInput } from './lines.js';
import { LineSplitter } from './split-lines.js';

export interface FollowOptions {
  fromStart?: boolean;
  /** Poll interval in ms (default 100). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Rotation / truncation / waiting notices (for stderr). */
  onNotice?: (msg: string) => void;
  /**
   * Resume where a previous run stopped (restart-safe agents): when the file
   * at `path` is still that file (same inode and device, not shorter), read
   * from `pos`; when it was rotated meanwhile and `<path>.1` is that file,
   * read the rest of `<path>.1` first, then `path` from its start. Otherwise
   * `path` is read from its start (with a notice).
   */
  resume?: FollowPosition;
  /** Called after each read with the position just past the last complete line delivered. */
  onCheckpoint?: (p: FollowPosition) => void;
}

/** Where a follower stands in a file: everything before `pos` was delivered as complete lines. */
export interface FollowPosition {
  ino: number;
  dev: number;
  pos: number;
}

export type FollowLineHandler = (line: string, lineNo: number) => void;

const CHUNK = 1 << 16;
/** Fingerprint size (bytes before the offset, and at the head). */
const FP = 64;

/** Follow `path` until `signal` aborts; resolves then (after delivering what was read). */
export async function followFile(path: string, onLine: FollowLineHandler, opts: FollowOptions = {}): Promise<void> {
  // stdin ('-'), a pipe or a FIFO: read it as it comes, to its end.
  if (await isStreamInput(path)) return followStream(path, onLine, opts.signal);
  const pollMs = opts.pollMs ?? 100;
  const notice = opts.onNotice ?? (() => undefined);
  let fh: fsp.FileHandle | undefined;
  let ino = -1;
  let dev = -1;
  let pos = 0;
  let first = true;
  let waiting = false;
  const buf = Buffer.alloc(CHUNK);
  const splitter = new LineSplitter(onLine);
  /** The FP bytes before pos and at the head of the file, as last read (shorter near the start). */
  let tail: Buffer = Buffer.alloc(0);
  let head: Buffer = Buffer.alloc(0);
  /** At the start of the file's content: skip a NUL hole. */
  let skipNul = false;

  /** Read `len` bytes at `at` (fewer at the end of the file). */
  const readAt = async (at: number, len: number): Promise<Buffer> => {
    const b = Buffer.alloc(len);
    const { bytesRead } = await fh!.read(b, 0, len, at);
    return b.subarray(0, bytesRead);
  };

  /** Remember the fingerprint of what was read up to pos. */
  const remember = async (): Promise<void> => {
    const n = Math.min(FP, pos);
    tail = n > 0 ? await readAt(pos - n, n) : Buffer.alloc(0);
    head = pos > 0 ? await readAt(0, Math.min(FP, pos)) : Buffer.alloc(0);
  };

  /** Has the content up to pos been replaced (copytruncate, then appends), though the file is not shorter? */
  const replaced = async (): Promise<boolean> => {
    if (pos === 0) return false;
    if (tail.length > 0 && !(await readAt(pos - tail.length, tail.length)).equals(tail)) return true;
    return head.length > 0 && !(await readAt(0, head.length)).equals(head);
  };

  /** Read from pos to the current end of the open file. */
  const drain = async (): Promise<void> => {
    if (!fh) return;
    let read = false;
    let lineEnd = -1;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead <= 0) break;
      read = true;
      const nl = buf.lastIndexOf(0x0a, bytesRead - 1);
      const at = pos;
      pos += bytesRead;
      let from = 0;
      if (skipNul) {
        while (from < bytesRead && buf[from] === 0) from++;
        if (from < bytesRead) skipNul = false;
      }
      if (from < bytesRead) splitter.push(buf.subarray(from, bytesRead));
      // push() delivered every line it completed: all bytes up to the last newline are delivered.
      if (nl >= 0) lineEnd = at + nl + 1;
      if (nl >= 0) opts.onCheckpoint?.({ ino, dev, pos: lineEnd });
    }
    if (read) await remember();
  };

  /** A file ended (rotated away, truncated, or we stop): its last line counts even without a newline. */
  const flushPartial = (): void => splitter.end();

  const closeCurrent = async (): Promise<void> => {
    if (fh) await fh.close().catch(() => undefined);
    fh = undefined;
  };

  /** The position to start `path` at when resuming (after reading the rest of the rotated file, if that is where we were). */
  const resumeAt = async (r: FollowPosition, st: { ino: number; dev: number; size: number }): Promise<number> => {
    if (st.ino === r.ino && st.dev === r.dev) {
      if (st.size >= r.pos) return r.pos;
      notice(`${path}: shorter than where the last run stopped (truncated): reading from its start`);
      return 0;
    }
    const rotated = `${path}.1`;
    const old = await fsp.stat(rotated).catch(() => undefined);
    if (old && old.ino === r.ino && old.dev === r.dev && old.size >= r.pos) {
      notice(`${path}: rotated since the last run: reading the rest of ${rotated}, then the new file`);
      const keep = { fh, ino, dev, pos };
      fh = await fsp.open(rotated, 'r');
      ino = old.ino;
      dev = old.dev;
      pos = r.pos;
      try {
        await drain();
        flushPartial();
      } finally {
        await closeCurrent();
        ({ fh, ino, dev, pos } = keep);
      }
    } else notice(`${path}: not the file the last run read (and ${rotated} is not it either): reading ${path} from its start`);
    return 0;
  };

  const tick = async (): Promise<void> => {
    let st;
    try {
      st = await fsp.stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw describeOpenError(path, e as NodeJS.ErrnoException);
      // Gone (between rename and re-creation) or not there yet.
      if (fh) await drain();
      if (!waiting) notice(`${path}: waiting for the file to appear`);
      waiting = true;
      first = false;
      return;
    }
    if (!fh || st.ino !== ino || st.dev !== dev) {
      if (fh) {
        // Rotated: finish the old file, then start the new one at 0.
        await drain();
        flushPartial();
        await closeCurrent();
        notice(`${path}: rotated, reading the new file`);
      } else if (waiting) notice(`${path}: appeared`);
      try {
        fh = await fsp.open(path, 'r');
      } catch (e) {
        throw describeOpenError(path, e as NodeJS.ErrnoException);
      }
      ino = st.ino;
      dev = st.dev;
      pos = first && !opts.fromStart ? st.size : 0;
      if (first && opts.resume) pos = await resumeAt(opts.resume, st);
      skipNul = pos === 0;
      first = false;
      waiting = false;
      await remember();
      // Where this file is taken up (its end, its start, or the resumed position): a restart resumes here even if no line comes.
      opts.onCheckpoint?.({ ino, dev, pos });
    } else if (st.size < pos || (await replaced())) {
      notice(`${path}: truncated, reading from its start`);
      flushPartial();
      pos = 0;
      skipNul = true;
      tail = head = Buffer.alloc(0);
    }
    await drain();
  };

  try {
    while (!opts.signal?.aborted) {
      await tick();
      if (opts.signal?.aborted) break;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => { clearTimeout(t); resolve(); };
        const t = setTimeout(() => { opts.signal?.removeEventListener('abort', onAbort); resolve(); }, pollMs);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    // Deliver what is there at the moment we stop.
    try {
      await tick();
    } catch {
      /* best effort */
    }
    flushPartial();
  } finally {
    await closeCurrent();
  }
}
