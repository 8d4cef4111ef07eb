// Servers (nginx, redis) recorded with the real `syscribe record --baseline none` on the host
// while clients probe them, then run detached under docker, podman+runc and podman+crun with the
// engines' DEFAULT settings (noNewPrivileges false) and with `--security-opt no-new-privileges`
// (profile from `record --no-new-privileges`). Pass: the server starts, answers every probe from
// the host exactly as the same server in an unconfined container does, and exits on `stop`
// (SIGTERM) with the same status.
// Containers use --network host and listen on 127.0.0.1 only.
// Needs root, strace, podman, conmon, runc, crun, docker.io (dockerd running), nginx-light,
// redis-server, redis-tools, curl.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const image = `localhost/syscribe-eng-srv-${tag}:latest`;
let dir: string;

const engines: Engine[] = [dockerEngine(image), podmanEngine('runc', image), podmanEngine('crun', image)];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = (s.address() as { port: number }).port;
      s.close(() => resolve(a));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function probeOnce(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: r.stdout };
}

interface Server {
  name: string;
  /** The server's command line for a port (files it needs are written under `dir`). */
  cmd: (port: number) => string[];
  /** Client commands run from the host; their stdout is compared. */
  probes: (port: number) => string[][];
  /** True once the server answers. */
  ready: (port: number) => boolean;
  /** The pid of the server process on the host (to stop it with SIGTERM while recording). */
  pid: (port: number) => number;
}

function nginxConf(port: number): string {
  const conf = join(dir, `nginx-${port}.conf`);
  writeFileSync(conf, [
    'user www-data;', // as Debian's default config: workers drop to www-data (setgroups/setgid/setuid)
    'worker_processes 2;',
    `pid ${dir}/nginx-${port}.pid;`,
    'error_log stderr notice;',
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp-${t};`),
    `  server { listen 127.0.0.1:${port}; root ${dir}/www; location / { } }`,
    '}',
    '',
  ].join('\n'));
  return conf;
}

const servers: Server[] = [
  {
    name: 'nginx',
    cmd: (port) => ['nginx', '-e', 'stderr', '-c', nginxConf(port), '-g', 'daemon off;'],
    probes: (port) => [
      ['curl', '-s', '-S', '--max-time', '5', `http://127.0.0.1:${port}/index.html`],
      ['curl', '-s', '-S', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}\\n', `http://127.0.0.1:${port}/missing`],
      ['curl', '-s', '-S', '--max-time', '5', '-I', '-o', '/dev/null', '-w', '%{http_code} %{size_download}\\n', `http://127.0.0.1:${port}/index.html`],
    ],
    ready: (port) => probeOnce(['curl', '-s', '-o', '/dev/null', '--max-time', '2', `http://127.0.0.1:${port}/index.html`]).ok,
    pid: (port) => Number(readFileSync(join(dir, `nginx-${port}.pid`), 'utf8').trim()),
  },
  {
    name: 'redis',
    cmd: (port) => ['redis-server', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--dir', dir],
    probes: (port) => {
      const cli = ['redis-cli', '-h', '127.0.0.1', '-p', String(port)];
      return [[...cli, 'ping'], [...cli, 'set', 'k', 'syscribe'], [...cli, 'get', 'k'], [...cli, 'incrby', 'n', '41'], [...cli, 'dbsize']];
    },
    ready: (port) => probeOnce(['redis-cli', '-h', '127.0.0.1', '-p', String(port), 'ping']).out.trim() === 'PONG',
    pid: (port) => {
      const info = probeOnce(['redis-cli', '-h', '127.0.0.1', '-p', String(port), 'info', 'server']).out;
      return Number(/process_id:(\d+)/.exec(info)?.[1]);
    },
  },
];

async function waitReady(s: Server, port: number, alive: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (s.ready(port)) return true;
    if (!alive()) return false;
    await sleep(100);
  }
  return false;
}

/**
 * Record the server with the real `record` (from /, container environment) while the probes run.
 * Spawned (spawnCli): the server must get the container's environment and nothing else.
 */
async function recordServer(s: Server, out: string, opts: string[]): Promise<void> {
  const port = await freePort();
  const rec = spawnCli(['record', '--baseline', 'none', ...opts, '-o', out, '--', ...s.cmd(port)], {
    cwd: '/', env: { PATH: CONTAINER_PATH, HOME: '/root' }, onlyEnv: true, stdout: 'ignore', timeout: 60_000,
  });
  let err = '';
  rec.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  let alive = true;
  const exited = rec.then((r) => { alive = false; return r.exitCode; });
  try {
    expect(await waitReady(s, port, () => alive), err).toBe(true);
    for (const p of s.probes(port)) expect(probeOnce(p).ok, p.join(' ')).toBe(true);
    process.kill(s.pid(port), 'SIGTERM'); // the server's own shutdown is recorded too
    expect(await exited, err).toBe(0);
  } finally {
    if (alive) rec.kill('SIGKILL');
  }
}

const profiles = new Map<string, string>(); // `${server}` (defaults) and `${server}-nnp`

beforeAll(async () => {
  if (!isRoot()) throw new Error('these tests run podman and docker and need root (CI runs as root)');
  for (const [t, pkg] of [['strace', 'strace'], ['nginx', 'nginx-light'], ['redis-server', 'redis-server'], ['redis-cli', 'redis-tools'],
    ['curl', 'curl'], ['tar', 'tar']]) requireTool(t, pkg);
  const info = engineCli(engines[0], ['info'], 30_000);
  if (info.status !== 0) throw new Error(`dockerd is not answering (scripts/test-system.sh starts it): ${info.stderr.trim()}`);
  dir = mkdtempSync(join(tmpdir(), 'syscribe-engsrv-'));
  chmodSync(dir, 0o755); // nginx's workers run as www-data and read ${dir}/www
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), '<p>served by nginx under a syscribe profile</p>\n');
  const tar = makeRootfsTar(join(dir));
  importImage(engines[0], tar);
  importImage(engines[1], tar);
  for (const s of servers) {
    profiles.set(s.name, join(dir, `${s.name}.json`));
    await recordServer(s, profiles.get(s.name)!, []);
    profiles.set(`${s.name}-nnp`, join(dir, `${s.name}-nnp.json`));
    await recordServer(s, profiles.get(`${s.name}-nnp`)!, ['--no-new-privileges']);
  }
}, 300_000);

afterAll(() => {
  engineCli(engines[0], ['rmi', '-f', image]);
  engineCli(engines[1], ['rmi', '-f', image]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome { ready: boolean; probes: string[]; exit: string; logs: string }

/** Start the server detached with the given seccomp setting, probe it, stop it (SIGTERM). */
async function serve(e: Engine, s: Server, name: string, seccomp: string, nnp: boolean): Promise<Outcome> {
  const port = await freePort();
  removeContainer(e, name);
  try {
    const started = run(e, { name, cmd: s.cmd(port), seccomp, noNewPrivileges: nnp, network: 'host', volumes: [dir], detach: true });
    const running = () => engineCli(e, ['inspect', '-f', '{{.State.Running}}', name], 30_000).stdout.trim() === 'true';
    const ready = started.code === 0 && await waitReady(s, port, running);
    const probes = ready ? s.probes(port).map((p) => { const r = probeOnce(p); return `${r.ok ? 'ok' : 'FAILED'} ${r.out}`; }) : [];
    engineCli(e, ['stop', '-t', '10', name], 60_000);
    const exit = engineCli(e, ['inspect', '-f', '{{.State.ExitCode}}', name], 30_000).stdout.trim();
    const logs = engineCli(e, ['logs', name], 30_000);
    return { ready, probes, exit, logs: started.err + logs.stdout + logs.stderr };
  } finally {
    removeContainer(e, name);
  }
}

describe.each(engines)('$label', (engine) => {
  const cases = servers.flatMap((s) => [false, true].map((nnp) => ({
    s, nnp,
    title: `${s.name}: ${nnp ? '--security-opt no-new-privileges, profile from record --no-new-privileges' : 'engine defaults (noNewPrivileges false), profile from record (default options)'}`,
  })));

  it.each(cases)('$title', async ({ s, nnp }) => {
    const n = `syscribe-engsrv-${tag}-${engine.label}-${s.name}${nnp ? '-nnp' : ''}`;
    const ref = await serve(engine, s, n, 'unconfined', nnp);
    expect(ref.ready, ref.logs).toBe(true);
    expect(ref.probes.every((p) => p.startsWith('ok')), ref.probes.join('')).toBe(true);
    const got = await serve(engine, s, n, profiles.get(nnp ? `${s.name}-nnp` : s.name)!, nnp);
    expect(got.ready, got.logs).toBe(true);
    expect({ probes: got.probes, exit: got.exit }, got.logs).toEqual({ probes: ref.probes, exit: ref.exit });
    expect(got.logs).not.toMatch(/Operation not permitted|operation not permitted/);
  }, 180_000);
});
