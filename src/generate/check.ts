/**
 * check: what would a RuntimeDefault do to the calls an app made? The same
 * decisions the generator makes on top of a baseline, read as findings:
 * what the generator would have to add is what the RuntimeDefault blocks.
 */
import type { ArchId } from '../arch.js';
import type { Observed } from '../collect/collector.js';
import { argInWords } from './conditions.js';
import type { BaselineName } from './flatten.js';
import { generateProfile } from './index.js';

export type Verdict = 'blocked' | 'blocked-args' | 'conditional-pass' | 'conditional-unknown' | 'enosys' | 'not-on-arch' | 'translated';

export interface CheckFinding {
  name: string;
  verdict: Verdict;
  /** In words, for people. */
  detail: string;
  hint?: string;
  risk?: string;
}

export interface CheckResult {
  baseline: Exclude<BaselineName, 'none'>;
  nativeArch: ArchId;
  caps: string[];
  kernel: string;
  /** Observed syscalls, all arches. */
  observed: number;
  findings: CheckFinding[];
  /** True when at least one observed call would be blocked. */
  blocked: boolean;
}

export interface CheckOptions {
  caps?: string[];
  kernel?: string;
  arches?: ArchId[];
}

export function checkObserved(observed: Observed, baseline: Exclude<BaselineName, 'none'>, opts: CheckOptions = {}): CheckResult {
  const { report } = generateProfile(observed, { baseline, runtime: 'none', ...opts, widen: false });
  const risk = new Map(report.risky.map((r) => [r.name, r.why]));
  const findings: CheckFinding[] = [];
  const withRisk = (f: CheckFinding): CheckFinding => (risk.has(f.name) ? { ...f, risk: risk.get(f.name)! } : f);
  for (const a of report.added) {
    const via = /^in place of (\S+) on (\S+)/.exec(a.why);
    findings.push(withRisk({ name: a.name, verdict: 'blocked', detail: via ? `blocked (the C library calls it on ${via[2]} in place of ${via[1]})` : 'blocked', ...(a.hint ? { hint: a.hint } : {}) }));
  }
  // Recorded on another arch: names the node's arch lacks are explained, not called blocked.
  for (const t of report.translations) findings.push({ name: t.from, verdict: 'translated', detail: `not a syscall on ${t.arch}; there the C library calls ${t.to.join(' / ')} instead (${t.source})` });
  for (const n of report.notOnArch) findings.push({ name: n.name, verdict: 'not-on-arch', detail: `not a syscall on ${n.arch}: ${n.why}` });
  for (const n of report.narrowed) {
    findings.push(withRisk({ name: n.name, verdict: 'blocked-args', detail: `recorded calls with ${n.args.map((x) => x.map(argInWords).join(' && ')).join(' | ')} would be blocked (${n.why.replace(/^recorded calls outside /, 'allowed only as ')})` }));
  }
  for (const c of report.conditional) {
    if (c.status === 'pass') findings.push({ name: c.name, verdict: 'conditional-pass', detail: `allowed only as ${c.condition}; all ${c.calls} recorded calls pass` });
    else if (!report.narrowed.some((n) => n.name === c.name)) {
      findings.push({ name: c.name, verdict: 'conditional-unknown', detail: `allowed only as ${c.condition}; arguments not recorded, cannot tell` });
    }
  }
  for (const e of report.enosys) findings.push({ name: e.name, verdict: 'enosys', detail: 'answered ENOSYS on purpose (libc falls back to an older call)' });
  findings.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let n = 0;
  for (const m of observed.arches.values()) n += m.size;
  return {
    baseline,
    nativeArch: report.nativeArch,
    caps: report.caps,
    kernel: report.kernel,
    observed: n,
    findings,
    blocked: findings.some((f) => f.verdict === 'blocked' || f.verdict === 'blocked-args'),
  };
}
