/**
 * `record --in-container`: record what a container's seccomp filter will
 * really see. CMD runs in the same kind of OCI bundle as `syscribe verify`
 * (runtime/bundle.ts) under a real runtime (runc or crun), with
 * noNewPrivileges false (what Kubernetes, docker and podman do unless told
 * otherwise) or true, and with linux.seccomp set to an allow-everything
 * profile (defaultAction SCMP_ACT_ALLOW, native arch family) so that the
 * runtime installs a filter at the same point it installs a real one.
 * `strace -f --pidns-translation` follows the runtime and everything it
 * starts; after-install.ts keeps the lines of the thread that installed the
 * filter, from the call after the install, and of everything it creates
 * afterwards: the runtime's own late calls (capset, setgroups, chdir… with
 * noNewPrivileges false) and the program's calls in its real environment
 * (another cwd, pid 1, an empty /tmp, another hostname…). Lines are read from
 * strace's FIFO, filtered, parsed and counted as they come
 * (strace-backend.ts); nothing is written to disk but the bundle.
 *
 * Why strace around the runtime rather than a LOG-mode profile and the audit
 * log (runtime-base's way): the audit log is rate-limited and shared with the
 * whole host, needs auditd, and names no arguments; strace sees every call of
 * exactly these processes, numbers them per host pid, and shows the install
 * call itself, so the cut needs no guess.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostArch, archById } from '../arch.js';
import type { Collector } from '../collect/collector.js';
import { OptionError, UserError } from '../errors.js';
import type { SeccompProfile } from '../profile/types.js';
import { type BundleSpec, containerId, makeBundle } from '../runtime/bundle.js';
import { type RuntimeName, findRuntime, runtimeArgv, runtimeErrors, runtimeVersion } from '../runtime/runc.js';
import { escapeControl } from '../util/argv.js';
import { loadExeca } from '../util/exec.js';
import { which } from '../util/which.js';
import { AfterFilterInstall, type AfterInstallStats } from './after-install.js';
import { type RecordOutcome, recordWithStrace } from './strace-backend.js';

/** After SIGINT/SIGTERM, how long the container may take to end before it is killed (docker stop's default). */
export const STOP_GRACE_MS = 10_000;

export interface InContainerOptions {
  cmd: string[];
  /** Default runc. */
  runtime?: RuntimeName;
  /** process.noNewPrivileges of the bundle; default false (the engines' and Kubernetes' default). */
  noNewPrivileges?: boolean;
  /** Working directory in the container (bound read-write from the host). Default: process.cwd(). */
  cwd?: string;
}

export interface InContainerOutcome extends RecordOutcome {
  runtime: RuntimeName;
  /** e.g. "runc 1.1.5+ds1 (commit …, libseccomp 2.5.4)". */
  version: string;
  noNewPrivileges: boolean;
  /** What the per-pid stage did: the install it cut at, lines passed and dropped. */
  cut: AfterInstallStats & { install: NonNullable<AfterInstallStats['install']> };
  /** Errors the runtime logged after the program had started (the recording is kept). */
  warnings: string[];
}

/** The profile the recording runs under: allow everything, so the runtime installs a filter that changes nothing. */
export function allowAllProfile(): SeccompProfile {
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: hostArch().family.map((a) => archById(a).scmp) };
}

/** The bundle spec of the recording: verify's bundle with the allow-all profile. */
export function recordingSpec(o: InContainerOptions): BundleSpec & { noNewPrivileges: boolean } {
  return { args: o.cmd, cwd: o.cwd ?? process.cwd(), seccomp: allowAllProfile(), noNewPrivileges: o.noNewPrivileges ?? false };
}

/** strace ≥ 5.9 has --pidns-translation (needed to tell the container's children apart by host pid). */
async function assertStraceCanTranslate(strace: string): Promise<void> {
  const execa = await loadExeca();
  const r = await execa(strace, ['-V'], { reject: false, encoding: 'utf8' });
  const m = /version (\d+)\.(\d+)/.exec(String(r.stdout ?? ''));
  if (m && (Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 9))) return;
  throw new UserError(`recording in a container needs strace 5.9 or newer (--pidns-translation); this one says: ${String(r.stdout ?? '').split('\n')[0] || 'nothing'}`);
}

export async function recordInContainer(o: InContainerOptions, collector: Collector): Promise<InContainerOutcome> {
  if (!o.cmd.length) throw new OptionError((n) => `${n('cmd')} is empty: no command to run in the container`);
  const runtime = o.runtime ?? 'runc';
  const strace = which('strace');
  if (!strace) throw new UserError('strace is not installed: apt-get install -y strace (or dnf install strace)');
  const rt = findRuntime(runtime);
  await assertStraceCanTranslate(strace);
  const version = await runtimeVersion(rt);
  const spec = recordingSpec(o);
  const bundle = await makeBundle(spec);
  const execa = await loadExeca();
  const id = containerId();
  const logFile = join(bundle.dir, `${id}.log`);
  let filter: AfterFilterInstall | undefined;
  try {
    const { file, args } = runtimeArgv(rt, ['run', '--bundle', bundle.dir, id], logFile);
    // SIGINT/SIGTERM: stop the container as `docker stop` does — the signal to its init (pid 1 in the
    // container ignores signals it has no handler for), then SIGKILL after STOP_GRACE_MS. strace itself
    // ignores them (-o FILE PROG blocks fatal signals) and ends when runc does. A signal that comes
    // before the program has started (its execve seen in the trace) is sent once it has: before that
    // it would reach the runtime's init, or no container at all.
    let killer: NodeJS.Timeout | undefined;
    let over = false;
    const stop = async (sig: string) => {
      while (!over && !filter?.stats.execed) await sleep(50);
      const k = runtimeArgv(rt, ['kill', id, sig]);
      while (!over && (await execa(k.file, k.args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })).exitCode !== 0) {
        await sleep(250);
      }
    };
    const outcome = await recordWithStrace({ cmd: [file, ...args] }, collector, {
      straceArgs: ['--pidns-translation'],
      stage: (pass, drop) => (filter = new AfterFilterInstall(pass, drop)),
      interrupt: (sig) => {
        void stop(sig);
        killer ??= setTimeout(() => void stop('KILL'), STOP_GRACE_MS);
      },
    }).finally(() => {
      over = true;
      clearTimeout(killer);
    });
    const errors = runtimeErrors(await fsp.readFile(logFile, 'utf8').catch(() => '')).map((x) => escapeControl(x));
    const prog = escapeControl(o.cmd[0]!);
    const cut = filter!.stats;
    if (!cut.install) {
      if (errors.length) throw new UserError(`${runtime} could not run ${prog}: ${errors.join('; ')}`);
      throw new UserError(`${runtime} exited ${outcome.exitCode} without installing a seccomp filter that strace saw (no successful prctl(PR_SET_SECCOMP) or seccomp(SECCOMP_SET_MODE_FILTER)): nothing to record`);
    }
    // After the install the runtime can still fail before the program runs (not found in the container, a capability call…).
    if (errors.length && !cut.execed) throw new UserError(`${runtime} failed to start ${prog} in the container: ${errors.join('; ')}`);
    const warnings = errors.map((e) => `${runtime} reported after ${prog} started: ${e}`);
    const install = { ...cut.install, call: escapeControl(cut.install.call) };
    return { ...outcome, runtime, version, noNewPrivileges: spec.noNewPrivileges, cut: { ...cut, install }, warnings };
  } finally {
    const { file, args } = runtimeArgv(rt, ['delete', '-f', id]);
    await execa(file, args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
    await bundle.remove();
  }
}

/** For --json: what was recorded where. */
export function inContainerSummary(r: InContainerOutcome): Record<string, unknown> {
  return {
    runtime: r.runtime,
    version: r.version,
    noNewPrivileges: r.noNewPrivileges,
    installPid: r.cut.install.pid,
    installCall: r.cut.install.call.replace(/\s+=/, ' ='),
    linesKept: r.cut.passed,
    linesDropped: r.cut.dropped,
    linesUnattributed: r.cut.unattributed,
    warnings: r.warnings,
  };
}

/** The lines the summary gets after the generator's report. */
export function inContainerNote(r: InContainerOutcome & { measuredSetsAdded?: boolean }): string {
  const call = r.cut.install.call.replace(/\s+=/, ' =');
  return (
    `recorded in the container: ${r.version}, noNewPrivileges ${r.noNewPrivileges}; cut at ${call.length > 90 ? `${call.slice(0, 87)}...` : call} ` +
    `(pid ${r.cut.install.pid}); ${r.cut.passed} trace line(s) of the filtered processes kept, ${r.cut.dropped} of the runtime before the filter or outside it dropped` +
    `${r.cut.unattributed ? ` (${r.cut.unattributed} of processes whose creator was not seen)` : ''}\n` +
    r.warnings.map((w) => `warning: ${w}\n`).join('') +
    (r.measuredSetsAdded
      ? `note: the measured sets of every runtime (--runtime any) were added as well, for other runtimes and releases\n`
      : `note: the runtime's own calls after the install were recorded for this runtime, release and privilege mode only; ` +
        `another runtime or release may make more (--runtime any adds the measured sets of runc and crun, or record again under it)\n`)
  );
}
