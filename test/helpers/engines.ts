// Container engines as users run them (podman, docker), for the engine integration tests.
//
// Image: no registry is reachable, so each test file builds a tiny image with `podman import` /
// `docker import` from a rootfs tarball it makes: the merged-/usr symlinks (bin, lib, lib64, sbin
// → usr/…), empty /usr /tmp /root /proc /sys /dev /run /var, its own /etc/passwd and /etc/group
// (root, www-data, nobody), and copies of the host's /etc/ld.so.cache and /etc/ssl/openssl.cnf.
// The host's /usr is mounted read-only into every container (`-v /usr:/usr:ro`). Why: the tarball
// is 20 KB and imports in well under a second (copying binaries with their libraries, Perl and
// Python trees would be hundreds of MB and a dependency walk that breaks on dlopen'ed modules),
// and the container runs exactly the binaries the profile was recorded from on the host.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './tools.js';

/** PATH inside the imported image (the engines' default when the image sets none). */
export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Engine {
  /** Label in test names: docker, podman-runc, podman-crun. */
  label: string;
  /** The OCI runtime the engine runs containers with (the profile's --runtime). */
  runtime: 'runc' | 'crun';
  /** argv[0] and leading args that run the engine's CLI. */
  argv: string[];
  /** Extra `run` flags this VM needs (each explained where it is set). */
  runFlags: string[];
  image: string;
}

function sh(cmd: string): string {
  return spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim();
}

/**
 * Docker: the Debian client /usr/bin/docker (20.10, API 1.41) matches Debian's dockerd. The newer
 * /usr/local/bin/docker (28.x) on some machines also works (it negotiates the API down to 1.41),
 * but the Debian one is the client the package pairs with the daemon, so it is preferred.
 */
export function dockerEngine(image: string): Engine {
  const bin = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : requireTool('docker', 'docker.io');
  requireTool('dockerd', 'docker.io');
  requireTool('containerd', 'containerd');
  requireTool('runc', 'runc');
  // docker's defaults are kept: runc, nofile from dockerd, no no-new-privileges.
  return { label: 'docker', runtime: 'runc', argv: [bin], runFlags: [], image };
}

/** The host's hard limits and how podman must be told about them. */
function podmanUlimits(): string[] {
  // podman (as root) asks for nofile=1048576 and nproc=4194304; this VM's hard limits are lower
  // (nofile 20000) and root here lacks CAP_SYS_RESOURCE, so the runtime's setrlimit fails with
  // EPERM ("crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted", runc: "error setting
  // rlimits"). Give the container the host's own nofile limits (as docker does), and an nproc
  // below conmon's (32768 here).
  const soft = sh('ulimit -Sn');
  const hard = sh('ulimit -Hn');
  return ['--ulimit', `nofile=${soft}:${hard}`, '--ulimit', 'nproc=4096:4096'];
}

/** True when cgroup2 is mounted next to v1 controllers and holds controllers itself (hybrid). */
function hybridWithV2Controllers(): boolean {
  const p = '/sys/fs/cgroup/unified/cgroup.controllers';
  return existsSync(p) && readFileSync(p, 'utf8').trim() !== '';
}

export function podmanEngine(runtime: 'runc' | 'crun', image: string): Engine {
  const podman = requireTool('podman', 'podman');
  requireTool(runtime, runtime);
  requireTool('conmon', 'conmon');
  let argv = [podman];
  if (runtime === 'crun' && hybridWithV2Controllers()) {
    // crun 1.8 refuses hybrid cgroup hosts whose cgroup2 mount still holds controllers ("cgroups in
    // hybrid mode not supported, drop all controllers from cgroupv2"; here: hugetlb). Run podman
    // (and the conmon/crun it starts) in a private mount namespace where /sys/fs/cgroup/unified
    // is covered by an empty tmpfs, so crun sees a pure cgroup-v1 host; the host is not changed.
    requireTool('unshare', 'util-linux');
    argv = ['unshare', '-m', 'sh', '-c',
      'mount --make-rprivate / && mount -t tmpfs none /sys/fs/cgroup/unified && exec "$0" "$@"', podman];
  }
  return { label: `podman-${runtime}`, runtime, argv, runFlags: ['--runtime', runtime, ...podmanUlimits()], image };
}

export function engineCli(e: Engine, args: string[], timeoutMs = 60_000, input?: string): SpawnSyncReturns<string> {
  return spawnSync(e.argv[0], [...e.argv.slice(1), ...args], { encoding: 'utf8', timeout: timeoutMs, input, killSignal: 'SIGKILL' });
}

/** Write the rootfs tarball (see the top of this file). */
export function makeRootfsTar(dir: string): string {
  const root = join(dir, 'rootfs');
  for (const d of ['etc/ssl', 'tmp', 'root', 'usr', 'proc', 'sys', 'dev', 'run', 'var/tmp', 'var/lib', 'var/log']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'var/tmp'), 0o1777);
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l}`, join(root, l));
  writeFileSync(join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n');
  for (const f of ['ld.so.cache', 'ssl/openssl.cnf']) {
    if (existsSync(join('/etc', f))) copyFileSync(join('/etc', f), join(root, 'etc', f));
  }
  const tar = join(dir, 'rootfs.tar');
  const r = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  return tar;
}

/** Import the tarball as IMAGE with this engine's CLI (the path env is the image's PATH). */
export function importImage(e: Engine, tar: string): void {
  const r = engineCli(e, ['import', '--change', `ENV PATH=${CONTAINER_PATH}`, tar, e.image], 120_000);
  if (r.status !== 0) throw new Error(`${e.label} import: ${r.stderr}`);
}

export interface RunOptions {
  name: string;
  cmd: string[];
  /** seccomp=PATH, or 'unconfined' for the reference run. */
  seccomp: string;
  noNewPrivileges?: boolean;
  network?: 'host' | 'none';
  /** Extra host paths mounted at the same path (read-write). */
  volumes?: string[];
  detach?: boolean;
  workdir?: string;
}

export function runArgs(e: Engine, o: RunOptions): string[] {
  // --pull never: the image is local; never ask a registry.
  const args = ['run', '--pull', 'never', '--name', o.name, '--network', o.network ?? 'none', '-v', '/usr:/usr:ro'];
  if (!o.detach) args.push('--rm'); else args.push('-d');
  for (const v of o.volumes ?? []) args.push('-v', `${v}:${v}`);
  if (o.workdir) args.push('-w', o.workdir);
  args.push('--security-opt', `seccomp=${o.seccomp}`);
  if (o.noNewPrivileges) args.push('--security-opt', 'no-new-privileges');
  args.push(...e.runFlags, e.image, ...o.cmd);
  return args;
}

export function run(e: Engine, o: RunOptions, timeoutMs = 60_000): { code: number | null; out: string; err: string } {
  const r = engineCli(e, runArgs(e, o), timeoutMs);
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Remove a container whatever its state (ignore "no such container"). */
export function removeContainer(e: Engine, name: string): void {
  engineCli(e, ['rm', '-f', name], 60_000);
}
