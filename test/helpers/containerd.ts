/**
 * A private containerd (Debian's package) with its CRI plugin, for tests: own root, state and
 * socket in a temp dir, cgroupfs cgroup driver, no CNI (host-network pods only), a sandbox image
 * imported locally from a busybox rootfs (no registry). `stop()` removes every pod sandbox it
 * knows, stops containerd, kills leftover shims (by pid) and unmounts anything left under the dir.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { CriClient } from '../../src/attribution/cri.js';
import type { Mark } from '../../src/runtime/denials.js';
import { requireTool } from './tools.js';

/** A docker-archive tarball of a one-binary image (static busybox) for `ctr images import`. */
export async function buildBusyboxImage(dir: string, ref: string): Promise<string> {
  const busybox = requireTool('busybox', 'busybox-static');
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(busybox, join(root, 'bin/busybox'));
  const img = join(dir, 'image');
  mkdirSync(img, { recursive: true });
  await execa('tar', ['-C', root, '--owner=0', '--group=0', '-cf', join(img, 'layer.tar'), '.']);
  const diffId = createHash('sha256').update(readFileSync(join(img, 'layer.tar'))).digest('hex');
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/busybox', 'sleep', '100000'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
  };
  writeFileSync(join(img, 'config.json'), JSON.stringify(config));
  writeFileSync(join(img, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [ref], Layers: ['layer.tar'] }]));
  const tarball = join(dir, 'image.tar');
  await execa('tar', ['-C', img, '-cf', tarball, 'manifest.json', 'config.json', 'layer.tar']);
  return tarball;
}

export interface PrivateContainerd {
  socket: string;
  cri: CriClient;
  image: string;
  /** Everything the test created, torn down. Safe to call twice. */
  stop(): Promise<void>;
  log(): string;
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/** Pids of processes whose command line mentions `needle` (the shims carry containerd's address). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

export async function startContainerd(dir: string, imageRef: string): Promise<PrivateContainerd> {
  requireTool('containerd', 'containerd');
  requireTool('ctr', 'containerd');
  const runc = process.env.FLEET_RUNC ?? requireTool("runc", "runc");
  const socket = join(dir, 'containerd.sock');
  const cfg = join(dir, 'config.toml');
  for (const d of ['root', 'state', 'runc', 'cni-bin', 'cni-conf']) mkdirSync(join(dir, d), { recursive: true });
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  writeFileSync(cfg, `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[${cri}]
  sandbox_image = "${imageRef}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  restrict_oom_score_adj = true
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        BinaryName = "${runc}"
        Root = "${dir}/runc"
        SystemdCgroup = false
  [${cri}.cni]
    bin_dir = "${dir}/cni-bin"
    conf_dir = "${dir}/cni-conf"
`);
  let logText = '';
  const proc: ResultPromise = execa('containerd', ['--config', cfg, '--log-level', 'warn'], { reject: false, all: true, buffer: false });
  proc.all!.on('data', (d: Buffer) => { logText = (logText + d.toString()).slice(-20_000); });
  let client: CriClient | undefined;
  const stop = async (): Promise<void> => {
    if (client) {
      try {
        const pods = await client.call<{ items: Array<{ id: string }> }>('ListPodSandbox', {});
        for (const p of pods.items) {
          await client.call('StopPodSandbox', { pod_sandbox_id: p.id }).catch(() => undefined);
          await client.call('RemovePodSandbox', { pod_sandbox_id: p.id }).catch(() => undefined);
        }
      } catch { /* containerd gone */ }
      client.close();
      client = undefined;
    }
    if (proc.exitCode === null && proc.pid) {
      proc.kill('SIGTERM');
      await Promise.race([proc, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    await proc;
    for (const pid of pidsMentioning(socket)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const m of mountsUnder(dir)) await execa('umount', ['-l', m], { reject: false });
  };
  try {
    for (let i = 0; i < 100 && !existsSync(socket); i++) {
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!existsSync(socket)) throw new Error(`containerd did not start: ${logText}`);
    const tarball = await buildBusyboxImage(dir, imageRef);
    await execa('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', '--snapshotter', 'overlayfs', tarball]);
    client = await CriClient.connect(socket, 20_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { socket, cri: client, image: imageRef, stop, log: () => logText };
}

/**
 * Remove pod cgroups (the kubelet's job: runc removes only the container's) from every mounted
 * hierarchy, deepest first. Only empty cgroups can be removed; busy ones are left (and reported).
 */
export function removeCgroups(paths: string[]): string[] {
  const left: string[] = [];
  const roots = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .filter((l) => / - cgroup2? /.test(l)).map((l) => l.split(' ')[4]!).filter(Boolean);
  for (const root of roots) {
    for (const p of paths) {
      const d = join(root, p);
      if (!existsSync(d)) continue;
      try { rmdirSync(d); } catch { left.push(d); }
    }
  }
  return left;
}

/** Remove the temp dir after stop() (mounts are gone by then). */
export function removeDir(dir: string): void {
  if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true });
}

/**
 * The audit log's bytes since a mark, as one buffer (small: a test's worth), following a rotation
 * (auditd's ROTATE: the marked file is now PATH.1) the way src/runtime/denials.ts does.
 */
export function logSince(mark: Mark): Buffer {
  if (mark.source !== 'audit') throw new Error('auditd is not running: no audit log to read');
  const cur = statSync(mark.path);
  if (cur.ino === mark.ino) return readFileSync(mark.path).subarray(cur.size < mark.offset ? 0 : mark.offset);
  const old = `${mark.path}.1`;
  const head = existsSync(old) && statSync(old).ino === mark.ino ? readFileSync(old).subarray(mark.offset) : Buffer.alloc(0);
  return Buffer.concat([head, readFileSync(mark.path)]);
}
