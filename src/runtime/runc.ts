/**
 * The OCI runtimes syscribe drives (runc, crun): how to call them, what they
 * are, and what their container init is called in audit records.
 *
 * Facts (measured on Debian 12, runc 1.1.5, crun 1.8.1):
 * - Both write their own errors to `--log FILE` (JSON lines with "level":"error")
 *   as well as to stderr; the container's stderr is only on stderr. A runtime
 *   error is therefore told apart from the program's own output by the log file.
 * - runc's container init is the Go process `runc init`; after it installs the
 *   filter its records carry comm="runc:[2:INIT]". crun's container process is
 *   crun itself: comm="crun", exe="/" (crun runs from a sealed copy of itself).
 * - runc 1.1 refuses profiles with `flags` ("seccomp flags are not yet supported
 *   by runc"); crun honours them. explainRuntimeError says so in plain words.
 * - crun refuses to start anything on a hybrid cgroup host whose cgroup2
 *   hierarchy has controllers ("cgroups in hybrid mode not supported, drop all
 *   controllers from cgroupv2"), even with --cgroup-manager=disabled. There
 *   syscribe runs crun in a private mount namespace in which
 *   /sys/fs/cgroup/unified is covered (`unshare --mount --mount-proc=…`), so
 *   crun sees a legacy host, with its cgroup manager disabled. Only crun's own
 *   view of the host changes; the container (no cgroup mount, no resources) and
 *   the seccomp filter are the same.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadExeca } from '../util/exec.js';
import { UserError } from '../errors.js';
import { which } from '../util/which.js';

export type RuntimeName = 'runc' | 'crun';
export const RUNTIMES: readonly RuntimeName[] = ['runc', 'crun'];

/** comm of the runtime's container process after the filter is installed, before the user program's execve. */
export const INIT_COMMS: Readonly<Record<RuntimeName, string>> = {
  runc: 'runc:[2:INIT]',
  crun: 'crun',
};

export interface Runtime {
  name: RuntimeName;
  /** Absolute path of the runtime binary. */
  path: string;
  /**
   * Program and leading arguments of every call: the runtime itself, or
   * `unshare … crun --cgroup-manager=disabled` on a hybrid cgroup host.
   */
  prefix: [string, ...string[]];
  /** Why the prefix is not just the binary (for messages), if it is not. */
  note?: string;
}

const CGROUP_UNIFIED = '/sys/fs/cgroup/unified';

/** A hybrid cgroup host whose cgroup2 hierarchy (mounted at /sys/fs/cgroup/unified) has controllers. */
export function hybridCgroupWithControllers(): boolean {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return false; // unified host
  try {
    return readFileSync(`${CGROUP_UNIFIED}/cgroup.controllers`, 'utf8').trim().length > 0;
  } catch {
    return false;
  }
}

/**
 * The runtime, ready to call. Throws a UserError (exit 2) when it cannot be
 * used here: not installed, not root.
 */
export function findRuntime(name: RuntimeName): Runtime {
  const path = which(name);
  if (!path) throw new UserError(`${name} is not installed (apt-get install -y ${name}); syscribe needs a real OCI runtime to run containers`);
  if (process.getuid?.() !== 0) throw new UserError(`running containers with ${name} needs root (syscribe runs rootful containers, like the kubelet's runtime)`);
  if (name === 'crun' && hybridCgroupWithControllers()) {
    const unshare = which('unshare');
    if (!unshare) throw new UserError('crun refuses hybrid cgroup hosts whose cgroup2 hierarchy has controllers; syscribe works around it with unshare (util-linux), which is not installed');
    return {
      name, path,
      prefix: [unshare, '--mount', '--propagation', 'private', `--mount-proc=${CGROUP_UNIFIED}`, path, '--cgroup-manager=disabled'],
      note: `hybrid cgroup host: crun runs with ${CGROUP_UNIFIED} covered and its cgroup manager disabled`,
    };
  }
  return { name, path, prefix: [path] };
}

/** argv (program, args) for `runtime [--log FILE --log-format json] SUBCOMMAND…`. */
export function runtimeArgv(rt: Runtime, sub: string[], logFile?: string): { file: string; args: string[] } {
  const [file, ...pre] = rt.prefix;
  const log = logFile === undefined ? [] : rt.name === 'runc' ? ['--log', logFile, '--log-format', 'json'] : [`--log=${logFile}`, '--log-format=json'];
  return { file, args: [...pre, ...log, ...sub] };
}

/** "runc 1.1.5+ds1 (commit 1.1.5+ds1-1+deb12u1, libseccomp 2.5.4)", "crun 1.8.1 (commit f8a0…)". */
export async function runtimeVersion(rt: Runtime): Promise<string> {
  const execa = await loadExeca();
  const r = await execa(rt.path, ['--version'], { reject: false, encoding: 'utf8' });
  const text = String(r.stdout ?? '');
  const field = (re: RegExp) => re.exec(text)?.[1]?.trim();
  const version = field(/^\S+ version (.+)$/m) ?? (text.split('\n')[0] ?? '').trim();
  const extra = [field(/^commit: (.+)$/m), field(/^libseccomp: (.+)$/m)];
  const parts = [extra[0] ? `commit ${extra[0]}` : undefined, extra[1] ? `libseccomp ${extra[1]}` : undefined].filter(Boolean);
  return `${rt.name} ${version}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * A runtime error in plain words where the runtime's own is cryptic: runc
 * before 1.2 refuses any profile with a "flags" field.
 */
export function explainRuntimeError(msg: string): string {
  if (/seccomp flags are not yet supported/i.test(msg)) {
    return `${msg} — this runc release (before 1.2) refuses seccomp profiles with a "flags" field ` +
      '(e.g. SECCOMP_FILTER_FLAG_LOG from --log-denials): write the profile without --log-denials, or remove "flags"; the profile itself was never applied';
  }
  return msg;
}

/** The error lines a runtime wrote to its --log file (JSON lines, "level":"error"), explained where needed. */
export function runtimeErrors(logText: string): string[] {
  const out: string[] = [];
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    try {
      const j = JSON.parse(line) as { level?: string; msg?: string };
      if ((j.level === 'error' || j.level === 'fatal') && j.msg) out.push(explainRuntimeError(j.msg));
    } catch {
      /* not JSON: ignore */
    }
  }
  return out;
}
