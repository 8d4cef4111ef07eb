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
import { INIT_COMMS, type RuntimeName, findRuntime, runtimeVersion } from './runc.js';

export interface RuntimeBase {
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

/** The stored post-filter set of `runtime` (sorted). Throws a UserError when it was never measured. */
export function runtimeBaseSyscalls(runtime: RuntimeName): string[] {
  const d = Object.prototype.hasOwnProperty.call(runtimeBaseData(), runtime) ? runtimeBaseData()[runtime] : undefined;
  if (!d) {
    throw new UserError(`no measured post-filter syscall set for ${runtime} (measure it with: syscribe runtime-base --runtime ${runtime} --save), or use --runtime none`);
  }
  return [...d.syscalls];
}

export function runtimeBasePath(): string {
  return DATA_PATH;
}

export interface Measurement {
  runtime: RuntimeName;
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
export async function measureRuntimeBase(runtime: RuntimeName, runs = 5, opts: { timeoutSec?: number } = {}): Promise<Measurement> {
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`--runs ${runs}: a positive whole number`);
  const rt = findRuntime(runtime);
  const arch = hostArch();
  const architectures = arch.family.map((a) => archById(a).scmp);
  const logAll: SeccompProfile = { defaultAction: 'SCMP_ACT_LOG', architectures, syscalls: [] };
  const spec = { args: [PROGRAM], cwd: '/' };
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
      runtime, version: await runtimeVersion(rt), arch: arch.id, runs, syscalls, seenIn, records: runtimeRecs.length,
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
    version: m.version,
    measured,
    arch: m.arch,
    runs: m.runs,
    method:
      `syscribe runtime-base --runtime ${m.runtime} --runs ${m.runs}: ${m.runtime} run of ${PROGRAM} in a bundle whose linux.seccomp is ` +
      `{defaultAction: SCMP_ACT_LOG, architectures: native family}; the union of the type=SECCOMP records of the container init pid ` +
      `(--pid-file) made before the program took over (comm ${m.comms.map((c) => `"${c}"`).join(', ') || `"${initComm}"`}), i.e. the runtime's ` +
      `own calls after installing the filter, up to and including the execve of the program; ` +
      `${m.confirmed ? `proven: ${PROGRAM} runs under defaultAction SCMP_ACT_ERRNO allowing only this set and its own calls` : 'NOT proven'}` +
      `${m.note ? `; ${m.note}` : ''}`,
    syscalls: m.syscalls,
  };
}
