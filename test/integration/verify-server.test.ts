// verify for servers: real nginx and redis from Debian packages, recorded on the host with
// `syscribe record --baseline none` while probed, then started in runc with and without the profile,
// waited for (--ready-port / --ready-cmd), probed from the host (curl, redis-cli) and stopped with SIGTERM.
// Needs root, runc, strace, auditd, nginx (nginx-light), redis-server, redis-cli (redis-tools), curl, python3.
// verify runs in-process (runCli). Spawned (spawnCli): `record` of a server, which runs while the test
// probes it with blocking calls and ends when the server is stopped; and verify stopped by SIGTERM.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliChild, runCli, spawnCli } from '../helpers/cli.js';
import { isRoot, requireTool } from '../helpers/tools.js';
import { without } from '../helpers/profiles.js';

let dir: string;
const started: CliChild[] = [];
/** Pid files of servers started under `record`: killed in afterAll if a test stopped half-way. */
const pidFiles: string[] = [];

/** In-process: the containers verify makes carry this process's pid. */
async function cli(...args: string[]) {
  return { ...(await runCli(args, [], { cwd: dir })), pid: process.pid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Record a server on the host: `syscribe record --baseline none -o NAME.json -- CMD`, wait for its port,
 * run the probes, then SIGTERM the server (by its pid file), so its shutdown path is recorded too (verify
 * stops servers with SIGTERM). Returns the profile's path.
 */
async function recordServer(name: string, cmd: string[], port: number, pidFile: string, probes: string[][]): Promise<string> {
  const out = join(dir, `${name}.json`);
  const rec = spawnCli(['record', '--baseline', 'none', '-o', out, '--', ...cmd], { cwd: dir, stdout: 'ignore' });
  started.push(rec);
  pidFiles.push(pidFile);
  let err = '';
  rec.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = rec.then((r) => r.exitCode);
  for (let i = 0; i < 100 && !(await portOpen(port)); i++) await sleep(100);
  expect(await portOpen(port), `${name} did not listen on ${port} under strace: ${err}`).toBe(true);
  for (const p of probes) {
    const r = spawnSync(p[0]!, p.slice(1), { encoding: 'utf8' });
    expect(r.status, `${p.join(' ')}: ${r.stderr}`).toBe(0);
  }
  for (let i = 0; i < 50 && !existsSync(pidFile); i++) await sleep(100);
  process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
  expect(await exited, err).toBe(0);
  return out;
}


/** No container of the verify run with this pid is left (container ids carry the pid of the syscribe that made them). */
function noContainersLeft(pid: number): void {
  const left = spawnSync('runc', ['list', '-q'], { encoding: 'utf8' }).stdout.split('\n').filter((id) => id.startsWith(`syscribe-${pid}-`));
  expect(left).toEqual([]);
}

beforeAll(() => {
  if (!isRoot()) throw new Error('verify runs containers with runc and needs root');
  for (const [t, pkg] of [['runc', 'runc'], ['strace', 'strace'], ['nginx', 'nginx-light'], ['redis-server', 'redis-server'], ['redis-cli', 'redis-tools'], ['curl', 'curl'], ['python3', 'python3']] as const) requireTool(t, pkg);
  requireTool('auditd');
  if (spawnSync('pgrep', ['-x', 'auditd']).status !== 0) spawnSync('auditd');
  dir = mkdtempSync(join(tmpdir(), 'syscribe-verify-server-'));
  chmodSync(dir, 0o755); // nginx's workers run as nobody and must reach the document root
});
afterAll(async () => {
  for (const f of pidFiles) {
    const pid = existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : 0;
    if (pid > 0) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }
  await sleep(500);
  // record forwards SIGTERM to strace, which ends with its tracee.
  for (const c of started) if (c.exitCode === null) c.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('nginx (nginx-light), probed with curl', () => {
  let port: number;
  let cmd: string[];
  let profile: string;
  let probe: string;

  beforeAll(async () => {
    port = await freePort();
    const d = join(dir, 'nginx');
    mkdirSync(join(d, 'www'), { recursive: true });
    writeFileSync(join(d, 'www', 'index.html'), 'hello from nginx\n');
    // Everything nginx writes is under the temp dir (bound read-write in the container); /var is not in the bundle.
    writeFileSync(join(d, 'nginx.conf'), `worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log;
events { worker_connections 64; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${d}/www;
  }
}
`);
    // -e: the error log before the config is read (the default is under /var/log/nginx).
    cmd = ['nginx', '-e', `${d}/error.log`, '-c', `${d}/nginx.conf`, '-g', 'daemon off;'];
    probe = `curl -fsS -m 5 http://127.0.0.1:${port}/`;
    profile = await recordServer('nginx', cmd, port, join(d, 'nginx.pid'), [['curl', '-fsS', `http://127.0.0.1:${port}/`]]);
  }, 120_000);

  it('(a) the recorded --baseline none profile passes: ready, probe succeeds, no denial logged', async () => {
    const r = await cli('verify', '--profile', profile, '--ready-port', String(port), '--probe', probe, '--compare-output', '--', ...cmd);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^pass: nginx .*: 127\\.0\\.0\\.1:${port} accepted connections and 1 probe\\(s\\) succeeded with and without .*nginx\\.json \\(same stdout\\); no denial logged`));
    noContainersLeft(r.pid);
  }, 120_000);

  it('--json: pass, the probe\'s result per run, the server stopped by SIGTERM with status 0', async () => {
    const r = await cli('verify', '--json', '--profile', profile, '--ready-port', String(port), '--probe', probe, '--', ...cmd);
    expect(r.code, r.out + r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({
      verdict: 'pass', reason: null, denied: [],
      unconfined: { endedBy: 'SIGTERM', exitCode: 0 }, confined: { endedBy: 'SIGTERM', exitCode: 0 }, logged: { endedBy: 'SIGTERM' },
      ready: { unconfined: { ready: true }, confined: { ready: true }, logged: { ready: true } },
      probes: [{ command: ['curl', '-fsS', '-m', '5', `http://127.0.0.1:${port}/`], unconfined: { ok: true, exitCode: 0 }, confined: { ok: true, exitCode: 0 } }],
    });
  }, 120_000);

  it('(b) without accept4 the probe fails under the profile: FAIL naming accept4', async () => {
    const r = await cli('verify', '--profile', without(profile, 'accept4'), '--ready-port', String(port), '--probe', probe, '--', ...cmd);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/^FAIL: probe `curl -fsS -m 5 http:\/\/127\.0\.0\.1:\d+\/` fails under the profile \(succeeds without it\): exit status 28/);
    expect(r.out).toMatch(/^denied syscalls: (.* )?accept4( |$)/m);
    noContainersLeft(r.pid);
  }, 120_000);

  it('without bind nginx never listens: not ready under the profile is a FAIL naming bind', async () => {
    const r = await cli('verify', '--json', '--ready-timeout', '5', '--profile', without(profile, 'bind'), '--ready-port', String(port), '--probe', probe, '--', ...cmd);
    expect(r.code, r.out + r.err).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.verdict).toBe('fail');
    expect(j.reason).toMatch(/^the server is not ready under the profile \(ready after [\d.]+s without it\): the server exited before it was ready/);
    expect(j.denied).toContain('bind');
    expect(j.ready.confined).toMatchObject({ ready: false });
    expect(j.probes[0].confined).toBeNull(); // no probe runs against a server that is not ready
  }, 120_000);
});

describe('redis (redis-server), probed with redis-cli', () => {
  let port: number;
  let cmd: (p?: number) => string[];
  let profile: string;

  beforeAll(async () => {
    port = await freePort();
    const d = join(dir, 'redis');
    mkdirSync(d);
    cmd = (p = port) => ['redis-server', '--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--pidfile', join(d, `redis-${p}.pid`), '--dir', d];
    profile = await recordServer('redis', cmd(), port, join(d, `redis-${port}.pid`), [['redis-cli', '-p', String(port), 'ping'], ['redis-cli', '-p', String(port), 'set', 'k', 'v'], ['redis-cli', '-p', String(port), 'get', 'k']]);
  }, 120_000);

  it('(a) the recorded profile passes with --ready-port and two probes, same replies', async () => {
    const r = await cli('verify', '--profile', profile, '--ready-port', String(port), '--probe', `redis-cli -p ${port} ping`, '--probe', `redis-cli -p ${port} set k v`, '--compare-output', '--', ...cmd());
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^pass: redis-server .* 2 probe\(s\) succeeded .*no denial logged/);
  }, 120_000);

  it('(a) --ready-cmd: ready when `redis-cli ping` succeeds', async () => {
    const r = await cli('verify', '--profile', profile, '--ready-cmd', `redis-cli -p ${port} ping`, '--probe', `redis-cli -p ${port} ping`, '--', ...cmd());
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^pass: redis-server .*: the ready command succeeded and 1 probe\(s\) succeeded/);
  }, 120_000);

  it('(a) under crun too (the profile has crun\'s own calls: close, execve)', async () => {
    requireTool('crun');
    const r = await cli('verify', '--runtime', 'crun', '--json', '--profile', profile, '--ready-port', String(port), '--probe', `redis-cli -p ${port} ping`, '--', ...cmd());
    expect(r.code, r.out + r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: 'pass', runtime: 'crun', unconfined: { endedBy: 'SIGTERM' }, confined: { endedBy: 'SIGTERM' } });
  }, 120_000);

  it('(b) without epoll_wait redis cannot serve: FAIL naming epoll_wait', async () => {
    const r = await cli('verify', '--ready-timeout', '5', '--timeout', '5', '--profile', without(profile, 'epoll_wait'), '--ready-port', String(port), '--probe', `redis-cli -p ${port} ping`, '--', ...cmd());
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/^FAIL: /);
    expect(r.out).toMatch(/^denied syscalls: (.* )?epoll_wait( |$)/m);
    noContainersLeft(r.pid);
  }, 120_000);

  it('a denial the server tolerates fails although every probe succeeds (the log twin runs on a pass too)', async () => {
    // sh runs uname, ignores its failure and execs redis: under a profile without uname every probe still
    // succeeds; only the log twin's records show the denied call.
    const p2 = await freePort();
    const wrapped = (p: number) => ['sh', '-c', 'uname -n >/dev/null 2>&1; exec "$@"', 'sh', ...cmd(p)];
    const rec = await recordServer('redis-uname', wrapped(p2), p2, join(dir, 'redis', `redis-${p2}.pid`), [['redis-cli', '-p', String(p2), 'ping']]);
    const ok = await cli('verify', '--profile', rec, '--ready-port', String(p2), '--probe', `redis-cli -p ${p2} ping`, '--', ...wrapped(p2));
    expect(ok.code, ok.out + ok.err).toBe(0);
    const r = await cli('verify', '--json', '--profile', without(rec, 'uname'), '--ready-port', String(p2), '--probe', `redis-cli -p ${p2} ping`, '--', ...wrapped(p2));
    expect(r.code, r.out + r.err).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.verdict).toBe('fail');
    expect(j.reason).toBe('every probe succeeds under the profile, but the profile denied calls the server made (logged by its log twin)');
    expect(j.denied).toEqual(['uname']);
    expect(j.probes[0].confined).toMatchObject({ ok: true });
  }, 180_000);

  it('(c) a server that never gets ready (listens elsewhere): cannot verify, exit 2', async () => {
    const other = await freePort();
    const r = await cli('verify', '--ready-timeout', '2', '--profile', profile, '--ready-port', String(other), '--probe', `redis-cli -p ${other} ping`, '--', ...cmd());
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(new RegExp(`^cannot verify: the server is not ready without the profile: not ready within 2s: nothing accepted connections on 127\\.0\\.0\\.1:${other}`));
    noContainersLeft(r.pid);
  }, 120_000);

  it('(c) a server that exits at once: cannot verify, with its stderr', async () => {
    const r = await cli('verify', '--json', '--profile', profile, '--ready-port', String(await freePort()), '--', 'redis-server', '--port', 'notaport');
    expect(r.code, r.out + r.err).toBe(2);
    const j = JSON.parse(r.out);
    expect(j.verdict).toBe('cannot-verify');
    expect(j.reason).toBe('the server is not ready without the profile: the server exited before it was ready');
    expect(j.unconfined.endedBy).toBe('self');
    expect(j.unconfined.stderr.join('\n')).toMatch(/port/i);
    expect(j.confined).toBeNull();
  }, 120_000);

  it('(c) a server that does not exist: cannot verify, in the runtime\'s words', async () => {
    const r = await cli('verify', '--profile', profile, '--ready-port', String(await freePort()), '--', '/nonexistent/server');
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/^cannot verify: runc could not run \/nonexistent\/server even without a profile: .*no such file or directory/);
  }, 60_000);

  it('a probe that fails without the profile too: cannot verify', async () => {
    const r = await cli('verify', '--profile', profile, '--ready-port', String(port), '--probe', `redis-cli -p ${port} ping`, '--probe', 'false', '--', ...cmd());
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/^cannot verify: probe `false` fails without the profile too: exit status 1/);
  }, 120_000);

  it('a port already in use before the server starts is refused (it would look ready)', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const p = (busy.address() as { port: number }).port;
    try {
      const r = await cli('verify', '--profile', profile, '--ready-port', String(p), '--', ...cmd(p));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`127\\.0\\.0\\.1:${p} already accepts connections before the server starts`));
    } finally {
      busy.close();
    }
  }, 120_000);
});

describe('stopping: SIGTERM, then SIGKILL after the grace period', () => {
  it('a server that ignores SIGTERM (python3 -m http.server is pid 1 without a handler) is killed after --stop-timeout', async () => {
    const port = await freePort();
    const allow = join(dir, 'allow.json');
    writeFileSync(allow, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }));
    const t0 = Date.now();
    const r = await cli('verify', '--json', '--stop-timeout', '1', '--profile', allow, '--ready-port', String(port), '--probe', `curl -fsS -o /dev/null http://127.0.0.1:${port}/`, '--', 'python3', '-m', 'http.server', '--bind', '127.0.0.1', String(port));
    expect(r.code, r.out + r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.unconfined).toMatchObject({ endedBy: 'SIGKILL', exitCode: 137 });
    expect(j.confined).toMatchObject({ endedBy: 'SIGKILL' });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(await portOpen(port)).toBe(false);
  }, 120_000);
});

describe('shutting down is part of the job', () => {
  it('a server whose SIGTERM handler fails only under the profile: FAIL on its exit status, the call named', async () => {
    const port = await freePort();
    const noUname = join(dir, 'no-uname.json');
    writeFileSync(noUname, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['uname'], action: 'SCMP_ACT_ERRNO' }] }));
    // sh is pid 1; on SIGTERM its trap runs uname and exits 5 if that fails, 0 if not. Probes never see it.
    const server = ['sh', '-c', `trap 'uname -n >/dev/null || exit 5; exit 0' TERM; python3 -m http.server --bind 127.0.0.1 ${port} & wait`];
    const r = await cli('verify', '--json', '--profile', noUname, '--ready-port', String(port), '--probe', `curl -fsS -o /dev/null http://127.0.0.1:${port}/`, '--', ...server);
    expect(r.code, r.out + r.err).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.reason).toBe('exit status 5 after SIGTERM under the profile, 0 without it');
    expect(j.denied).toEqual(['uname']);
    expect(j.probes[0].confined).toMatchObject({ ok: true });
  }, 120_000);
});

describe('interrupted', () => {
  it('SIGTERM to syscribe while a probe runs: the server container is stopped and deleted, the bundle removed, exit 143', async () => {
    const port = await freePort();
    const allow = join(dir, 'allow-int.json');
    writeFileSync(allow, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }));
    const v = spawnCli(['verify', '--stop-timeout', '1', '--profile', allow, '--ready-port', String(port), '--probe', 'sleep 37.5', '--', 'python3', '-m', 'http.server', '--bind', '127.0.0.1', String(port)], { cwd: dir, stdout: 'ignore', stderr: 'ignore' });
    started.push(v);
    const exited = v.then((r) => r.exitCode);
    const mine = () => spawnSync('runc', ['list', '-q'], { encoding: 'utf8' }).stdout.split('\n').filter((id) => id.startsWith(`syscribe-${v.pid}-`));
    for (let i = 0; i < 100 && !(await portOpen(port)); i++) await sleep(100);
    expect(mine()).toHaveLength(1);
    await sleep(300); // the probe is running
    v.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(mine()).toEqual([]);
    expect(await portOpen(port)).toBe(false);
    expect(spawnSync('pgrep', ['-f', '^sleep 37.5$']).status).not.toBe(0); // the probe went with it
    const bundles = readdirSync(tmpdir()).filter((d) => d.startsWith('syscribe-bundle-'));
    const ours = bundles.filter((d) => {
      try { return readFileSync(join(tmpdir(), d, 'config.json'), 'utf8').includes(`"${port}"`); } catch { return false; }
    });
    expect(ours).toEqual([]);
  }, 60_000);
});
