/**
 * verify: run CMD twice in the same bundle, once without a seccomp filter and
 * once with the profile, and compare. On failure, run again with
 * SECCOMP_FILTER_FLAG_LOG so the kernel logs each denial, and name them.
 */
import type { SeccompProfile } from '../profile/types.js';
import { type RunResult, type RuntimeBin, assertCanRun, makeBundle, runBundle, setSeccomp } from './bundle.js';
import { markLog, namesOf, recordsSince } from './denials.js';

export interface VerifyOptions {
  profile: SeccompProfile;
  cmd: string[];
  cwd?: string;
  runtime?: RuntimeBin;
  compareOutput?: boolean;
  timeoutSec?: number;
}

export interface VerifyResult {
  pass: boolean;
  unconfined: RunResult;
  confined: RunResult;
  /** Why it failed, in words. */
  reason?: string;
  /** Syscalls the profile denied (from the logged rerun). */
  denied: string[];
}

/** P with every denial turned into SCMP_ACT_LOG: default action and explicit non-allow rules. */
export function logTwin(p: SeccompProfile): SeccompProfile {
  const t: SeccompProfile = { ...p, defaultAction: 'SCMP_ACT_LOG' };
  delete t.defaultErrnoRet;
  t.syscalls = (p.syscalls ?? []).map((r) => {
    if (r.action === 'SCMP_ACT_ALLOW' || r.action === 'SCMP_ACT_LOG') return r;
    const { errnoRet: _e, ...rest } = r;
    return { ...rest, action: 'SCMP_ACT_LOG' };
  });
  return t;
}

export async function verifyProfile(o: VerifyOptions): Promise<VerifyResult> {
  const runtime = o.runtime ?? 'runc';
  assertCanRun(runtime);
  const spec = { args: o.cmd, cwd: o.cwd ?? process.cwd() };
  const bundle = await makeBundle(spec);
  try {
    const run = { timeoutSec: o.timeoutSec ?? 60 };
    const unconfined = await runBundle(bundle, runtime, run);
    await setSeccomp(bundle, { ...spec, seccomp: o.profile });
    const confined = await runBundle(bundle, runtime, run);
    let reason: string | undefined;
    if (confined.exitCode !== unconfined.exitCode) reason = `exit status ${confined.exitCode} under the profile, ${unconfined.exitCode} without it`;
    else if (o.compareOutput && confined.stdout !== unconfined.stdout) reason = 'stdout differs under the profile';
    if (!reason) return { pass: true, unconfined, confined, denied: [] };

    // Rerun under the profile's SCMP_ACT_LOG twin: what P would deny is allowed and logged, so the
    // run goes on and every denial shows up (runc 1.1 does not pass SECCOMP_FILTER_FLAG_LOG on).
    await setSeccomp(bundle, { ...spec, seccomp: logTwin(o.profile) });
    const mark = await markLog();
    const logged = await runBundle(bundle, runtime, run);
    const since = logged.pid ?? 0;
    const records = await recordsSince(mark, (r) => r.action === 'log' && (r.pid ?? 0) >= since);
    return { pass: false, unconfined, confined, reason, denied: namesOf(records) };
  } finally {
    await bundle.remove();
  }
}
