/**
 * A throwaway OCI bundle that runs a host program inside a real runtime
 * (runc/crun), set up the way `runc spec` and the container engines (docker,
 * podman, containerd's CRI) set up a container: /proc; /dev as tmpfs with
 * /dev/pts (devpts, newinstance), /dev/shm (tmpfs, 64 MiB, mode 1777) and
 * /dev/mqueue; /sys read-only; the devices every runtime creates on its own
 * (null, zero, full, random, urandom, tty, /dev/ptmx, /dev/fd …); the 14 OCI
 * default capabilities in the bounding, effective and permitted sets (none
 * inheritable or ambient: docker and containerd give none); runc's masked and
 * read-only /proc paths; and noNewPrivileges **false** unless asked — what an
 * unconfigured pod, `docker run` and `podman run` do. With noNewPrivileges
 * false runc installs the filter before it drops capabilities, changes user
 * and directory, so a profile must allow those calls too; `noNewPrivileges:
 * true` is the restricted mode (PSS restricted, allowPrivilegeEscalation:
 * false, `--security-opt no-new-privileges`).
 *
 * What differs from an engine's container, on purpose: the root is an empty
 * read-only directory with read-only binds of the host's /usr /bin /sbin /lib
 * /lib64 /etc (and /lib32 /libx32 where present; on a merged-/usr host the
 * symlinks /bin → usr/bin … are followed by the bind), the working directory
 * bound read-write at the same path, /tmp as tmpfs; the host network (no
 * network namespace); no cgroup mount and no linux.resources (crun runs with
 * its cgroup manager disabled on a hybrid cgroup host). None of these change
 * which calls the runtime makes after it installs the filter. The only thing
 * that differs between two runs of one bundle is linux.seccomp.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadExeca } from '../util/exec.js';
import { OCI_DEFAULT_CAPS } from '../profile/capabilities.js';
import type { SeccompProfile } from '../profile/types.js';
import { stringifyJsonExact } from '../profile/exact-json.js';
import { type Runtime, type RuntimeName, findRuntime, runtimeArgv, runtimeErrors } from './runc.js';

export type { RuntimeName } from './runc.js';

export const HOST_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/etc'];

export interface BundleSpec {
  args: string[];
  /** Working directory inside the container; bound read-write from the host unless it is / or under a host dir. */
  cwd: string;
  seccomp?: SeccompProfile;
  env?: string[];
  /** process.noNewPrivileges; default false (docker, podman, Kubernetes without allowPrivilegeEscalation: false). */
  noNewPrivileges?: boolean;
  /** process.user; default root (uid 0, gid 0), as an image without USER. */
  user?: { uid: number; gid: number };
}

/** runc spec's masked and read-only paths (docker and containerd mask the same). */
export const MASKED_PATHS = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Is `path` one of the read-only host dirs (or below one), or the root? Then it is not bound again. */
function coveredByHostDirs(path: string): boolean {
  if (path === '/') return true;
  return HOST_DIRS.some((d) => path === d || path.startsWith(`${d}/`));
}

export function ociConfig(spec: BundleSpec): Record<string, unknown> {
  const mounts: Array<Record<string, unknown>> = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
  ];
  for (const d of HOST_DIRS) if (existsSync(d)) mounts.push({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro'] });
  if (!coveredByHostDirs(spec.cwd)) mounts.push({ destination: spec.cwd, type: 'bind', source: spec.cwd, options: ['rbind', 'rw'] });
  const linux: Record<string, unknown> = {
    namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
    maskedPaths: MASKED_PATHS,
    readonlyPaths: READONLY_PATHS,
  };
  if (spec.seccomp) linux.seccomp = spec.seccomp;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : { uid: 0, gid: 0 },
      args: spec.args,
      env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'],
      cwd: spec.cwd,
      noNewPrivileges: spec.noNewPrivileges ?? false,
      capabilities: { bounding: [...OCI_DEFAULT_CAPS], effective: [...OCI_DEFAULT_CAPS], permitted: [...OCI_DEFAULT_CAPS] },
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
  try {
    await fsp.mkdir(join(dir, 'rootfs'));
    await fsp.writeFile(join(dir, 'config.json'), stringifyJsonExact(ociConfig(spec), 2));
  } catch (e) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

/** Rewrite the bundle's config.json for `spec` (same bundle, another profile). */
export async function setSeccomp(b: Bundle, spec: BundleSpec): Promise<void> {
  await fsp.writeFile(join(b.dir, 'config.json'), stringifyJsonExact(ociConfig(spec), 2));
}

/** Can we run containers here? Throws a UserError (exit 2) when not. Returns the runtime's path. */
export function assertCanRun(runtime: RuntimeName): string {
  return findRuntime(runtime).path;
}

export interface RunResult {
  /** The container's exit status (128+N when a signal N ended it), or the runtime's when it failed. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Host pid of the container's init process (from --pid-file), when the container was created. */
  pid?: number;
  /** What the runtime itself reported as an error (from its --log): the container did not start or run as asked. */
  runtimeError?: string;
  /** The run was stopped after the timeout. */
  timedOut: boolean;
  /** The last pid the host handed out when the run was over (/proc/sys/kernel/ns_last_pid). */
  lastPid?: number;
  /** Wall-clock bounds of the run, seconds since the epoch. */
  started: number;
  ended: number;
}

async function lastPid(): Promise<number | undefined> {
  const t = await fsp.readFile('/proc/sys/kernel/ns_last_pid', 'utf8').catch(() => '');
  const n = Number(t.trim());
  return t.trim() && Number.isInteger(n) ? n : undefined;
}

export function containerId(): string {
  return `syscribe-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Run the bundle once as a fresh container (stdin /dev/null); the container is always deleted after. */
export async function runBundle(b: Bundle, runtime: RuntimeName | Runtime, opts: { timeoutSec?: number } = {}): Promise<RunResult> {
  const execa = await loadExeca();
  const rt = typeof runtime === 'string' ? findRuntime(runtime) : runtime;
  const id = containerId();
  const pidFile = join(b.dir, `${id}.pid`);
  const logFile = join(b.dir, `${id}.log`);
  const started = Date.now() / 1000;
  try {
    const { file, args } = runtimeArgv(rt, ['run', '--bundle', b.dir, '--pid-file', pidFile, id], logFile);
    const r = await execa(file, args, {
      reject: false, stdin: 'ignore', encoding: 'utf8', cwd: b.dir,
      timeout: (opts.timeoutSec ?? 60) * 1000, forceKillAfterDelay: 2000,
    });
    const ended = Date.now() / 1000;
    const pidText = (await fsp.readFile(pidFile, 'utf8').catch(() => '')).trim();
    // crun's container process reports a failure before the user program runs (e.g. the execve denied)
    // as a JSON log line on the container's stderr instead of the log file.
    const stderrLog = String(r.stderr ?? '').split('\n').filter((l) => l.startsWith('{"msg":')).join('\n');
    const errors = runtimeErrors(`${await fsp.readFile(logFile, 'utf8').catch(() => '')}\n${stderrLog}`);
    const out: RunResult = {
      exitCode: r.exitCode ?? (r.signal ? 128 : 1),
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      timedOut: !!r.timedOut,
      started, ended,
    };
    if (pidText && Number.isInteger(Number(pidText))) out.pid = Number(pidText);
    if (errors.length) out.runtimeError = errors.join('; ');
    const lp = await lastPid();
    if (lp !== undefined) out.lastPid = lp;
    return out;
  } finally {
    const { file, args } = runtimeArgv(rt, ['delete', '-f', id]);
    await execa(file, args, { reject: false, stdin: 'ignore' });
  }
}

/** Up to `max` bytes from the start of a file ('' when it is missing). */
async function head(path: string, max = 1 << 20): Promise<string> {
  const fh = await fsp.open(path, 'r').catch(() => undefined);
  if (!fh) return '';
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** A container started in the background (a server): its runtime process runs until the container is over. */
export interface BackgroundRun {
  id: string;
  /** Has the container's init exited (on its own, or after stop())? */
  exited(): boolean;
  /** Host pid of the container's init once the runtime wrote it (waits up to `ms` for the pid file). */
  pid(ms?: number): Promise<number | undefined>;
  /**
   * Stop the container as an engine does: SIGTERM to its init (`runtime kill ID TERM`), wait `graceSec`,
   * then SIGKILL; then delete it. Resolves with the run's result (stdout/stderr read from files, at most
   * 1 MiB each) and how it ended. Safe to call more than once and after the container exited by itself.
   */
  stop(graceSec?: number): Promise<BackgroundResult>;
}

export interface BackgroundResult extends RunResult {
  /** 'self': it exited before stop(); 'SIGTERM': it exited within the grace period; 'SIGKILL': it had to be killed. */
  endedBy: 'self' | 'SIGTERM' | 'SIGKILL';
}

/**
 * Start the bundle as a fresh container in the background (`runtime run`, in the foreground of a child
 * process, so its exit status is known) with stdin /dev/null and stdout/stderr written to files in the
 * bundle (a chatty server fills no memory). Call stop() when done; it deletes the container.
 */
export async function startBundle(b: Bundle, runtime: RuntimeName | Runtime): Promise<BackgroundRun> {
  const execa = await loadExeca();
  const rt = typeof runtime === 'string' ? findRuntime(runtime) : runtime;
  const id = containerId();
  const pidFile = join(b.dir, `${id}.pid`);
  const logFile = join(b.dir, `${id}.log`);
  const outFile = join(b.dir, `${id}.stdout`);
  const errFile = join(b.dir, `${id}.stderr`);
  const started = Date.now() / 1000;
  const { file, args } = runtimeArgv(rt, ['run', '--bundle', b.dir, '--pid-file', pidFile, id], logFile);
  const child = execa(file, args, { reject: false, stdin: 'ignore', stdout: { file: outFile }, stderr: { file: errFile }, cwd: b.dir });
  let over = false;
  let endedAt = 0;
  const done = child.then((r) => {
    over = true;
    endedAt = Date.now() / 1000;
    return r;
  });
  const rtCall = (sub: string[]) => {
    const a = runtimeArgv(rt, sub);
    return execa(a.file, a.args, { reject: false, stdin: 'ignore', timeout: 10_000 });
  };
  const readPid = async (ms = 0): Promise<number | undefined> => {
    const t0 = Date.now();
    for (;;) {
      const t = (await fsp.readFile(pidFile, 'utf8').catch(() => '')).trim();
      if (t && Number.isInteger(Number(t))) return Number(t);
      if (over || Date.now() - t0 >= ms) return undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const within = (ms: number) => Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  let stopping: Promise<BackgroundResult> | undefined;
  const stop = async (graceSec = 10): Promise<BackgroundResult> => {
    let endedBy: BackgroundResult['endedBy'] = 'self';
    if (!over) {
      endedBy = 'SIGTERM';
      // A container that is still being created has no init to signal yet: wait for its pid file first.
      await readPid(5000);
      await rtCall(['kill', id, 'TERM']);
      if (!(await within(graceSec * 1000))) {
        endedBy = 'SIGKILL';
        await rtCall(['kill', id, 'KILL']);
        if (!(await within(5000))) child.kill('SIGKILL');
      }
    }
    const r = await done;
    await rtCall(['delete', '-f', id]);
    const stderr = await head(errFile);
    const stderrLog = stderr.split('\n').filter((l) => l.startsWith('{"msg":')).join('\n');
    const errors = runtimeErrors(`${await head(logFile)}\n${stderrLog}`);
    const out: BackgroundResult = {
      exitCode: r.exitCode ?? (r.signal ? 128 : 1),
      stdout: await head(outFile),
      stderr,
      timedOut: false,
      started,
      ended: endedAt || Date.now() / 1000,
      endedBy,
    };
    const p = await readPid();
    if (p !== undefined) out.pid = p;
    if (errors.length) out.runtimeError = errors.join('; ');
    const lp = await lastPid();
    if (lp !== undefined) out.lastPid = lp;
    return out;
  };
  return {
    id,
    exited: () => over,
    pid: readPid,
    stop: (graceSec) => (stopping ??= stop(graceSec)),
  };
}
