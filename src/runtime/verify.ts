/**
 * verify: run CMD twice in the same OCI bundle under a real runtime, once
 * without a seccomp filter and once with the profile, and compare the exit
 * status (and stdout on request). On a mismatch, run CMD a third time under
 * the profile's log twin — every action that would deny turned into
 * SCMP_ACT_LOG, so the program goes on and the kernel logs each call the
 * profile would have denied — and name those calls from the audit log (or
 * dmesg). The twin is used rather than SECCOMP_FILTER_FLAG_LOG because runc
 * 1.1 refuses profiles with flags ("seccomp flags are not yet supported by
 * runc"), and because a program that stops at its first denial would show
 * only that one.
 *
 * Cannot run (UserError, exit 2): the runtime is missing, not root, the
 * profile is invalid, or CMD does not run in the container even without a
 * profile. Everything that goes wrong only under the profile is a finding.
 */
import { UserError } from '../errors.js';
import type { SeccompProfile, SyscallRule } from '../profile/types.js';
import { validateProfile } from '../profile/validate.js';
import { type BundleSpec, type RunResult, makeBundle, runBundle, setSeccomp } from './bundle.js';
import { markLog, namesOf, pidWindow, recordsSince } from './denials.js';
import { type RuntimeName, findRuntime, runtimeVersion } from './runc.js';

export interface VerifyOptions {
  profile: SeccompProfile;
  cmd: string[];
  /** Working directory in the container (bound read-write from the host). Default: process.cwd(). */
  cwd?: string;
  runtime?: RuntimeName;
  compareOutput?: boolean;
  /** Seconds per run (default 60). */
  timeoutSec?: number;
  /** process.noNewPrivileges of the bundle (default: the bundle's). */
  noNewPrivileges?: boolean;
}

export interface VerifyResult {
  pass: boolean;
  runtime: RuntimeName;
  /** e.g. "runc 1.1.5+ds1 (commit …, libseccomp 2.5.4)". */
  version: string;
  unconfined: RunResult;
  confined: RunResult;
  /** The log-twin rerun (only on failure). */
  logged?: RunResult;
  /** Why it failed, in words. */
  reason?: string;
  /** Syscalls the profile denied (from the logged rerun), canonical names, sorted. */
  denied: string[];
  /** Things to know about the result (lost log records, nothing found to blame…). */
  warnings: string[];
}

const DENYING = (r: SyscallRule) => r.action !== 'SCMP_ACT_ALLOW' && r.action !== 'SCMP_ACT_LOG';

/**
 * P with every denial turned into SCMP_ACT_LOG: the default action and the
 * rules that would deny. Flags, errno values and the notify listener go (they
 * only matter to denials, and runc 1.1 refuses flags).
 */
export function logTwin(p: SeccompProfile): SeccompProfile {
  const t: SeccompProfile = { ...p, defaultAction: DENYING({ names: [], action: p.defaultAction }) ? 'SCMP_ACT_LOG' : p.defaultAction };
  delete t.defaultErrnoRet;
  delete t.flags;
  delete t.listenerPath;
  delete t.listenerMetadata;
  t.syscalls = (p.syscalls ?? []).map((r) => {
    if (!DENYING(r)) return r;
    const { errnoRet: _e, ...rest } = r;
    return { ...rest, action: 'SCMP_ACT_LOG' };
  });
  return t;
}

/**
 * Could P deny `name` (for some arguments)? False only when P lets it through
 * unconditionally: a rule without argument conditions that allows (or logs)
 * it, or an allowing default with no denying rule for it. Records of calls P
 * cannot deny are not P's denials (another LOG profile on the host made them).
 */
export function mayDeny(p: SeccompProfile): (name: string) => boolean {
  const rules = p.syscalls ?? [];
  const uncondAllow = new Set<string>();
  const denyRule = new Set<string>();
  for (const r of rules) {
    for (const n of r.names) {
      if (!DENYING(r) && !r.args?.length) uncondAllow.add(n);
      if (DENYING(r)) denyRule.add(n);
    }
  }
  const defaultDenies = DENYING({ names: [], action: p.defaultAction });
  return (name) => {
    if (uncondAllow.has(name)) return false;
    return defaultDenies || denyRule.has(name);
  };
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

/** Where two outputs first differ, for the message. */
function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: ${JSON.stringify((la[i] ?? '<none>').slice(0, 80))} without the profile, ${JSON.stringify((lb[i] ?? '<none>').slice(0, 80))} with it`;
  }
  return 'they differ';
}

export async function verifyProfile(o: VerifyOptions): Promise<VerifyResult> {
  const runtime = o.runtime ?? 'runc';
  if (!o.cmd.length) throw new UserError('name the command to run (syscribe verify --profile P -- CMD ARGS...)');
  const v = validateProfile(o.profile);
  if (!v.ok) throw new UserError(`not a valid OCI seccomp profile: ${v.errors.slice(0, 3).join('; ')}`);
  const timeoutSec = o.timeoutSec ?? 60;
  if (!(timeoutSec > 0)) throw new UserError(`--timeout ${timeoutSec}: a positive number of seconds`);
  const rt = findRuntime(runtime);
  const version = await runtimeVersion(rt);
  const spec: BundleSpec = { args: o.cmd, cwd: o.cwd ?? process.cwd() };
  if (o.noNewPrivileges !== undefined) spec.noNewPrivileges = o.noNewPrivileges;
  const run = { timeoutSec };
  const bundle = await makeBundle(spec);
  try {
    const unconfined = await runBundle(bundle, rt, run);
    if (unconfined.runtimeError || unconfined.pid === undefined) {
      throw new UserError(`${runtime} could not run ${o.cmd[0]} even without a profile: ${unconfined.runtimeError ?? (firstLine(unconfined.stderr) || `exit ${unconfined.exitCode}`)}`);
    }
    if (unconfined.timedOut) throw new UserError(`${o.cmd.join(' ')} did not finish within ${timeoutSec}s even without a profile (raise --timeout)`);

    await setSeccomp(bundle, { ...spec, seccomp: o.profile });
    const confined = await runBundle(bundle, rt, run);
    let reason: string | undefined;
    if (confined.timedOut) reason = `timed out after ${timeoutSec}s under the profile (exits ${unconfined.exitCode} without it)`;
    else if (confined.runtimeError) reason = `${runtime} failed under the profile: ${confined.runtimeError}`;
    else if (confined.exitCode !== unconfined.exitCode) reason = `exit status ${confined.exitCode} under the profile, ${unconfined.exitCode} without it`;
    else if (o.compareOutput && confined.stdout !== unconfined.stdout) reason = `stdout differs under the profile (${firstDifference(unconfined.stdout, confined.stdout)})`;
    if (!reason) return { pass: true, runtime, version, unconfined, confined, denied: [], warnings: [] };

    // The log twin: what P would deny runs on and is logged.
    const warnings: string[] = [];
    await setSeccomp(bundle, { ...spec, seccomp: logTwin(o.profile) });
    const mark = await markLog();
    const logged = await runBundle(bundle, rt, run);
    let denied: string[] = [];
    if (logged.pid === undefined) {
      warnings.push(`${runtime} did not start the container under the profile's log twin either: ${logged.runtimeError ?? firstLine(logged.stderr)}`);
    } else {
      // The container's processes have host pids from its init's up to the last pid handed out when it
      // was over (pids are allocated in order). Other processes in that window under some other LOG
      // profile could slip in (the audit log is shared): only calls P could deny are kept.
      const inWindow = pidWindow(logged.pid, logged.lastPid);
      const could = mayDeny(o.profile);
      const got = await recordsSince(mark, (r) => r.action === 'log' && inWindow(r.pid));
      denied = namesOf(got.records).filter((n) => n.includes(':') || could(n));
      if (got.lost) warnings.push(`the ${got.source === 'audit' ? 'audit log' : 'kernel log'} reported ${got.lost} lost record(s): the list of denied syscalls may be incomplete`);
      if (got.source === 'dmesg') warnings.push('auditd is not running: read the kernel log, where audit records are rate-limited; start auditd for a complete list');
    }
    if (!denied.length) warnings.push('no denial records found: is auditd running (or the kernel logging audit records) and "log" in /proc/sys/kernel/seccomp/actions_logged? A profile can also differ without a denial (an argument condition, a different errno)');
    return { pass: false, runtime, version, unconfined, confined, logged, reason, denied, warnings };
  } finally {
    await bundle.remove();
  }
}
