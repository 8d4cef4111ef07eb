/**
 * The generator's flags, shared by every command that writes a profile
 * (strace, audit, record, audit-profile): flags → GenerateOptions and the
 * output options of app/emit.ts (generate → validate → render → write), and
 * the printing around it (the profile on stdout without -o, the summary).
 */
import type { Argv } from 'yargs';
import type { Declared } from './command.js';
import type { ArchId } from '../arch.js';
import { archOption } from './arch-option.js';
import type { Observed } from '../collect/collector.js';
import { EXIT_FINDING, UserError } from '../errors.js';
import { type GenerateOptions, type GenerateReport, RUNTIME_NAMES } from '../generate/index.js';
import { type ProfileOutput, type WrittenProfile, nothingObserved, observedCount, runEmit } from '../app/emit.js';
import { BASELINE_NAMES, parseKernel } from '../generate/flatten.js';
import { capsFor, hasCapSpec } from '../profile/capabilities.js';
import { capSpecFrom, withCapOptions } from './cap-options.js';
import { isValidK8sName } from '../profile/serialize.js';
import type { SeccompProfile } from '../profile/types.js';
import { checkOutput, checkOutputDir } from '../write/output.js';
import { writeStdout } from '../write/stdio.js';
import { DEFAULT_ACTION_VALUES, parseDefaultAction, parseErrno } from './action-option.js';
import { SPO_VERSIONS, takesErrno } from '../profile/vocabulary.js';
import { runtimeBaseSyscalls } from '../runtime/runtime-base.js';
import { formatReport, quietly } from './report.js';

/** yargs collects a repeated flag into an array; for single-valued flags keep the last. */
export function lastValue<V>(v: V | V[]): V {
  return Array.isArray(v) ? v[v.length - 1]! : v;
}

/** Flags given twice keep the last value (yargs collects a repeated flag into an array). Returns the same parser. */
function lastWins<T>(y: Argv<T>, keys: ReadonlyArray<keyof T & string>): Argv<T> {
  // coerce() changes the parser in place; the declared types stay (the last of a V[] is a V).
  y.coerce([...keys], lastValue);
  return y;
}

/** The flags of every command that writes a profile (audit-profile; the observing commands add --allow-empty: withGeneratorOptions). */
export function withProfileOptions<T>(y: Argv<T>) {
  const z = withCapOptions(y, 'Profile:')
    .option('baseline', { choices: [...BASELINE_NAMES], default: 'containerd' as const, describe: 'RuntimeDefault to build on (containerd, CRI-O, Docker) or none', group: 'Profile:' })
    .option('kernel', { type: 'string', describe: 'Kernel X.Y for minKernel conditions (default: running kernel)', group: 'Profile:' })
    .option('arch', { type: 'string', array: true, describe: 'Architectures to list instead of the observed ones (repeatable)', group: 'Profile:' })
    .option('add-arch', { type: 'string', array: true, describe: 'Architecture to list in addition to the observed ones', group: 'Profile:' })
    .option('runtime', { choices: [...RUNTIME_NAMES], default: 'any' as const, describe: 'OCI runtime whose own post-filter calls are allowed (any: runc and crun, measured and newer releases)', group: 'Profile:' })
    // false when --no-new-privileges is given (yargs negates the flag).
    .option('new-privileges', { type: 'boolean', describe: 'Give --no-new-privileges when the containers run with noNewPrivileges (allowPrivilegeEscalation: false, PSS restricted, --security-opt no-new-privileges): allow only the runtime\'s smaller set', group: 'Profile:' })
    .option('default-action', { type: 'string', default: 'errno', describe: `What unlisted syscalls get: ${DEFAULT_ACTION_VALUES}`, group: 'Profile:' })
    .option('errno', { type: 'string', describe: 'defaultErrnoRet: EPERM, ENOSYS or a number (default: the baseline\'s, else EPERM)', group: 'Profile:' })
    .option('widen', { type: 'boolean', describe: 'Allow argument-conditional syscalls unconditionally when their arguments are unknown', group: 'Profile:' })
    .option('log-denials', { type: 'boolean', describe: 'Add SECCOMP_FILTER_FLAG_LOG so denials reach the audit log', group: 'Profile:' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the profile here instead of stdout (a regular file is replaced atomically; devices, FIFOs, symlink targets are written through)', group: 'Output:' })
    .option('format', { choices: ['oci', 'crd'] as const, default: 'oci' as const, describe: 'OCI JSON, or a Security Profiles Operator SeccompProfile (YAML)', group: 'Output:' })
    .option('crd-version', { choices: [...SPO_VERSIONS], default: 'v1beta1' as const, describe: 'SeccompProfile apiVersion', group: 'Output:' })
    .option('name', { type: 'string', describe: 'metadata.name of the SeccompProfile (--format crd)', group: 'Output:' })
    .option('json', { type: 'boolean', describe: 'Print the summary as JSON on stdout (the profile then needs -o)', group: 'Output:' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'No summary and no progress line on stderr (warnings and errors still print)', group: 'Output:' });
  // A single-valued flag given twice: the last one wins.
  return lastWins(z, ['baseline', 'kernel', 'runtime', 'default-action', 'errno', 'output', 'format', 'crd-version', 'name']);
}

/** The flags of the commands that build the profile from what they observed (strace, audit, record): the profile's, and --allow-empty. */
export function withGeneratorOptions<T>(y: Argv<T>) {
  return withProfileOptions(y.option('allow-empty', { type: 'boolean', describe: 'Write the profile even when nothing was observed (else: no profile, exit 1)', group: 'Output:' }));
}

export type ProfileArgs = Declared<typeof withProfileOptions>;
export type GeneratorArgs = Declared<typeof withGeneratorOptions>;

function parseArches(list: string[] | undefined, flag: string): ArchId[] | undefined {
  if (!list) return undefined;
  return list.flatMap((s) => s.split(',')).filter(Boolean).map((s) => archOption(s, flag).id);
}

/** Flags → GenerateOptions (throws UserError on bad values). */
export function generatorOptionsFrom(a: ProfileArgs): GenerateOptions {
  const errnoRet = a.errno !== undefined ? parseErrno(a.errno) : undefined;
  if (a.kernel !== undefined) parseKernel(a.kernel);
  const defaultAction = parseDefaultAction(a['default-action']);
  if (errnoRet !== undefined && !takesErrno(defaultAction)) throw new UserError(`--errno goes with --default-action errno or trace, not ${defaultAction}`);
  const runtime = a.runtime;
  const o: GenerateOptions = {
    baseline: a.baseline,
    runtime,
    runtimeSyscalls: runtime === 'none' ? [] : runtimeBaseSyscalls(runtime, a['new-privileges'] === false),
    noNewPrivileges: a['new-privileges'] === false,
    defaultAction,
    widen: !!a.widen,
    logDenials: !!a['log-denials'],
  };
  const caps = capSpecFrom(a);
  if (hasCapSpec(caps)) o.caps = capsFor(o.baseline, caps);
  if (a.kernel !== undefined) o.kernel = a.kernel;
  const arches = parseArches(a.arch, '--arch');
  if (arches) o.arches = arches;
  const add = parseArches(a['add-arch'], '--add-arch');
  if (add) o.addArches = add;
  if (errnoRet !== undefined) o.errnoRet = errnoRet;
  return o;
}

/** Check the output flags, and that -o can be written (a directory with `directory`), before any work is done. */
export async function checkOutputArgs(a: ProfileArgs, o: { directory?: boolean; nameOptional?: boolean } = {}): Promise<void> {
  if (a.json && !a.output) throw new UserError('--json prints the summary on stdout, so the profile needs -o FILE');
  if (a.format === 'crd' && (a.name !== undefined || !o.nameOptional)) {
    if (!a.name) throw new UserError('--format crd needs --name (the SeccompProfile metadata.name)');
    if (!isValidK8sName(a.name)) throw new UserError(`--name ${a.name}: not a valid Kubernetes name (lowercase letters, digits, '-', '.')`);
  }
  if (a.output && a.output !== '-') await (o.directory ? checkOutputDir(a.output) : checkOutput(a.output));
}

/** The output flags → where and how app/emit.ts writes (a note goes to stderr). */
export function profileOutputFrom(a: Pick<ProfileArgs, 'format' | 'name' | 'crd-version' | 'output'>): ProfileOutput {
  return {
    ...(a.output !== undefined ? { output: a.output } : {}),
    format: a.format,
    ...(a.name !== undefined ? { name: a.name } : {}),
    crdVersion: a['crd-version'],
    onNote: (n) => process.stderr.write(`note: ${n}\n`),
  };
}

/**
 * Observing nothing is not a success: the profile would be deny-all or the
 * baseline alone. Unless --allow-empty: exit 1 (a finding) with one line
 * saying why (the line counts, and `detail`, e.g. what the filters removed);
 * nothing is written. With --json the summary is still printed on stdout.
 */
export function refuseEmpty(observed: Observed, a: GeneratorArgs, detail = '', json: Record<string, unknown> = {}): void {
  if (a['allow-empty'] || observedCount(observed) > 0) return;
  const reason = `${nothingObserved(observed, detail)}; no profile written (--allow-empty writes one anyway)`;
  if (a.json) process.stdout.write(`${JSON.stringify({ ...json, empty: true, reason, lines: observed.lines, unknown: observed.unknown, output: null }, null, 2)}\n`);
  throw new UserError(reason, EXIT_FINDING);
}

/** Print what app/emit.ts made: the profile on stdout when it was not written to a file, then the summary (stderr, or JSON on stdout). */
export async function printEmitted(
  e: { report: GenerateReport } & WrittenProfile,
  a: Pick<ProfileArgs, 'json' | 'output' | 'quiet'>,
  extra: Record<string, unknown> = {},
  summary = '',
): Promise<void> {
  if (!e.written) await writeStdout(e.text);
  if (a.json) process.stdout.write(`${JSON.stringify({ ...extra, ...e.report, output: a.output }, null, 2)}\n`);
  else process.stderr.write(quietly(formatReport(e.report, a.output) + summary, a.quiet));
}

/** Generate from what was observed, validate, write (app/emit.ts), and print the profile (no -o) and the summary. Returns the report. Observed nothing: see refuseEmpty. */
export async function emitProfile(
  observed: Observed,
  a: GeneratorArgs,
  opts: GenerateOptions = generatorOptionsFrom(a),
  extra: Record<string, unknown> = {},
  more: { summary?: string; emptyDetail?: string } = {},
): Promise<{ profile: SeccompProfile; report: GenerateReport }> {
  refuseEmpty(observed, a, more.emptyDetail, extra);
  const e = await runEmit(observed, opts, profileOutputFrom(a));
  await printEmitted(e, a, extra, more.summary);
  return { profile: e.profile, report: e.report };
}
