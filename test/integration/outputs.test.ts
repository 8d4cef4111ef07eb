// Where outputs go (issue 10, items 5–8), through the CLI: in-process (runCli) by default; as a child
// process (spawnCli) where the process is the point: its own stdout a full device or a closed pipe,
// another user (setpriv), a follow loop stopped by SIGTERM, installs racing in separate processes.
// Device nodes are made here with mknod (never the machine's /dev/null or /dev/full): tests run as root.
import { chmodSync, chownSync, closeSync, constants, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const STRACE_LOG = join(ROOT, 'test/fixtures/strace/c.strace');
const AUDIT_LOG = join(ROOT, 'test/fixtures/audit/dmesg.log');
const NONE = ['--baseline', 'none', '--runtime', 'none'];
let dir: string;
let n = 0;
/** A fresh sub-directory per test. */
const fresh = (): string => {
  const d = join(dir, `t${n++}`);
  mkdirSync(d);
  return d;
};

beforeAll(() => {
  if (!isRoot()) throw new Error('these tests make device nodes and chown files: run them as root');
  dir = mkdtempSync(join(tmpdir(), `syscribe-outputs-${process.pid}-`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, [], { cwd: dir });

/** The profile syscribe writes for the strace fixture (what every target must receive). */
let expected: string;
beforeAll(async () => {
  const r = await cli(['strace', STRACE_LOG, ...NONE]);
  expect(r.code, r.err).toBe(0);
  expected = r.out;
  expect(JSON.parse(expected).syscalls.length).toBeGreaterThan(0);
});

const mknod = (path: string, major: number, minor: number): string => {
  execaSync('mknod', [path, 'c', String(major), String(minor)]);
  return path;
};
/** No temp file left behind anywhere in d. */
const noTemp = (d: string) => expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
/** Errors are one line naming the user's path, never a temp file. */
function oneLineError(err: string, path: string): void {
  const errLines = err.split('\n').filter((l) => l.startsWith('syscribe:'));
  expect(errLines, err).toHaveLength(1);
  expect(errLines[0]).toContain(path);
  expect(err).not.toMatch(/\.tmp\b|Unhandled|\n\s+at /);
}

describe('-o: what is at the target decides how it is written', () => {
  test('a character device (c 1 3, like /dev/null) is written through and stays a device', async () => {
    const d = fresh();
    const nul = mknod(join(d, 'null'), 1, 3);
    const rdev = statSync(nul).rdev;
    for (const args of [['strace', STRACE_LOG, ...NONE], ['audit-profile'], ['audit', AUDIT_LOG, ...NONE]]) {
      const r = await cli([...args, '-o', nul]);
      expect(r.code, r.err).toBe(0);
      const st = lstatSync(nul);
      expect(st.isCharacterDevice()).toBe(true);
      expect(st.rdev).toBe(rdev);
    }
    noTemp(d);
  });

  test('merge -o a device: written through', async () => {
    const d = fresh();
    const nul = mknod(join(d, 'null'), 1, 3);
    const p = join(d, 'p.json');
    writeFileSync(p, expected);
    const r = await cli(['merge', p, p, '-o', nul]);
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(nul).isCharacterDevice()).toBe(true);
    noTemp(d);
  });

  test('a full device (c 1 7, like /dev/full): one-line ENOSPC error naming it, exit 2, still a device', async () => {
    const d = fresh();
    const full = mknod(join(d, 'full'), 1, 7);
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', full]);
    expect(r.code).toBe(2);
    oneLineError(r.err, full);
    expect(r.err).toMatch(/ENOSPC/);
    expect(lstatSync(full).isCharacterDevice()).toBe(true);
    noTemp(d);
  });

  test('a FIFO with a reader: the reader gets the profile, the FIFO stays', async () => {
    const d = fresh();
    const fifo = join(d, 'fifo');
    execaSync('mkfifo', [fifo]);
    const reader = execa('cat', [fifo], { stripFinalNewline: false, timeout: 20_000 });
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', fifo]);
    expect(r.code, r.err).toBe(0);
    const got = await reader;
    expect(got.stdout).toBe(expected);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    noTemp(d);
  });

  test('a unix socket: connected to and written, not replaced', async () => {
    const d = fresh();
    const sock = join(d, 'sock');
    let received = '';
    const done = new Promise<void>((ok) => {
      const server: Server = createServer((c) => {
        c.on('data', (b) => (received += b.toString()));
        c.on('end', () => { server.close(); ok(); });
      });
      server.listen(sock);
    });
    await new Promise((r) => setTimeout(r, 100));
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', sock]);
    expect(r.code, r.err).toBe(0);
    await done;
    expect(received).toBe(expected);
    noTemp(d);
  });

  test('a symlink to /proc/self/fd/1 (what /dev/stdout is) writes to our stdout', async () => {
    const d = fresh();
    const link = join(d, 'stdout');
    symlinkSync('/proc/self/fd/1', link);
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', link]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(expected);
    expect(readlinkSync(link)).toBe('/proc/self/fd/1');
    // and the magic path itself
    const r2 = await cli(['strace', STRACE_LOG, ...NONE, '-o', '/proc/self/fd/1']);
    expect(r2.code, r2.err).toBe(0);
    expect(r2.out).toBe(expected);
  });

  test('a symlink: its target is written (mode kept), the link stays; a dangling link creates its target', async () => {
    const d = fresh();
    const other = fresh();
    const target = join(other, 'real.json');
    writeFileSync(target, '{}');
    chmodSync(target, 0o640);
    const link = join(d, 'app.json');
    symlinkSync(target, link);
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', link]);
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe(expected);
    expect(statSync(target).mode & 0o7777).toBe(0o640);
    // relative, dangling
    const link2 = join(d, 'rel.json');
    symlinkSync('../' + other.split('/').pop() + '/new.json', link2);
    expect((await cli(['audit-profile', '-o', link2])).code).toBe(0);
    expect(lstatSync(link2).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(other, 'new.json'), 'utf8')).defaultAction).toBe('SCMP_ACT_LOG');
    noTemp(d);
    noTemp(other);
  });

  test('a file with two hard links: written in place, both names see the new profile', async () => {
    const d = fresh();
    const a = join(d, 'a.json');
    const b = join(d, 'b.json');
    writeFileSync(a, '{}');
    linkSync(a, b);
    const ino = statSync(a).ino;
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', a]);
    expect(r.code, r.err).toBe(0);
    expect(statSync(a).ino).toBe(ino);
    expect(statSync(a).nlink).toBe(2);
    expect(readFileSync(b, 'utf8')).toBe(expected);
    noTemp(d);
  });

  test("a 0600 file owned by someone else keeps its owner, group and mode", async () => {
    const d = fresh();
    const f = join(d, 'theirs.json');
    writeFileSync(f, '{}');
    chmodSync(f, 0o600);
    chownSync(f, 12345, 23456);
    const r = await cli(['strace', STRACE_LOG, ...NONE, '-o', f]);
    expect(r.code, r.err).toBe(0);
    const st = statSync(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([12345, 23456, 0o600]);
    expect(readFileSync(f, 'utf8')).toBe(expected);
    noTemp(d);
  });

  test('not root: a file we cannot chown, or in a directory we cannot write, is written in place (owner kept)', async () => {
    const setpriv = requireTool('setpriv', 'util-linux');
    const asNobody = (args: string[]) => spawnCli(args, { via: [setpriv, '--reuid=65534', '--regid=65534', '--clear-groups'], cwd: '/' });
    chmodSync(dir, 0o755);
    const d = fresh();
    chmodSync(d, 0o755);
    const mine = join(d, 'mine');
    mkdirSync(mine);
    chownSync(mine, 65534, 65534);
    const theirs = join(mine, 'theirs.json');
    writeFileSync(theirs, '{}');
    chownSync(theirs, 12345, 12345);
    chmodSync(theirs, 0o666);
    let r = await asNobody(['audit-profile', '-o', theirs]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    let st = statSync(theirs);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([12345, 12345, 0o666]);
    expect(JSON.parse(readFileSync(theirs, 'utf8')).defaultAction).toBe('SCMP_ACT_LOG');
    noTemp(mine);
    // root's directory, our file: no temp file possible, the file itself is written
    const ro = join(d, 'ro');
    mkdirSync(ro, { mode: 0o755 });
    const ours = join(ro, 'ours.json');
    writeFileSync(ours, '{}');
    chownSync(ours, 65534, 65534);
    r = await asNobody(['audit-profile', '-o', ours]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    st = statSync(ours);
    expect(st.uid).toBe(65534);
    expect(JSON.parse(readFileSync(ours, 'utf8')).defaultAction).toBe('SCMP_ACT_LOG');
    // ...and a new file there: refused before any work, naming the path
    const nope = join(ro, 'new.json');
    r = await asNobody(['audit-profile', '-o', nope]);
    expect(r.exitCode).toBe(2);
    oneLineError(String(r.stderr), nope);
    expect(String(r.stderr)).toMatch(/not writable/);
  });

  test('a new file: 0644, replaced atomically (a new inode)', async () => {
    const d = fresh();
    const f = join(d, 'new.json');
    expect((await cli(['strace', STRACE_LOG, ...NONE, '-o', f])).code).toBe(0);
    expect(statSync(f).mode & 0o7777).toBe(0o644);
    const ino = statSync(f).ino;
    expect((await cli(['audit-profile', '-o', f])).code).toBe(0);
    expect(statSync(f).ino).not.toBe(ino);
    noTemp(d);
  });

  test('--split-by: a file in the directory that is a symlink gets its target written', async () => {
    const d = fresh();
    const out = join(d, 'out');
    mkdirSync(out);
    const target = join(d, 'elsewhere.json');
    writeFileSync(target, '{}');
    symlinkSync(target, join(out, 'sc-logtest.json'));
    const nul = mknod(join(out, 'sc-errnotest.json'), 1, 3);
    const r = await cli(['audit', AUDIT_LOG, ...NONE, '--split-by', 'comm', '-o', out]);
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(join(out, 'sc-logtest.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).syscalls.length).toBeGreaterThan(0);
    expect(lstatSync(nul).isCharacterDevice()).toBe(true);
    noTemp(out);
  });

  test('audit --follow rewrites into a device without replacing it', async () => {
    const d = fresh();
    const log = join(d, 'audit.log');
    writeFileSync(log, readFileSync(AUDIT_LOG));
    const nul = mknod(join(d, 'null'), 1, 3);
    const c = spawnCli(['audit', log, '--follow', '--from-start', ...NONE, '--flush-interval', '0.2', '-o', nul]);
    await new Promise((r) => setTimeout(r, 2500));
    c.kill('SIGTERM');
    const r = await c;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/profile: \d+ syscalls allowed/);
    expect(lstatSync(nul).isCharacterDevice()).toBe(true);
    noTemp(d);
  });
});

describe('the output path is checked before any work', () => {
  test.each([
    ['strace', [STRACE_LOG]],
    ['audit', [AUDIT_LOG]],
    ['audit-profile', []],
  ])('%s -o MISSING/DIR/x.json: exit 2, one line naming the path', async (cmd, args) => {
    const d = fresh();
    const path = join(d, 'missing', 'dir', 'x.json');
    const r = await cli([cmd, ...args, '-o', path]);
    expect(r.code).toBe(2);
    oneLineError(r.err, path);
    expect(r.err).not.toMatch(/syscalls allowed/); // no profile was made
    // a directory as -o
    const r2 = await cli([cmd, ...args, '-o', d]);
    expect(r2.code).toBe(2);
    oneLineError(r2.err, d);
    expect(r2.err).toMatch(/is a directory/);
  });

  test('a symlink loop, or a link into a missing directory: exit 2 before work, naming the path given', async () => {
    const d = fresh();
    const loop = join(d, 'loop.json');
    symlinkSync('loop.json', loop);
    let r = await cli(['strace', STRACE_LOG, ...NONE, '-o', loop]);
    expect(r.code).toBe(2);
    oneLineError(r.err, loop);
    expect(r.err).toMatch(/too many levels of symbolic links/);
    const dangling = join(d, 'dangling.json');
    symlinkSync(join(d, 'nowhere', 'x.json'), dangling);
    r = await cli(['strace', STRACE_LOG, ...NONE, '-o', dangling]);
    expect(r.code).toBe(2);
    oneLineError(r.err, dangling);
    expect(r.err).toContain(`no directory ${join(d, 'nowhere')}`);
    expect(r.err).not.toMatch(/syscalls allowed/);
  });

  test('merge -o into a missing directory: exit 2 naming the path', async () => {
    const d = fresh();
    const p = join(d, 'p.json');
    writeFileSync(p, expected);
    const path = join(d, 'no', 'x.json');
    const r = await cli(['merge', p, '-o', path]);
    expect(r.code).toBe(2);
    oneLineError(r.err, path);
  });

  test('record -o into a missing directory: the command is never run', async () => {
    requireTool('strace');
    const d = fresh();
    const marker = join(d, 'ran');
    const path = join(d, 'missing', 'x.json');
    const r = await cli(['record', '-o', path, '--', '/bin/touch', marker]);
    expect(r.code).toBe(2);
    oneLineError(r.err, path);
    expect(existsSync(marker)).toBe(false);
  });

  test('record --install into a root that is a file: the command is never run', async () => {
    requireTool('strace');
    const d = fresh();
    const marker = join(d, 'ran');
    const root = join(d, 'root');
    writeFileSync(root, '');
    const r = await cli(['record', '--install', 'app', '--root', root, '-o', join(d, 'x.json'), '--', '/bin/touch', marker]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(root);
    expect(existsSync(marker)).toBe(false);
  });

  test('audit --split-by -o a regular file: exit 2 before reading', async () => {
    const d = fresh();
    const f = join(d, 'file');
    writeFileSync(f, 'x');
    const r = await cli(['audit', AUDIT_LOG, ...NONE, '--split-by', 'comm', '-o', f]);
    expect(r.code).toBe(2);
    oneLineError(r.err, f);
    expect(r.err).toMatch(/not a directory/);
    expect(r.err).not.toMatch(/profile\(s\)/);
  });

  test('runtime-base --save -o into a missing directory fails at once, before measuring', async () => {
    const d = fresh();
    const path = join(d, 'missing', 'rb.json');
    const t0 = Date.now();
    const r = await cli(['runtime-base', '--save', '--runs', '1', '-o', path]);
    expect(r.code).toBe(2);
    oneLineError(r.err, path);
    expect(r.err).not.toMatch(/syscalls from/); // nothing was measured
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('our own stdout fails', () => {
  const commands: Array<[string, string[]]> = [
    ['strace', ['strace', STRACE_LOG, ...NONE]],
    ['audit-profile', ['audit-profile']],
    ['merge', ['merge', join(ROOT, 'samples/http-fetch/profile.json')]],
    ['resolve', ['resolve', 'read', '--arch', 'x86_64']],
    ['--help', ['--help']],
  ];

  test.each(commands)('%s > a full device: one line, exit 2, no stack trace', async (_name, args) => {
    const d = fresh();
    const full = mknod(join(d, 'full'), 1, 7);
    const fd = openSync(full, 'w');
    try {
      const r = await spawnCli(args, { cwd: dir, stdout: fd });
      expect(r.exitCode, String(r.stderr)).toBe(2);
      const err = String(r.stderr);
      expect(err).toMatch(/^syscribe: cannot write to stdout: ENOSPC: no space left on device$/m);
      expect(err).not.toMatch(/Unhandled|\n\s+at /);
      // a profile on stdout: the failure stops the command before the summary says it was made
      if (_name === 'strace' || _name === 'audit-profile') expect(err).toBe('syscribe: cannot write to stdout: ENOSPC: no space left on device\n');
    } finally {
      closeSync(fd);
    }
  });

  test.each(commands)('%s | a reader that went away (EPIPE): quiet, exit 141', async (_name, args) => {
    const c = spawnCli(args, { cwd: dir });
    c.stdout.destroy(); // like `| head -0`: the read end is closed before syscribe writes
    const r = await c;
    const err = r.stderr;
    expect(r.exitCode, err).toBe(141);
    expect(err).not.toMatch(/Unhandled|EPIPE|\n\s+at /);
  });
});

describe('install: concurrent installs to one name', () => {
  const profiles = [0, 1, 2, 3].map((i) => `${JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [['read', 'write', 'openat', 'close'][i]], action: 'SCMP_ACT_ALLOW' }] })}\n`);

  /**
   * Installs of `texts` to one NAME, started together: each reads its profile from its own FIFO,
   * and all FIFOs are written at the same moment once every process waits on its own.
   */
  async function race(root: string, texts: string[]) {
    const d = fresh();
    const fifos = texts.map((_, i) => join(d, `p${i}.json`));
    for (const f of fifos) execaSync('mkfifo', [f]);
    const procs = fifos.map((f) => spawnCli(['install', 'app', f, '--root', root]));
    const results = procs.map(async (p) => {
      const r = await p;
      return { code: r.exitCode ?? null, err: r.stderr };
    });
    // Wait until every process has its FIFO open for reading (a non-blocking open for writing fails
    // with ENXIO until then), then write them all at once.
    const fds: Array<number | undefined> = fifos.map(() => undefined);
    for (let i = 0; fds.includes(undefined); i++) {
      if (i > 1000) throw new Error('the installs never opened their FIFOs');
      fifos.forEach((f, k) => {
        if (fds[k] !== undefined) return;
        try {
          fds[k] = openSync(f, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
        }
      });
      if (fds.includes(undefined)) await new Promise((r) => setTimeout(r, 20));
    }
    fds.forEach((fd, k) => {
      writeSync(fd!, texts[k]!);
      closeSync(fd!);
    });
    return Promise.all(results);
  }

  test('without --force exactly one of 2–4 different profiles wins, every round (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const root = join(fresh(), 'seccomp');
      const k = 2 + (round % 3);
      const rs = await race(root, profiles.slice(0, k));
      const winners = rs.filter((r) => r.code === 0);
      expect(winners, JSON.stringify(rs)).toHaveLength(1);
      expect(winners[0]!.err).toMatch(/^written: /);
      for (const r of rs.filter((x) => x.code !== 0)) {
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/exists with a different profile: use --force/);
      }
      const winner = rs.findIndex((r) => r.code === 0);
      const installed = JSON.parse(readFileSync(join(root, 'profiles', 'app.json'), 'utf8'));
      expect(installed.syscalls[0].names).toEqual(JSON.parse(profiles[winner]!).syscalls[0].names);
      expect(statSync(join(root, 'profiles', 'app.json')).mode & 0o777).toBe(0o644);
      noTemp(join(root, 'profiles'));
    }
  }, 120_000);

  test('the same profile installed 3 times at once: one written, the others unchanged', async () => {
    const root = join(fresh(), 'seccomp');
    const rs = await race(root, [profiles[0]!, profiles[0]!, profiles[0]!]);
    expect(rs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(rs.filter((r) => /^written: /.test(r.err))).toHaveLength(1);
    expect(rs.filter((r) => /^unchanged: /.test(r.err))).toHaveLength(2);
  });
});
