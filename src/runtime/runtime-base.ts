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
import { UserError } from '../errors.js';
import type { SeccompProfile } from '../profile/types.js';
import { syscallName } from '../resolve.js';
import type { Observation } from '../types.js';
import { makeBundle, runBundle, setSeccomp } from './bundle.js';
import { markLog, namesOf, recordsSince } from './denials.js';
import { INIT_COMMS, RUNTIMES, type RuntimeName, findRuntime, runtimeVersion } from './runc.js';

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
    throw new UserError(`no measured post-filter syscall set for ${runtime}${noNewPrivileges ? ' with noNewPrivileges' : ''} (measure it with: syscribe runtime-base --runtime ${runtime}${noNewPrivileges ? ' --no-new-privileges' : ''} --save), or use --runtime none`);
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
  /** How the runtime had to be run here (crun on a hybrid cgroup host). */
  note?: string;
}

const PROGRAM = '/bin/true';
const PROGRAM_COMM = 'true';

function isExitGroup(o: Observation): boolean {
  return o.nr !== undefined && syscallName(archById(o.arch), o.nr) === 'exit_group';
}

/** Measure a runtime's post-filter calls (see the module comment). Needs root, the runtime, and auditd (or kernel logging). */
export async function measureRuntimeBase(runtime: RuntimeName, runs = 5, opts: { timeoutSec?: number; noNewPrivileges?: boolean } = {}): Promise<Measurement> {
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`--runs ${runs}: a positive whole number`);
  const rt = findRuntime(runtime);
  const arch = hostArch();
  const architectures = arch.family.map((a) => archById(a).scmp);
  const logAll: SeccompProfile = { defaultAction: 'SCMP_ACT_LOG', architectures, syscalls: [] };
  const noNewPrivileges = opts.noNewPrivileges ?? false;
  const spec = { args: [PROGRAM], cwd: '/', noNewPrivileges };
  const bundle = await makeBundle({ ...spec, seccomp: logAll });
  const runtimeRecs: Observation[] = [];
  const programRecs: Observation[] = [];
  const seenIn: Record<string, number> = {};
  const comms = new Set<string>();
  let lost = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const mark = await markLog();
      const r = await runBundle(bundle, rt, { timeoutSec: opts.timeoutSec ?? 30 });
      if (r.runtimeError || r.exitCode !== 0 || r.pid === undefined) {
        throw new UserError(`${runtime} could not run a trivial container (${PROGRAM}): ${r.runtimeError ?? (r.stderr.trim().split('\n')[0] || `exit ${r.exitCode}`)}`);
      }
      const pid = r.pid;
      // /bin/true's exit_group is its last call: once it is in the log, so is everything before it.
      const got = await recordsSince(mark, (o) => o.pid === pid, { done: (recs) => recs.some((o) => o.comm === PROGRAM_COMM && isExitGroup(o)), maxMs: 5000 });
      lost += got.lost;
      const mine = got.records.filter((o) => o.comm !== PROGRAM_COMM);
      if (!mine.length) {
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
    await setSeccomp(bundle, { ...spec, seccomp: { defaultAction: 'SCMP_ACT_ERRNO', architectures, syscalls: [{ names: allow, action: 'SCMP_ACT_ALLOW' }] } });
    const proof = await runBundle(bundle, rt, { timeoutSec: opts.timeoutSec ?? 30 });
    const confirmed = proof.exitCode === 0 && !proof.runtimeError && !proof.timedOut;
    const m: Measurement = {
      runtime, noNewPrivileges, version: await runtimeVersion(rt), arch: arch.id, runs, syscalls, seenIn, records: runtimeRecs.length,
      comms: [...comms].sort(), programSyscalls, confirmed, lost,
    };
    if (!confirmed) m.confirmNote = proof.runtimeError ?? (proof.timedOut ? 'timed out' : `exit ${proof.exitCode}: ${proof.stderr.trim().split('\n')[0] ?? ''}`);
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
      `syscribe runtime-base --runtime ${m.runtime}${m.noNewPrivileges ? ' --no-new-privileges' : ''} --runs ${m.runs}: ${m.runtime} run of ${PROGRAM} in a bundle ` +
      `with process.noNewPrivileges ${m.noNewPrivileges} whose linux.seccomp is ` +
      `{defaultAction: SCMP_ACT_LOG, architectures: native family}; the union of the type=SECCOMP records of the container init pid ` +
      `(--pid-file) made before the program took over (comm ${m.comms.map((c) => `"${c}"`).join(', ') || `"${initComm}"`}), i.e. the runtime's ` +
      `own calls after installing the filter, up to and including the execve of the program; ` +
      `${m.confirmed ? `proven: ${PROGRAM} runs under defaultAction SCMP_ACT_ERRNO allowing only this set and its own calls` : 'NOT proven'}` +
      `${m.note ? `; ${m.note}` : ''}`,
    syscalls: m.syscalls,
  };
}
