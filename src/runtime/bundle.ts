/**
 * A throwaway OCI bundle that runs a host program inside a real runtime
 * (runc/crun): empty rootfs, read-only binds of the host's /usr /bin /lib
 * /lib64 /etc /sbin, the working directory bound read-write at the same
 * path, /tmp as tmpfs, host network, no cgroup mount, no resources. The only
 * thing that differs between two runs is the seccomp profile.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { UserError } from '../errors.js';
import type { SeccompProfile } from '../profile/types.js';
import { which } from '../util/which.js';

/** The OCI default capability set (what containerd and Docker give a container). */
export const OCI_DEFAULT_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];

const HOST_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/etc'];

export interface BundleSpec {
  args: string[];
  cwd: string;
  seccomp?: SeccompProfile;
  env?: string[];
}

export function ociConfig(spec: BundleSpec): Record<string, unknown> {
  const mounts: Array<Record<string, unknown>> = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
  ];
  for (const d of HOST_DIRS) if (existsSync(d)) mounts.push({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro'] });
  if (!HOST_DIRS.some((d) => spec.cwd === d || spec.cwd.startsWith(`${d}/`))) {
    mounts.push({ destination: spec.cwd, type: 'bind', source: spec.cwd, options: ['rbind', 'rw'] });
  }
  const linux: Record<string, unknown> = {
    namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
    maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list'],
    readonlyPaths: ['/proc/sys', '/proc/sysrq-trigger'],
  };
  if (spec.seccomp) linux.seccomp = spec.seccomp;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: spec.args,
      env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'],
      cwd: spec.cwd,
      noNewPrivileges: true,
      capabilities: { bounding: OCI_DEFAULT_CAPS, effective: OCI_DEFAULT_CAPS, permitted: OCI_DEFAULT_CAPS },
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'syscribe',
    mounts,
    linux,
  };
}

export interface Bundle {
  dir: string;
  remove(): Promise<void>;
}

export async function makeBundle(spec: BundleSpec): Promise<Bundle> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'syscribe-bundle-'));
  await fsp.mkdir(join(dir, 'rootfs'));
  await fsp.writeFile(join(dir, 'config.json'), JSON.stringify(ociConfig(spec), null, 2));
  return { dir, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

export async function setSeccomp(b: Bundle, spec: BundleSpec): Promise<void> {
  await fsp.writeFile(join(b.dir, 'config.json'), JSON.stringify(ociConfig(spec), null, 2));
}

export type RuntimeBin = 'runc' | 'crun';

/** Can we run containers here? Throws a UserError (exit 2) when not. */
export function assertCanRun(runtime: RuntimeBin): string {
  const p = which(runtime);
  if (!p) throw new UserError(`${runtime} is not installed: apt-get install -y ${runtime}`);
  if (process.getuid?.() !== 0) throw new UserError(`running containers with ${runtime} needs root`);
  return p;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Host pid of the container's init process. */
  pid?: number;
}

/** Run the bundle once as a fresh container; always deleted after. */
export async function runBundle(b: Bundle, runtime: RuntimeBin, opts: { timeoutSec?: number } = {}): Promise<RunResult> {
  const id = `syscribe-${process.pid}-${randomBytes(4).toString('hex')}`;
  const pidFile = join(b.dir, `${id}.pid`);
  try {
    const r = await execa(runtime, ['run', '--bundle', b.dir, '--pid-file', pidFile, id], {
      reject: false, stdin: 'ignore', timeout: (opts.timeoutSec ?? 60) * 1000, encoding: 'utf8',
    });
    const pidText = await fsp.readFile(pidFile, 'utf8').catch(() => '');
    const out: RunResult = { exitCode: r.exitCode ?? (r.signal ? 128 : 1), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    if (pidText.trim()) out.pid = Number(pidText.trim());
    return out;
  } finally {
    await execa(runtime, ['delete', '-f', id], { reject: false });
  }
}
