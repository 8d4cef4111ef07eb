/**
 * The one place that writes outputs (`-o` of every command, --split-by files,
 * --follow rewrites, install, runtime-base --save).
 *
 * What is at the target decides how it is written:
 * - a regular file, or nothing: a temp file next to it, fsync, rename over it
 *   (a crash leaves the old file or the new one, never half of one). An
 *   existing file keeps its mode, owner and group. A file with several hard
 *   links is written in place instead (a rename would cut it off from its
 *   other names), as is a file whose directory we may not write or whose owner
 *   we cannot keep.
 * - a symlink: the file it points to is written by these rules (the temp file
 *   goes next to the target, the link stays).
 * - a character or block device, a FIFO, a socket: opened (connected) and
 *   written as a stream; no temp file, no rename.
 * - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: written to our own fd N.
 * - a directory: an error.
 *
 * Every error names the user's path, never a temp file.
 */
import { constants as C, type Stats, promises as fsp, write as fsWrite } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

export type OutputKind = 'file' | 'stream' | 'socket' | 'fd';

export interface OutputTarget {
  /** What the user gave. */
  path: string;
  kind: OutputKind;
  /** The path written: the symlink target for a symlink; for 'fd' the fd number as text. */
  real: string;
  /** What is there now (regular file, device, FIFO, socket); undefined for a new file and for 'fd'. */
  stat?: Stats;
  fd?: number;
}

export interface WriteOptions {
  /** Mode of the written file (default: an existing file's mode, else 0644). */
  mode?: number;
  /** Refuse a symlink at the path instead of writing its target (install). */
  noFollow?: boolean;
}

const MAX_LINKS = 40;
const OWN_FD = /^\/(?:dev\/fd|proc\/(?:self|thread-self)\/fd)\/(\d+)$/;

/** "ENOSPC: no space left on device" from a Node fs error (without the syscall and the path, which may be a temp file's). */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    const m = /^([A-Z0-9_]+: [^,]+)/.exec(err.message);
    return m ? m[1]! : err.code;
  }
  return err instanceof Error ? err.message : String(e);
}

function cannot(path: string, why: string): UserError {
  return new UserError(`cannot write ${path}: ${why}`);
}

function ownFd(p: string): number | undefined {
  if (p === '/dev/stdout') return 1;
  if (p === '/dev/stderr') return 2;
  const m = OWN_FD.exec(p) ?? (new RegExp(`^/proc/${process.pid}/fd/(\\d+)$`)).exec(p);
  return m ? Number(m[1]) : undefined;
}

/** Follow symlinks by hand (the last component only; directories on the way are the kernel's) to what is really there. */
export async function resolveOutput(path: string): Promise<OutputTarget> {
  try {
    return await resolveLinks(path);
  } catch (e) {
    throw e instanceof UserError ? e : cannot(path, errnoText(e));
  }
}

async function resolveLinks(path: string): Promise<OutputTarget> {
  let p = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const fd = ownFd(p);
    if (fd !== undefined) return { path, kind: 'fd', real: String(fd), fd };
    let st: Stats;
    try {
      st = await fsp.lstat(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { path, kind: 'file', real: p };
      if (code === 'ENOTDIR') throw cannot(path, `a component of ${p} is not a directory`);
      throw cannot(path, errnoText(e));
    }
    if (st.isSymbolicLink()) {
      const dir = await fsp.realpath(dirname(p));
      // Another process's fd (a "magic" link to pipe:[N] and the like): open it as it is.
      if (/^\/proc\/\d+\/(?:task\/\d+\/)?fd$/.test(dir)) return { path, kind: 'stream', real: p, stat: await fsp.stat(p) };
      p = resolve(dir, await fsp.readlink(p));
      continue;
    }
    if (st.isFile()) return { path, kind: 'file', real: p, stat: st };
    if (st.isDirectory()) throw cannot(path, `${p === resolve(path) ? 'it' : p} is a directory`);
    if (st.isSocket()) return { path, kind: 'socket', real: p, stat: st };
    return { path, kind: 'stream', real: p, stat: st }; // character/block device, FIFO
  }
  throw cannot(path, 'too many levels of symbolic links');
}

async function isDir(p: string): Promise<Stats | undefined> {
  const st = await fsp.stat(p).catch(() => undefined);
  return st?.isDirectory() ? st : undefined;
}

async function writable(p: string): Promise<boolean> {
  return fsp.access(p, C.W_OK).then(() => true, () => false);
}

/**
 * Check before any work that `path` can be written: its directory exists and
 * may be written, it is not a directory, a device/FIFO can be opened for
 * writing. Returns what is there. Throws a UserError naming `path`.
 */
export async function checkOutput(path: string, opts: Pick<WriteOptions, 'noFollow'> = {}): Promise<OutputTarget> {
  if (opts.noFollow) {
    const st = await fsp.lstat(path).catch(() => undefined);
    if (st && (st.isSymbolicLink() || !st.isFile())) throw cannot(path, 'it exists and is not a regular file');
  }
  const t = await resolveOutput(path);
  const where = t.real === resolve(path) ? '' : ` (→ ${t.real})`;
  if (t.kind === 'fd') return t;
  if (t.kind !== 'file') {
    if (!(await writable(t.real))) throw cannot(path, `${t.real} is not writable`);
    return t;
  }
  const dir = dirname(t.real);
  if (!(await isDir(dir))) throw cannot(path, `no directory ${dir}${where}`);
  if (!(await writable(dir)) && !(t.stat && (await writable(t.real)))) throw cannot(path, `directory ${dir} is not writable${where}`);
  return t;
}

/** audit --split-by, merge --by: `dir` is or can become a directory (created later, when there is something to write). */
export async function checkOutputDir(dir: string): Promise<void> {
  const abs = resolve(dir);
  const st = await fsp.stat(abs).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(cannot(dir, errnoText(e)))));
  if (st) {
    if (!st.isDirectory()) throw cannot(dir, 'not a directory (one file per key is written into it)');
    if (!(await writable(abs))) throw cannot(dir, 'directory not writable');
    return;
  }
  let up = dirname(abs);
  while (!(await fsp.lstat(up).catch(() => undefined))) up = dirname(up);
  if (!(await isDir(up))) throw cannot(dir, `${up} is not a directory`);
  if (!(await writable(up))) throw cannot(dir, `directory ${up} is not writable`);
}

async function writeAll(fh: FileHandle, data: string | Buffer): Promise<void> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, null);
    off += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await fsp.open(dir, 'r').catch(() => undefined);
  if (d) {
    await d.sync().catch(() => undefined);
    await d.close();
  }
}

function tempName(real: string): string {
  return join(dirname(real), `.${basename(real)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Write a complete temp file next to `real` (mode, owner as given), fsynced. Returns its name. */
async function writeTemp(real: string, data: string | Buffer, mode: number, owner?: { uid: number; gid: number }): Promise<string> {
  const tmp = tempName(real);
  const fh = await fsp.open(tmp, 'wx', 0o600);
  try {
    await writeAll(fh, data);
    if (owner) await fh.chown(owner.uid, owner.gid);
    await fh.chmod(mode); // after chown, which clears set-id bits
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  return tmp;
}

async function writeInPlace(real: string, data: string | Buffer, mode?: number): Promise<void> {
  const fh = await fsp.open(real, C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_NOCTTY, mode ?? 0o644);
  try {
    await writeAll(fh, data);
    if (mode !== undefined) await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function needsInPlace(e: unknown): boolean {
  const c = (e as NodeJS.ErrnoException).code;
  return c === 'EACCES' || c === 'EPERM';
}

async function writeRegular(t: OutputTarget, data: string | Buffer, opts: WriteOptions): Promise<void> {
  const st = t.stat;
  const mode = opts.mode ?? (st ? st.mode & 0o7777 : 0o644);
  if (st && st.nlink > 1) {
    await writeInPlace(t.real, data, opts.mode);
    return;
  }
  const owner = st && (st.uid !== process.getuid?.() || st.gid !== process.getgid?.()) ? { uid: st.uid, gid: st.gid } : undefined;
  let tmp: string;
  try {
    tmp = await writeTemp(t.real, data, mode, owner);
  } catch (e) {
    // No temp file allowed in the directory, or the owner cannot be kept: write the existing file itself.
    if (st && needsInPlace(e)) {
      await writeInPlace(t.real, data, opts.mode);
      return;
    }
    throw e;
  }
  try {
    await fsp.rename(tmp, t.real);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(t.real));
}

async function writeStream(t: OutputTarget, data: string | Buffer): Promise<void> {
  // No O_CREAT: it is a device or FIFO (a FIFO waits here for its reader, like `echo > fifo`),
  // or a file behind another process's fd (then truncated, like `>`).
  const fh = await fsp.open(t.real, C.O_WRONLY | C.O_NOCTTY | (t.stat?.isFile() ? C.O_TRUNC : 0));
  try {
    await writeAll(fh, data);
  } finally {
    await fh.close();
  }
}

async function writeSocket(t: OutputTarget, data: string | Buffer): Promise<void> {
  const { createConnection } = await import('node:net');
  await new Promise<void>((ok, fail) => {
    const s = createConnection({ path: t.real });
    s.once('error', fail);
    s.once('connect', () => s.end(data, () => ok()));
  });
}

async function writeFd(fd: number, data: string | Buffer): Promise<void> {
  if (fd === 1) {
    // Ordered with everything else on stdout; a failure there ends the process (write/stdio.ts).
    const { writeStdout } = await import('./stdio.js');
    await writeStdout(data);
    return;
  }
  if (fd === 2) {
    await new Promise<void>((ok, fail) => process.stderr.write(data, (e) => (e ? fail(e) : ok())));
    return;
  }
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) {
    off += await new Promise<number>((ok, fail) => fsWrite(fd, buf, off, buf.length - off, null, (e, n) => (e ? fail(e) : ok(n))));
  }
}

/** Write `data` to `path` by the rules above. Errors are UserErrors naming `path`. */
export async function writeOutput(path: string, data: string | Buffer, opts: WriteOptions = {}): Promise<OutputTarget> {
  const t = opts.noFollow ? await checkOutput(path, opts) : await resolveOutput(path);
  try {
    switch (t.kind) {
      case 'fd': await writeFd(t.fd!, data); break;
      case 'stream': await writeStream(t, data); break;
      case 'socket': await writeSocket(t, data); break;
      case 'file': {
        const dir = dirname(t.real);
        if (!(await isDir(dir))) throw cannot(path, `no directory ${dir}`);
        await writeRegular(t, data, opts);
        break;
      }
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw cannot(path, errnoText(e));
  }
  return t;
}

/**
 * Create `path` only if nothing is there, atomically: a complete temp file is
 * hard-linked to the name (link() fails with EEXIST when the name exists, so of
 * concurrent writers exactly one wins), then the temp name is removed.
 * Returns false when something already exists at `path`.
 */
export async function createOutputExclusive(path: string, data: string | Buffer, mode = 0o644): Promise<boolean> {
  const real = resolve(path);
  let tmp: string;
  try {
    tmp = await writeTemp(real, data, mode);
  } catch (e) {
    throw cannot(path, errnoText(e));
  }
  try {
    await fsp.link(tmp, real);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw cannot(path, errnoText(e));
    // No hard links on this file system: O_EXCL create, then write (not atomic for readers, still exclusive).
    await fsp.rm(tmp, { force: true });
    let fh: FileHandle;
    try {
      fh = await fsp.open(real, 'wx', mode);
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw cannot(path, errnoText(e2));
    }
    try {
      await writeAll(fh, data);
      await fh.chmod(mode);
      await fh.sync();
    } catch (e2) {
      await fh.close().catch(() => undefined);
      throw cannot(path, errnoText(e2));
    }
    await fh.close();
    return true;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  await syncDir(dirname(real));
  return true;
}
