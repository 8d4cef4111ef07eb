// Profiles recorded with the real `syscribe record --baseline none` on the host, run under the
// engines users run — docker (runc), podman with runc, podman with crun — with their DEFAULT
// settings (no no-new-privileges: the runtime installs the filter before its own set-up calls),
// and with `--security-opt no-new-privileges` for a profile made with `--no-new-privileges`.
// A program passes when it starts and prints the same output with the same exit status as in an
// unconfined container of the same engine. Negative control: the same program's profile without
// the runtime's own calls (`--runtime none`) does not start under the default mode.
// Needs root, strace, podman, conmon, runc, crun, docker.io (dockerd running: scripts/test-system.sh).
// `record` is spawned (spawnCli): the recorded program must get the container's environment and
// nothing else (dash's getcwd depends on $PWD), which only a child process with its own env gives.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTAINER_PATH, type Engine, dockerEngine, engineCli, importImage, makeRootfsTar, podmanEngine, removeContainer, run,
} from '../helpers/engines.js';
import { spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';

const root = join(__dirname, '..', '..');
const tag = `${process.pid}`;
const image = `localhost/syscribe-eng-${tag}:latest`;
let dir: string;
let server: ChildProcess | undefined;
let port = 0;

const engines: Engine[] = [dockerEngine(image), podmanEngine('runc', image), podmanEngine('crun', image)];

interface Program { name: string; cmd: () => string[]; network?: 'host' | 'none'; cleanup?: string[] }
const db = `/tmp/syscribe-eng-${tag}.db`;
const tgz = `/tmp/syscribe-eng-${tag}.tgz`;
const programs: Program[] = [
  // `| tail`, not `| head`: with head, whether sort is still writing when head exits is a race;
  // when it is, sort's SIGPIPE handler re-raises the signal (gettid, tgkill), a path a recording
  // has only if the race went that way while recording (seen here: "sort: write failed: Broken pipe").
  { name: 'sh pipeline', cmd: () => ['sh', '-c', 'ls /usr/bin | sort | tail -3'] },
  {
    name: 'python3 urllib',
    network: 'host',
    cmd: () => ['python3', '-c',
      `import urllib.request as u; r = u.urlopen("http://127.0.0.1:${port}/hello.txt", timeout=10); print(r.status, r.read().decode().strip())`],
  },
  { name: 'tar', cmd: () => ['tar', '-czvf', tgz, '-C', '/usr/share/doc', 'tar'], cleanup: [tgz] },
  {
    name: 'sqlite3',
    cmd: () => ['sqlite3', db, 'create table t(x); insert into t values (1),(2),(3); select sum(x), count(*) from t;'],
    cleanup: [db],
  },
  {
    name: 'perl',
    cmd: () => ['perl', '-MPOSIX', '-MList::Util=sum', '-e',
      'open my $f, "<", "/usr/share/common-licenses/GPL-3" or die; my $n = () = <$f>; print sum(1..10), " ", POSIX::floor(7.9), " $n\\n"'],
  },
  { name: 'openssl', cmd: () => ['openssl', 'dgst', '-sha256', '/usr/share/common-licenses/GPL-3'] },
];

/** The container's environment, for recording on the host as the program will run there. */
const containerEnv = { PATH: CONTAINER_PATH, HOME: '/root' };

/**
 * `syscribe record --baseline none ...opts -o P -- CMD`, run the way a user does, from `/` with
 * the container's environment (dash calls getcwd only when $PWD is missing or wrong; the container
 * starts in / without $PWD).
 */
async function record(p: Program, file: string, opts: string[]): Promise<string> {
  for (const f of p.cleanup ?? []) rmSync(f, { force: true });
  const out = join(dir, file);
  const r = await spawnCli(['record', '--baseline', 'none', ...opts, '-o', out, '--', ...p.cmd()], { cwd: '/', env: containerEnv, onlyEnv: true, timeout: 60_000 });
  for (const f of p.cleanup ?? []) rmSync(f, { force: true });
  expect(r.exitCode, r.stderr).toBe(0);
  return out;
}

/**
 * The profile variants, each recorded separately with the real `record`: the defaults (every
 * runtime's calls for noNewPrivileges false), `--no-new-privileges` (the smaller set), the same two
 * for the engine's own runtime only, and `--runtime none` (the negative control).
 */
const variants: Record<string, string[]> = {
  default: [],
  nnp: ['--no-new-privileges'],
  runc: ['--runtime', 'runc'],
  'runc-nnp': ['--runtime', 'runc', '--no-new-privileges'],
  crun: ['--runtime', 'crun'],
  'crun-nnp': ['--runtime', 'crun', '--no-new-privileges'],
  none: ['--runtime', 'none'],
};
const profiles = new Map<string, Map<string, string>>();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = (s.address() as { port: number }).port;
      s.close(() => resolve(a));
    });
  });
}

beforeAll(async () => {
  if (!isRoot()) throw new Error('these tests run podman and docker and need root (CI runs as root)');
  for (const [t, pkg] of [['strace', 'strace'], ['python3', 'python3'], ['tar', 'tar'], ['gzip', 'gzip'], ['sqlite3', 'sqlite3'],
    ['perl', 'perl'], ['openssl', 'openssl'], ['curl', 'curl']]) requireTool(t, pkg);
  const info = engineCli(engines[0], ['info'], 30_000);
  if (info.status !== 0) throw new Error(`dockerd is not answering (scripts/test-system.sh starts it): ${info.stderr.trim()}`);
  dir = mkdtempSync(join(tmpdir(), 'syscribe-engines-'));
  writeFileSync(join(dir, 'hello.txt'), 'hello from the host\n');
  port = await freePort();
  server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port)], { cwd: dir, stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/hello.txt`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tar = makeRootfsTar(dir);
  importImage(engines[0], tar); // docker's image store
  importImage(engines[1], tar); // podman's (shared by both podman runtimes)
  for (const p of programs) {
    const m = new Map<string, string>();
    const slug = p.name.replace(/\W+/g, '-');
    for (const [v, opts] of Object.entries(variants)) m.set(v, await record(p, `${slug}-${v}.json`, opts));
    profiles.set(p.name, m);
  }
}, 300_000);

afterAll(() => {
  server?.kill();
  engineCli(engines[0], ['rmi', '-f', image]);
  engineCli(engines[1], ['rmi', '-f', image]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(engines)('$label', (engine) => {
  const name = (what: string) => `syscribe-eng-${tag}-${engine.label}-${what}`.replace(/[^\w.-]+/g, '-');
  // [profile variant, run with --security-opt no-new-privileges]
  const modes: Array<[string, boolean]> = [
    ['default', false], [engine.runtime, false], ['nnp', true], [`${engine.runtime}-nnp`, true],
  ];
  const cases = programs.flatMap((p) => modes.map(([variant, nnp]) => ({ p, variant, nnp, title: `${p.name}: ${describeMode(variant, nnp)}` })));

  it.each(cases)('$title', ({ p, variant, nnp }) => {
    const n = name(`${p.name}-${variant}`);
    try {
      const ref = run(engine, { name: n, cmd: p.cmd(), seccomp: 'unconfined', network: p.network, noNewPrivileges: nnp });
      expect(ref.code, ref.err).toBe(0);
      const got = run(engine, { name: n, cmd: p.cmd(), seccomp: profiles.get(p.name)!.get(variant)!, network: p.network, noNewPrivileges: nnp });
      expect({ code: got.code, out: got.out, err: got.err }).toEqual({ code: ref.code, out: ref.out, err: ref.err });
    } finally {
      removeContainer(engine, n);
    }
  }, 120_000);

  // The error a runtime prints when the filter stops its own init (runc: whichever set-up call
  // comes first; crun: dropping the bounding set).
  const initDenied = engine.runtime === 'runc'
    ? /runc create failed: unable to start container process: (.*: )?operation not permitted/
    : /crun: prctl drop bounding: Operation not permitted/;

  it('negative control: without the runtime\'s own calls (--runtime none) the container does not start', () => {
    const p = programs[0];
    const n = name('negative-none');
    try {
      const got = run(engine, { name: n, cmd: p.cmd(), seccomp: profiles.get(p.name)!.get('none')! });
      expect(got.code).not.toBe(0);
      expect(got.out).toBe('');
      expect(got.err).toMatch(initDenied);
    } finally {
      removeContainer(engine, n);
    }
  }, 120_000);

  it('negative control: a --no-new-privileges profile under the engine defaults fails as issue 11 reports', () => {
    const p = programs[0];
    const n = name('negative-nnp');
    try {
      const got = run(engine, { name: n, cmd: p.cmd(), seccomp: profiles.get(p.name)!.get(`${engine.runtime}-nnp`)! });
      expect(got.code).not.toBe(0);
      expect(got.out).toBe('');
      expect(got.err).toMatch(engine.runtime === 'runc'
        ? /runc create failed: unable to start container process: operation not permitted/
        : initDenied);
    } finally {
      removeContainer(engine, n);
    }
  }, 120_000);
});

describe('where the recording runs matters (issue 11, part 3)', () => {
  // A recording on the host sees only what the program does there. dash calls getcwd() at start
  // when $PWD is missing or does not name its cwd — in a container started in / without $PWD, but
  // not in a user's shell. Recorded from a user's directory, a --no-new-privileges profile
  // (runc's smaller set has no getcwd) lacks it; the program still runs but prints an error.
  // The tests above record from / with the container's environment, which avoids it;
  // `record --in-container` records in the container itself and sees it from any directory.
  it('docker: a profile recorded in another directory with $PWD set misses dash\'s getcwd', async () => {
    const engine = engines[0];
    const cmd = programs[0].cmd();
    const userDir = join(dir, 'user-cwd');
    mkdirSync(userDir, { recursive: true });
    const out = join(dir, 'sh-from-user-dir.json');
    const r = await spawnCli(['record', '--baseline', 'none', '--no-new-privileges', '-o', out, '--', ...cmd], { cwd: userDir, env: { ...containerEnv, PWD: userDir }, onlyEnv: true, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const n = `syscribe-eng-${tag}-docker-user-cwd`;
    try {
      const got = run(engine, { name: n, cmd, seccomp: out, noNewPrivileges: true });
      const ref = run(engine, { name: n, cmd, seccomp: profiles.get(programs[0].name)!.get('nnp')!, noNewPrivileges: true });
      expect(ref.err).toBe('');
      expect(got.out).toBe(ref.out);
      expect(got.err).toMatch(/getcwd\(\) failed: Operation not permitted/);
    } finally {
      removeContainer(engine, n);
    }
  }, 120_000);

  it.each([engines[0], engines[1]])('$label: record --in-container from the same directory sees the getcwd and runs clean', async (engine) => {
    const cmd = programs[0].cmd();
    const userDir = join(dir, 'user-cwd');
    mkdirSync(userDir, { recursive: true });
    const out = join(dir, `sh-in-container-${engine.label}.json`);
    const r = await spawnCli(['record', '--in-container', '--baseline', 'none', '--no-new-privileges', '-o', out, '--', ...cmd], { cwd: userDir, env: { ...containerEnv, PWD: userDir }, onlyEnv: true, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const n = `syscribe-eng-${tag}-${engine.label}-in-container`;
    try {
      const ref = run(engine, { name: n, cmd, seccomp: 'unconfined', noNewPrivileges: true });
      const got = run(engine, { name: n, cmd, seccomp: out, noNewPrivileges: true });
      expect({ code: got.code, out: got.out, err: got.err }).toEqual({ code: ref.code, out: ref.out, err: ref.err });
    } finally {
      removeContainer(engine, n);
    }
  }, 180_000);
});

function describeMode(variant: string, nnp: boolean): string {
  const opts = variants[variant].join(' ') || '(default options)';
  return nnp ? `--security-opt no-new-privileges, profile from record ${opts}`
    : `engine defaults (noNewPrivileges false), profile from record ${opts}`;
}
