/**
 * The syscalls an OCI runtime itself makes after it installs the container's
 * seccomp filter, up to and including the execve of the user program. A
 * profile must allow them or the container never starts. Measured with
 * `syscribe runtime-base --runtime R --save` into src/data/runtime-base.json.
 *
 * How: run /bin/true N times under a profile that logs everything
 * (defaultAction SCMP_ACT_LOG, the native arch family) and keep the records
 * of the container's init pid (the runtime's --pid-file) whose comm is not
 * the program's: after the execve the comm is "true"; before it, it is the
 * runtime's ("runc:[2:INIT]" for runc, "crun" for crun). The seccomp check
 * happens at syscall entry, so the execve itself still carries the runtime's
 * comm. Then the set is proven: /bin/true must run under a profile that
 * allows only the set plus /bin/true's own calls (defaultAction SCMP_ACT_ERRNO).
 *
 * Both privilege modes are measured and stored apart: with noNewPrivileges
 * false (docker, podman, Kubernetes defaults) runc installs the filter before
 * it drops capabilities, sets the user and changes directory, so its set is
 * much larger than with noNewPrivileges true (installed last). Data keys:
 * "runc" / "crun" (noNewPrivileges false) and "runc+nnp" / "crun+nnp".
 *
 * A measured set covers the release installed here. Calls that newer
 * releases make after the filter (read from their source) are kept in
 * src/data/runtime-extra.json, each with where it came from; the set a
 * profile gets is measured ∪ extra, so it keeps starting after a node
 * upgrades its runtime.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { archById, hostArch } from '../arch.js';
import { OptionError, UserError } from '../errors.js';
import type { SeccompProfile } from '../profile/types.js';
import { syscallName } from '../resolve.js';
import type { Observation } from '../types.js';
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { loadExeca } from '../util/exec.js';
import { type Bundle, type BundleSpec, containerId, makeBundle, runBundle, setSeccomp } from './bundle.js';
import { markLog, namesOf, recordsSince } from './denials.js';
import { INIT_COMMS, RUNTIMES, type Runtime, type RuntimeName, findRuntime, runtimeArgv, runtimeErrors, runtimeVersion } from './runc.js';

export interface RuntimeBase {
  runtime?: RuntimeName;
  noNewPrivileges?: boolean;
  version: string;
  measured: string;
  arch: string;
  runs: number;
  method: string;
  syscalls: string[];
}

const require = createRequire(import.meta.url);
/** The data file lives in src/data (shipped: package.json "files"); dist/runtime and src/runtime are both two levels below the package root. */
const DATA_PATH = require.resolve('../../src/data/runtime-base.json');
const EXTRA_PATH = require.resolve('../../src/data/runtime-extra.json');

/** The data file key of a runtime in a privilege mode. */
export function runtimeBaseKey(runtime: RuntimeName, noNewPrivileges = false): string {
  return noNewPrivileges ? `${runtime}+nnp` : runtime;
}

/** A call some runtime release makes after installing the filter, read from its source (not measured here). */
export interface ExtraSyscall {
  name: string;
  /** The privilege modes in which that release makes it after the filter. */
  modes: Array<'nnp=false' | 'nnp=true'>;
  /** Releases that make it ("runc >= 1.2.0"). */
  releases: string;
  /** File(s) and function(s) in that release's source. */
  source: string;
  why: string;
}

/** runtime-extra.json: per runtime, the calls newer (or other) releases make after the filter. */
export function runtimeExtraData(path = EXTRA_PATH): Partial<Record<RuntimeName, ExtraSyscall[]>> {
  const j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const out: Partial<Record<RuntimeName, ExtraSyscall[]>> = {};
  for (const r of RUNTIMES) if (Array.isArray(j[r])) out[r] = j[r] as ExtraSyscall[];
  return out;
}

/** The names runtime-extra.json adds for `runtime` in that mode, sorted. */
export function runtimeExtraSyscalls(runtime: RuntimeName, noNewPrivileges = false): string[] {
  const mode = noNewPrivileges ? 'nnp=true' : 'nnp=false';
  return [...new Set((runtimeExtraData()[runtime] ?? []).filter((e) => e.modes.includes(mode)).map((e) => e.name))].sort();
}

/** Everything measured so far, read fresh from the data file (or another file of that shape; a missing one is empty). */
export function runtimeBaseData(path = DATA_PATH): Record<string, RuntimeBase> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (path !== DATA_PATH && (e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    return JSON.parse(text) as Record<string, RuntimeBase>;
  } catch (e) {
    throw new UserError(`${path}: not JSON (${(e as Error).message})`);
  }
}

/** The measured post-filter set of `runtime` in that privilege mode (sorted). Throws a UserError when it was never measured. */
export function runtimeMeasuredSyscalls(runtime: RuntimeName, noNewPrivileges = false): string[] {
  const key = runtimeBaseKey(runtime, noNewPrivileges);
  const data = runtimeBaseData();
  const d = Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
  if (!d) {
    throw new OptionError((n) => `no measured post-filter syscall set for ${runtime}${noNewPrivileges ? ' with noNewPrivileges' : ''} (measure it with: syscribe runtime-base --runtime ${runtime}${noNewPrivileges ? ' --no-new-privileges' : ''} --save), or use ${n('runtime')} none`);
  }
  return [...d.syscalls];
}

/**
 * The post-filter set a profile must allow for `runtime` (or "any": runc and
 * crun together) in that privilege mode: measured here ∪ what newer releases
 * make (runtime-extra.json), sorted. noNewPrivileges false is the default:
 * what docker, podman and an unconfigured pod do.
 */
export function runtimeBaseSyscalls(runtime: RuntimeName | 'any', noNewPrivileges = false): string[] {
  const list = runtime === 'any' ? RUNTIMES : [runtime];
  const out = new Set<string>();
  for (const r of list) {
    for (const n of runtimeMeasuredSyscalls(r, noNewPrivileges)) out.add(n);
    for (const n of runtimeExtraSyscalls(r, noNewPrivileges)) out.add(n);
  }
  return [...out].sort();
}

export function runtimeBasePath(): string {
  return DATA_PATH;
}

export interface Measurement {
  runtime: RuntimeName;
  /** The bundle's process.noNewPrivileges. */
  noNewPrivileges: boolean;
  /** `runc 1.1.5+ds1 (commit …, libseccomp 2.5.4)`. */
  version: string;
  arch: string;
  runs: number;
  /** The union over all runs, sorted. */
  syscalls: string[];
  /** In how many runs each syscall was seen (Go's runtime in runc init makes some calls only now and then). */
  seenIn: Record<string, number>;
  /** Records attributed to the runtime, over all runs. */
  records: number;
  /** comm values of those records. */
  comms: string[];
  /** /bin/true's own calls (after its execve), for the proof run. */
  programSyscalls: string[];
  /** The proof: /bin/true ran (exit 0) under defaultAction SCMP_ACT_ERRNO allowing only syscalls ∪ programSyscalls. */
  confirmed: boolean;
  confirmNote?: string;
  /** Loss signals seen in the log while measuring (should be 0). */
  lost: number;
  /** Runs whose program exit_group never showed up in the log (the log was behind or dropped records). */
  incomplete: number;
  /** How the runtime had to be run here (crun on a hybrid cgroup host). */
  note?: string;
}

const PROGRAM = '/bin/true';
const PROGRAM_COMM = 'true';
/**
 * The ways a container is started, measured in turn: `run` (what verify does)
 * or `create` then `start` (what containerd, docker and podman do: the init
 * waits on the exec fifo, after the filter when noNewPrivileges is false);
 * the program named by absolute path or by name (the runtime then looks it up
 * in PATH, possibly after the filter); as root or as uid/gid 1000 (a pod's
 * runAsUser: runc then chowns the stdio pipes after the filter). Every pair of
 * choices comes up.
 */
const NON_ROOT = { uid: 1000, gid: 1000 };
const VARIANTS: ReadonlyArray<{ lifecycle: 'run' | 'create-start'; argv0: string; user?: { uid: number; gid: number } }> = [
  { lifecycle: 'run', argv0: PROGRAM },
  { lifecycle: 'create-start', argv0: PROGRAM, user: NON_ROOT },
  { lifecycle: 'run', argv0: 'true', user: NON_ROOT },
  { lifecycle: 'create-start', argv0: 'true' },
];

/**
 * `RUNTIME create` then `RUNTIME start`, as container engines do; stdio is
 * /dev/null. Resolves once the container was started, with its init pid (or
 * the runtime's error). The caller waits for the program's records, then
 * calls `remove`.
 */
async function createStart(b: Bundle, rt: Runtime, timeoutSec: number): Promise<{ pid?: number; error?: string; remove: () => Promise<void> }> {
  const execa = await loadExeca();
  const id = containerId();
  const pidFile = join(b.dir, `${id}.pid`);
  const logFile = join(b.dir, `${id}.log`);
  // stdio /dev/null: the container inherits the runtime's, and a pipe would stay open as long as it runs.
  const opts = { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', encoding: 'utf8', cwd: b.dir, timeout: timeoutSec * 1000, forceKillAfterDelay: 2000 } as const;
  const remove = async () => {
    const d = runtimeArgv(rt, ['delete', '-f', id]);
    await execa(d.file, d.args, { reject: false, stdin: 'ignore' });
  };
  const c = runtimeArgv(rt, ['create', '--bundle', b.dir, '--pid-file', pidFile, id], logFile);
  const cr = await execa(c.file, c.args, opts);
  const pidText = (await fsp.readFile(pidFile, 'utf8').catch(() => '')).trim();
  const errors = () => fsp.readFile(logFile, 'utf8').catch(() => '').then(runtimeErrors);
  if (cr.exitCode !== 0 || !pidText) return { error: (await errors()).join('; ') || `create exited ${cr.exitCode}`, remove };
  const st = runtimeArgv(rt, ['start', id], logFile);
  const sr = await execa(st.file, st.args, opts);
  if (sr.exitCode !== 0) return { pid: Number(pidText), error: (await errors()).join('; ') || `start exited ${sr.exitCode}`, remove };
  return { pid: Number(pidText), remove };
}

/** The container's exit status (create/start: the init is not our child, so it is seen only through the log). */
async function startVariant(
  bundle: Bundle, rt: Runtime, spec: BundleSpec, v: (typeof VARIANTS)[number], timeoutSec: number,
): Promise<{ pid?: number; error?: string; exitCode?: number; remove: () => Promise<void> }> {
  await setSeccomp(bundle, { ...spec, args: [v.argv0], ...(v.user ? { user: v.user } : {}) });
  if (v.lifecycle === 'run') {
    const r = await runBundle(bundle, rt, { timeoutSec });
    const out: { pid?: number; error?: string; exitCode?: number; remove: () => Promise<void> } = { exitCode: r.exitCode, remove: async () => {} };
    if (r.pid !== undefined) out.pid = r.pid;
    const error = r.runtimeError ?? (r.timedOut ? 'timed out' : r.exitCode !== 0 ? (r.stderr.trim().split('\n')[0] || `exit ${r.exitCode}`) : undefined);
    if (error) out.error = error;
    return out;
  }
  return createStart(bundle, rt, timeoutSec);
}

function isExitGroup(o: Observation): boolean {
  return o.nr !== undefined && syscallName(archById(o.arch), o.nr) === 'exit_group';
}

/** Measure a runtime's post-filter calls (see the module comment). Needs root, the runtime, and auditd (or kernel logging). */
export async function measureRuntimeBase(runtime: RuntimeName, runs = 5, opts: { timeoutSec?: number; noNewPrivileges?: boolean } = {}): Promise<Measurement> {
  if (!Number.isInteger(runs) || runs < 1) throw new OptionError((n) => `${n('runs')} ${runs}: a positive whole number`);
  const rt = findRuntime(runtime);
  const arch = hostArch();
  const architectures = arch.family.map((a) => archById(a).scmp);
  const logAll: SeccompProfile = { defaultAction: 'SCMP_ACT_LOG', architectures, syscalls: [] };
  const noNewPrivileges = opts.noNewPrivileges ?? false;
  const spec = { args: [PROGRAM], cwd: '/', noNewPrivileges };
  const timeoutSec = opts.timeoutSec ?? 30;
  const bundle = await makeBundle({ ...spec, seccomp: logAll });
  const runtimeRecs: Observation[] = [];
  const programRecs: Observation[] = [];
  const seenIn: Record<string, number> = {};
  const comms = new Set<string>();
  let lost = 0;
  let incomplete = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const v = VARIANTS[i % VARIANTS.length]!;
      const mark = await markLog();
      const r = await startVariant(bundle, rt, { ...spec, seccomp: logAll }, v, timeoutSec);
      let got;
      try {
        if (r.error || r.pid === undefined) {
          throw new UserError(`${runtime} could not run a trivial container (${v.argv0}, ${v.lifecycle}): ${r.error ?? 'no pid'}`);
        }
        const pid = r.pid;
        // /bin/true's exit_group is its last call: once it is in the log, so is everything before it.
        got = await recordsSince(mark, (o) => o.pid === pid, { done: (recs) => recs.some((o) => o.comm === PROGRAM_COMM && isExitGroup(o)), maxMs: 15000 });
      } finally {
        await r.remove();
      }
      const pid = r.pid;
      // The program's exit_group not in the log after 15 s: the log is behind or dropped records. What did
      // arrive are real calls (kept); the run is counted so the caller can tell.
      if (!got.records.some((o) => o.comm === PROGRAM_COMM && isExitGroup(o))) incomplete++;
      lost += got.lost;
      const mine = got.records.filter((o) => o.comm !== PROGRAM_COMM);
      if (!mine.length && !runtimeRecs.length && i >= 2) {
        throw new UserError(`no seccomp records from ${runtime}'s container init (pid ${pid}) in the ${got.source === 'audit' ? 'audit log' : 'kernel log'}: is auditd running (or the kernel logging audit records), and "log" in /proc/sys/kernel/seccomp/actions_logged?`);
      }
      for (const o of mine) if (o.comm) comms.add(o.comm);
      for (const n of namesOf(mine)) seenIn[n] = (seenIn[n] ?? 0) + 1;
      runtimeRecs.push(...mine);
      programRecs.push(...got.records.filter((o) => o.comm === PROGRAM_COMM));
    }
    const syscalls = namesOf(runtimeRecs);
    const programSyscalls = namesOf(programRecs);
    const unknown = syscalls.filter((n) => n.includes(':'));
    if (unknown.length) throw new UserError(`${runtime} made calls the syscall table does not know: ${unknown.join(', ')}; not guessing`);

    // The proof: deny everything else with EPERM.
    const allow = [...new Set([...syscalls, ...programSyscalls])].sort();
    const proofProfile: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', architectures, syscalls: [{ names: allow, action: 'SCMP_ACT_ALLOW' }] };
    // create/start: the init is not our child and its exit status is not seen, so that proof runs under
    // SCMP_ACT_KILL_PROCESS (stricter than ERRNO; the kernel logs each kill): no record and the init gone = it ran.
    const killProfile: SeccompProfile = { ...proofProfile, defaultAction: 'SCMP_ACT_KILL_PROCESS' };
    let confirmNote: string | undefined;
    for (const v of VARIANTS.slice(0, Math.min(runs, VARIANTS.length))) {
      const mark = await markLog();
      const p = await startVariant(bundle, rt, { ...spec, seccomp: v.lifecycle === 'run' ? proofProfile : killProfile }, v, timeoutSec);
      try {
        if (p.error || p.pid === undefined) confirmNote = `${v.lifecycle} of ${v.argv0}: ${p.error ?? 'no pid'}`;
        else if (v.lifecycle === 'create-start') {
          const pid = p.pid;
          const t0 = Date.now();
          while (await fsp.stat(`/proc/${pid}/exe`).then(() => true, () => false)) {
            if (Date.now() - t0 > timeoutSec * 1000) {
              confirmNote = `${v.lifecycle} of ${v.argv0}: still running after ${timeoutSec}s`;
              break;
            }
            await new Promise((res) => setTimeout(res, 20));
          }
          const killed = await recordsSince(mark, (o) => o.pid === pid, { quietMs: 300, maxMs: 1500 });
          if (killed.records.length) confirmNote = `${v.lifecycle} of ${v.argv0}: killed at ${namesOf(killed.records).join(', ')}`;
        }
      } finally {
        await p.remove();
      }
      if (confirmNote) break;
    }
    const confirmed = !confirmNote;
    const m: Measurement = {
      runtime, noNewPrivileges, version: await runtimeVersion(rt), arch: arch.id, runs, syscalls, seenIn, records: runtimeRecs.length,
      comms: [...comms].sort(), programSyscalls, confirmed, lost, incomplete,
    };
    if (confirmNote) m.confirmNote = confirmNote;
    if (rt.note) m.note = rt.note;
    return m;
  } finally {
    await bundle.remove();
  }
}

/** The data file entry for a measurement. */
export function toRuntimeBase(m: Measurement, measured = new Date().toISOString().slice(0, 10)): RuntimeBase {
  const initComm = INIT_COMMS[m.runtime];
  return {
    runtime: m.runtime,
    noNewPrivileges: m.noNewPrivileges,
    version: m.version,
    measured,
    arch: m.arch,
    runs: m.runs,
    method:
      `syscribe runtime-base --runtime ${m.runtime}${m.noNewPrivileges ? ' --no-new-privileges' : ''} --runs ${m.runs}: ${m.runtime} run, and create + start, ` +
      `of ${PROGRAM} (by path and by name, as root and as uid 1000) in a bundle ` +
      `with process.noNewPrivileges ${m.noNewPrivileges} whose linux.seccomp is ` +
      `{defaultAction: SCMP_ACT_LOG, architectures: native family}; the union of the type=SECCOMP records of the container init pid ` +
      `(--pid-file) made before the program took over (comm ${m.comms.map((c) => `"${c}"`).join(', ') || `"${initComm}"`}), i.e. the runtime's ` +
      `own calls after installing the filter, up to and including the execve of the program; ` +
      `${m.confirmed ? `proven: ${PROGRAM} runs under defaultAction SCMP_ACT_ERRNO allowing only this set and its own calls` : 'NOT proven'}` +
      `${m.note ? `; ${m.note}` : ''}`,
    syscalls: m.syscalls,
  };
}
