/** The human summary printed on stderr after a profile is generated. */
import type { GenerateReport } from '../generate/index.js';
import { argInWords } from '../generate/conditions.js';
import type { LineCounts, MalformedSample, UnknownSyscall } from '../collect/collector.js';
import { escapeControl } from '../util/escape.js';

export function formatLines(lines: LineCounts, malformed: MalformedSample[]): string {
  let s = `lines: ${lines.parsed} parsed, ${lines.ignored} ignored, ${lines.malformed} malformed\n`;
  for (const m of malformed) s += `  malformed ${escapeControl(m.source)}:${m.line}: ${escapeControl(m.reason)}: ${escapeControl(m.text)}\n`;
  if (lines.malformed > malformed.length) s += `  (${lines.malformed - malformed.length} more malformed lines not shown)\n`;
  return s;
}

export function formatUnknown(unknown: UnknownSyscall[]): string {
  if (!unknown.length) return '';
  let s = `unknown syscalls (left out of the profile; not in syscribe's table — newer kernel or corrupt input):\n`;
  for (const u of unknown) s += `  ${u.arch} ${u.nr !== undefined || u.nrText !== undefined ? `number ${u.nr ?? u.nrText}` : `name ${escapeControl(u.name ?? '')}`} × ${u.count}\n`;
  return s;
}

/** Arches listed without a recording: what was translated, what does not exist there. */
export function formatDerived(r: Pick<GenerateReport, 'derivedArches' | 'translations' | 'notOnArch'>): string {
  let s = '';
  for (const a of r.derivedArches) {
    s += `WARNING: ${a} is listed but nothing was recorded on ${a}: its part of the profile is derived, not observed. Record on an ${a} node (or merge a recording from one) for an exact profile.\n`;
    const tr = r.translations.filter((t) => t.arch === a);
    if (tr.length) s += `  for ${a}: ${tr.map((t) => `${t.from} → ${t.to.join('/')}`).join(', ')}\n`;
    const no = r.notOnArch.filter((t) => t.arch === a);
    if (no.length) s += `  not on ${a}: ${no.map((t) => t.name).join(' ')}\n`;
  }
  return s;
}

/** With --quiet, only the WARNING lines of a summary (a profile that may be incomplete is never silent). */
export function quietly(summary: string, quiet: boolean | undefined): string {
  if (!quiet) return summary;
  return summary.split('\n').filter((l) => l.startsWith('WARNING:')).map((l) => `${l}\n`).join('');
}

export function formatReport(r: GenerateReport, output?: string): string {
  let s = '';
  s += r.baseline === 'none'
    ? 'baseline: none\n'
    : `baseline: ${r.baseline} RuntimeDefault (${r.baselineSource}), flattened for ${r.nativeArch}, kernel ${r.kernel}, caps ${r.caps.length ? r.caps.join(',') : '(none)'}\n`;
  s += `runtime: ${r.runtime === 'none' ? 'none' : `${r.runtime === 'any' ? 'runc and crun' : r.runtime} with noNewPrivileges ${r.noNewPrivileges}`}; default action ${r.defaultAction}; architectures ${r.architectures.join(', ')}\n`;
  s += `observed: ${r.observed.length ? r.observed.map((o) => `${o.arch} ${o.syscalls} syscalls (${o.calls} calls)`).join('; ') : 'nothing'}\n`;
  s += formatLines(r.lines, r.malformed);
  if (r.lossSignals) s += `WARNING: the log says ${r.lost} records were lost (${r.lossSignals} loss signals): the profile may be incomplete\n`;
  if (r.added.length) {
    s += `added beyond the baseline (${r.added.length}):${r.baseline === 'none' ? ' ' + r.added.map((a) => a.name).join(' ') + '\n' : '\n'}`;
    if (r.baseline !== 'none') for (const a of r.added) s += `  + ${a.name}: ${a.why}${a.hint ? ` (${a.hint})` : ''}\n`;
  }
  for (const n of r.narrowed) s += `  + ${n.name} only with ${n.args.map((a) => a.map(argInWords).join(' && ')).join(' | ')}: ${n.why}\n`;
  for (const c of r.conditional) {
    const st = c.status === 'pass' ? `all ${c.calls} recorded calls pass` : c.status === 'widened' ? 'arguments unknown: allowed unconditionally (--widen)' : 'arguments unknown: condition kept (--widen allows it unconditionally)';
    s += `  ~ ${c.name}: baseline allows ${c.condition}; ${st}\n`;
  }
  for (const e of r.enosys) s += `  = ${e.name}: ${e.why}\n`;
  if (r.risky.length) {
    s += `risky syscalls now allowed (${r.risky.length}):\n`;
    for (const x of r.risky) s += `  ! ${x.name}: ${x.why}\n`;
  }
  s += formatDerived(r);
  s += formatUnknown(r.unknown);
  s += `profile: ${r.allowed.length} syscalls allowed${output && output !== '-' ? `, written to ${output}` : ''}\n`;
  return s;
}
