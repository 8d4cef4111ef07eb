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
import { existsSync } from 'node:fs';
import { OptionError, type OptionNamer, UserError } from '../errors.js';
import type { Observation } from '../types.js';
import type { SeccompProfile, SyscallRule } from '../profile/types.js';
import { validateProfile } from '../profile/validate.js';
import { showArgv } from '../util/argv.js';
import { type BackgroundResult, type Bundle, type BundleSpec, type RunResult, makeBundle, runBundle, setSeccomp, startBundle } from './bundle.js';
import { type Mark, markLog, namesOf, pidWindow, recordsSince, writeSentinel } from './denials.js';
import { INIT_COMMS, type Runtime, type RuntimeName, findRuntime, runtimeVersion } from './runc.js';
import { type ProbeRun, type Readiness, type ReadyOutcome, portOpen, runProbe, waitReady } from './server.js';

export interface ServerOptions {
  /** How to tell that the server is ready: a TCP port on 127.0.0.1 or a host command; and how long to wait. */
  ready: Readiness;
  /** Client commands (argv) run on the host against the ready server, in order; each must exit 0. */
  probes: string[][];
  /** Seconds between SIGTERM and SIGKILL when the server is stopped (default 10, as docker stop). */
  stopGraceSec?: number;
}

export interface VerifyOptions {
  profile: SeccompProfile;
  cmd: string[];
  /** Working directory in the container (bound read-write from the host). Default: process.cwd(). */
  cwd?: string;
  runtime?: RuntimeName;
  compareOutput?: boolean;
  /** Seconds per run (default 60); for a server: per probe and per ready-command attempt. */
  timeoutSec?: number;
  /** The exit status the command must have without the profile (default 0); anything else is "cannot verify". */
  expectExit?: number;
  /** process.noNewPrivileges in the bundle (default false, as docker, podman and Kubernetes run containers). */
  noNewPrivileges?: boolean;
  /** CMD is a server: run it in the background, wait until ready, probe it, stop it. */
  server?: ServerOptions;
  /** How the caller names an option in a verdict's reason (the CLI: its flag); default the option's own name (timeoutSec). */
  name?: OptionNamer;
}

export type Verdict = 'pass' | 'fail' | 'cannot-verify';

/** One run of a server: did it get ready, what the probes did, how it ended. */
export interface ServerRun {
  ready: ReadyOutcome;
  /** One per probe that ran (probes stop at the first that fails). */
  probes: ProbeRun[];
  /** The server exited by itself before it was stopped. */
  exitedEarly: boolean;
}

export interface ProbeResult {
  argv: string[];
  unconfined?: ProbeRun;
  confined?: ProbeRun;
}

export interface VerifyResult {
  verdict: Verdict;
  /** verdict === 'pass'. */
  pass: boolean;
  runtime: RuntimeName;
  /** e.g. "runc 1.1.5+ds1 (commit …, libseccomp 2.5.4)". */
  version: string;
  unconfined: RunResult;
  /** The run under the profile (absent when the verdict is cannot-verify: it is not run). */
  confined?: RunResult;
  /** The log-twin rerun (on failure; for a server always). */
  logged?: RunResult;
  /** Why it failed or cannot be verified, in words. */
  reason?: string;
  /** Syscalls the profile denied (from the logged rerun), canonical names, sorted. */
  denied: string[];
  /** Things to know about the result (lost log records, nothing found to blame…). */
  warnings: string[];
  /** Server mode: the runs' readiness and probes. */
  server?: { unconfined: ServerRun; confined?: ServerRun; logged?: ServerRun };
  /** Server mode: each probe with and without the profile. */
  probes?: ProbeResult[];
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

/** What the log twin logged for a run: the calls P could deny, from the records of the run's pid window. */
async function deniedIn(p: SeccompProfile, mark: Mark, logged: RunResult, runtime: RuntimeName, warnings: string[]): Promise<string[]> {
  if (logged.pid === undefined) {
    warnings.push(`${runtime} did not start the container under the profile's log twin either: ${logged.runtimeError ?? firstLine(logged.stderr)}`);
    return [];
  }
  // The container's processes have host pids from its init's up to the last pid handed out when it
  // was over (pids are allocated in order). Other processes in that window under some other LOG
  // profile could slip in (the audit log is shared): only calls P could deny are kept.
  const could = mayDeny(p);
  const sentinel = await writeSentinel(mark);
  const got = await recordsSince(mark, containerRecords(logged.pid, logged.lastPid, (pid) => existsSync(`/proc/${pid}`)), sentinel ? { sentinel, maxMs: 15_000 } : {});
  if (sentinel && !got.sentinelSeen) warnings.push('auditd did not write a marker record within 15s: the list of denied syscalls may be incomplete');
  if (got.lost) warnings.push(`the ${got.source === 'audit' ? 'audit log' : 'kernel log'} reported ${got.lost} lost record(s): the list of denied syscalls may be incomplete`);
  if (got.source === 'dmesg') warnings.push('auditd is not running: read the kernel log, where audit records are rate-limited; start auditd for a complete list');
  return namesOf(got.records).filter((n) => n.includes(':') || could(n));
}

/**
 * Which LOG records are the container's, read after it is over and deleted: pids from its init's up to
 * the last pid handed out when it was over; not a runtime's init other than ours (another container
 * starting in the window); not a process that is still alive (every process of ours died with the
 * container's pid namespace). A short-lived process of another LOG-filtered program started in the
 * window can still slip in: the audit log carries no namespace or cgroup to tell them apart.
 */
export function containerRecords(initPid: number, lastPid: number | undefined, alive: (pid: number) => boolean): (r: Observation) => boolean {
  const inWindow = pidWindow(initPid, lastPid);
  const initComms = new Set(Object.values(INIT_COMMS));
  return (r) => r.action === 'log' && inWindow(r.pid) && !(r.comm !== undefined && initComms.has(r.comm) && r.pid !== initPid) && !alive(r.pid!);
}

const NO_RECORDS = 'no denial records found: is auditd running (or the kernel logging audit records) and "log" in /proc/sys/kernel/seccomp/actions_logged? A profile can also differ without a denial (an argument condition, a different errno)';

function cannotRun(runtime: RuntimeName, cmd: string[], r: RunResult): string {
  return `${runtime} could not run ${cmd[0]} even without a profile: ${r.runtimeError ?? (firstLine(r.stderr) || `exit ${r.exitCode}`)}`;
}

export async function verifyProfile(o: VerifyOptions): Promise<VerifyResult> {
  const runtime = o.runtime ?? 'runc';
  if (!o.cmd.length) throw new OptionError((n) => `${n('cmd')} is empty: no command to run`);
  const v = validateProfile(o.profile);
  if (!v.ok) throw new UserError(`not a valid OCI seccomp profile: ${v.errors.slice(0, 3).join('; ')}`);
  const timeoutSec = o.timeoutSec ?? 60;
  if (!(timeoutSec > 0)) throw new OptionError((n) => `${n('timeoutSec')} ${timeoutSec}: a positive number of seconds`);
  const expectExit = o.expectExit ?? 0;
  if (!Number.isInteger(expectExit) || expectExit < 0 || expectExit > 255) throw new OptionError((n) => `${n('expectExit')} ${expectExit}: an exit status 0-255`);
  const n: OptionNamer = o.name ?? ((x) => x);
  const rt = findRuntime(runtime);
  const version = await runtimeVersion(rt);
  const spec = { args: o.cmd, cwd: o.cwd ?? process.cwd(), noNewPrivileges: !!o.noNewPrivileges };
  const bundle = await makeBundle(spec);
  try {
    if (o.server) return await verifyServer(o, o.server, rt, version, bundle, spec, timeoutSec);
    const run = { timeoutSec };
    const unconfined = await runBundle(bundle, rt, run);
    const base = { runtime, version, unconfined, denied: [], warnings: [] };
    if (unconfined.runtimeError || unconfined.pid === undefined) {
      return { ...base, verdict: 'cannot-verify', pass: false, reason: cannotRun(runtime, o.cmd, unconfined) };
    }
    if (unconfined.timedOut) {
      return { ...base, verdict: 'cannot-verify', pass: false, reason: `${showArgv(o.cmd)} did not finish within ${timeoutSec}s even without the profile (raise ${n('timeoutSec')}; a server needs ${n('readyPort')} or ${n('readyCmd')})` };
    }
    if (unconfined.exitCode !== expectExit) {
      return { ...base, verdict: 'cannot-verify', pass: false, reason: `the command fails without the profile too: exit status ${unconfined.exitCode}${o.expectExit !== undefined ? `, expected ${expectExit} (${n('expectExit')})` : ''}` };
    }

    await setSeccomp(bundle, { ...spec, seccomp: o.profile });
    const confined = await runBundle(bundle, rt, run);
    let reason: string | undefined;
    if (confined.timedOut) reason = `timed out after ${timeoutSec}s under the profile (exits ${unconfined.exitCode} without it)`;
    else if (confined.runtimeError) reason = `${runtime} failed under the profile: ${confined.runtimeError}`;
    else if (confined.exitCode !== unconfined.exitCode) reason = `exit status ${confined.exitCode} under the profile, ${unconfined.exitCode} without it`;
    else if (o.compareOutput && confined.stdout !== unconfined.stdout) reason = `stdout differs under the profile (${firstDifference(unconfined.stdout, confined.stdout)})`;
    if (!reason) return { ...base, verdict: 'pass', pass: true, confined };

    // The log twin: what P would deny runs on and is logged.
    const warnings: string[] = [];
    await setSeccomp(bundle, { ...spec, seccomp: logTwin(o.profile) });
    const mark = await markLog();
    const logged = await runBundle(bundle, rt, run);
    const denied = await deniedIn(o.profile, mark, logged, runtime, warnings);
    if (!denied.length) warnings.push(NO_RECORDS);
    return { ...base, verdict: 'fail', pass: false, confined, logged, reason, denied, warnings };
  } finally {
    await bundle.remove();
  }
}

/**
 * One server run: start the container in the background, wait until it is ready, run the probes (until the
 * first that fails), stop it (SIGTERM, grace, SIGKILL, delete).
 */
async function serverRun(bundle: Bundle, rt: Runtime, so: ServerOptions, timeoutSec: number, name?: OptionNamer): Promise<{ run: ServerRun; result: BackgroundResult }> {
  const port = so.ready.port;
  if (port !== undefined) {
    // A port that already answers would make any server look ready. The previous run's server closed its
    // socket when it exited; give the port a moment, then refuse.
    for (let i = 0; i < 50 && (await portOpen(port, 200)); i++) await new Promise((r) => setTimeout(r, 100));
    if (await portOpen(port, 200)) throw new UserError(`127.0.0.1:${port} already accepts connections before the server starts: another program listens there; pick a free port`);
  }
  const bg = await startBundle(bundle, rt);
  // A server runs until stopped: on Ctrl-C (or SIGTERM to syscribe) stop and delete it before leaving.
  const interrupted = (sig: NodeJS.Signals) => () => {
    void bg.stop(1).finally(() => bundle.remove()).finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
  };
  const onInt = interrupted('SIGINT');
  const onTerm = interrupted('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    const ready = await waitReady(so.ready, bg.exited, name);
    const probes: ProbeRun[] = [];
    if (ready.ready) {
      for (const p of so.probes) {
        const pr = await runProbe(p, timeoutSec);
        probes.push(pr);
        if (!pr.ok) break;
      }
    }
    const exitedEarly = bg.exited();
    const result = await bg.stop(so.stopGraceSec ?? 10);
    return { run: { ready, probes, exitedEarly }, result };
  } finally {
    await bg.stop(so.stopGraceSec ?? 10);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

function probeWord(argv: string[]): string {
  return `probe \`${showArgv(argv)}\``;
}

function probeFailure(pr: ProbeRun): string {
  if (pr.error) return pr.error;
  if (pr.timedOut) return 'timed out';
  const err = firstLine(pr.stderr);
  return `exit status ${pr.exitCode}${err ? `: ${err}` : ''}`;
}

/**
 * A server: three runs in the same bundle (without the profile, with it, under its log twin), each
 * started in the background, waited for, probed and stopped. The twin runs even when everything
 * passed: a call the profile denies that the server tolerates (a failed optional call, a worker that
 * dies quietly) is only seen in its records.
 */
async function verifyServer(o: VerifyOptions, so: ServerOptions, rt: Runtime, version: string, bundle: Bundle, spec: BundleSpec, timeoutSec: number): Promise<VerifyResult> {
  const runtime = rt.name;
  if (so.ready.port === undefined && !so.ready.cmd?.length) throw new OptionError((n) => `a server needs ${n('readyPort')} PORT or ${n('readyCmd')} CMD`);
  if (!(so.ready.timeoutSec > 0)) throw new OptionError((n) => `${n('readyTimeoutSec')} ${so.ready.timeoutSec}: a positive number of seconds`);
  const probes: ProbeResult[] = so.probes.map((argv) => ({ argv }));
  const u = await serverRun(bundle, rt, so, timeoutSec, o.name);
  u.run.probes.forEach((p, i) => (probes[i]!.unconfined = p));
  const base = { runtime, version, unconfined: u.result, denied: [] as string[], warnings: [] as string[], probes };
  const cannot = (reason: string): VerifyResult => ({ ...base, verdict: 'cannot-verify', pass: false, reason, server: { unconfined: u.run } });
  if (u.result.pid === undefined || (u.result.runtimeError && !u.run.ready.ready)) return cannot(cannotRun(runtime, o.cmd, u.result));
  if (!u.run.ready.ready) return cannot(`the server is not ready without the profile: ${u.run.ready.why}`);
  const uBad = u.run.probes.findIndex((p) => !p.ok);
  if (uBad >= 0) return cannot(`${probeWord(so.probes[uBad]!)} fails without the profile too: ${probeFailure(u.run.probes[uBad]!)}`);

  await setSeccomp(bundle, { ...spec, seccomp: o.profile });
  const c = await serverRun(bundle, rt, so, timeoutSec, o.name);
  c.run.probes.forEach((p, i) => (probes[i]!.confined = p));
  let reason: string | undefined;
  const cBad = c.run.probes.findIndex((p) => !p.ok);
  if (c.result.runtimeError && !c.run.ready.ready) reason = `${runtime} failed under the profile: ${c.result.runtimeError}`;
  else if (!c.run.ready.ready) reason = `the server is not ready under the profile (ready after ${u.run.ready.seconds}s without it): ${c.run.ready.why}`;
  else if (cBad >= 0) reason = `${probeWord(so.probes[cBad]!)} fails under the profile (succeeds without it): ${probeFailure(c.run.probes[cBad]!)}`;
  else if (o.compareOutput) {
    const i = c.run.probes.findIndex((p, k) => p.stdout !== u.run.probes[k]!.stdout);
    if (i >= 0) reason = `${probeWord(so.probes[i]!)}: stdout differs under the profile (${firstDifference(u.run.probes[i]!.stdout, c.run.probes[i]!.stdout)})`;
  }
  if (!reason && c.run.exitedEarly && !u.run.exitedEarly) reason = `the server exited by itself (status ${c.result.exitCode}) under the profile before it was stopped; without it, it kept running`;
  // Shutting down is part of the job (docker stop, a pod's termination): it must go as it does without the profile.
  const grace = so.stopGraceSec ?? 10;
  if (!reason && c.result.endedBy === 'SIGKILL' && u.result.endedBy === 'SIGTERM') reason = `the server did not stop within ${grace}s of SIGTERM under the profile and was killed; without it, it stopped (status ${u.result.exitCode})`;
  if (!reason && !u.run.exitedEarly && c.result.endedBy === u.result.endedBy && c.result.exitCode !== u.result.exitCode) reason = `exit status ${c.result.exitCode} after ${u.result.endedBy} under the profile, ${u.result.exitCode} without it`;

  // The log twin, always: a pass needs the absence of denials too.
  const warnings: string[] = [];
  await setSeccomp(bundle, { ...spec, seccomp: logTwin(o.profile) });
  const mark = await markLog();
  const l = await serverRun(bundle, rt, so, timeoutSec, o.name);
  const denied = await deniedIn(o.profile, mark, l.result, runtime, warnings);
  if (!l.run.ready.ready) warnings.push(`under the profile's log twin the server was not ready either: ${l.run.ready.why}`);
  if (!reason && denied.length) reason = `every probe succeeds under the profile, but the profile denied calls the server made (logged by its log twin)`;
  if (reason && !denied.length) warnings.push(NO_RECORDS);
  const server = { unconfined: u.run, confined: c.run, logged: l.run };
  if (!reason) return { ...base, verdict: 'pass', pass: true, confined: c.result, logged: l.result, warnings, server };
  return { ...base, verdict: 'fail', pass: false, confined: c.result, logged: l.result, reason, denied, warnings, server };
}
