import type { Argv } from 'yargs';
import { countAllowed, type MergeOptions } from '../algebra/merge.js';
import type { InputLoaders } from '../algebra/inputs.js';
import { RECORDING_LOADERS, runMerge, runMergeBy } from '../app/merge.js';
import { UserError } from '../errors.js';
import { SPO_VERSIONS } from '../profile/vocabulary.js';
import { isValidK8sName } from '../profile/serialize.js';
import { escapeControl } from '../util/escape.js';
import { type ArgsOf, defineCommand } from './command.js';
import { DEFAULT_ACTION_VALUES, parseDefaultAction, parseErrno } from './action-option.js';
import { loadOptionsFrom, withTargetOptions } from './target-options.js';

const builder = (y: Argv) =>
  withTargetOptions(y)
    .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'Profiles: OCI JSON, SeccompProfile YAML (v1beta1/v1), a config.json (- for stdin)' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the merged profile here instead of stdout (a regular file is replaced atomically; devices, FIFOs, symlink targets are written through)' })
    .option('default-action', { type: 'string', describe: `Default action of the result (replaces every input's): ${DEFAULT_ACTION_VALUES}` })
    .option('errno', { type: 'string', describe: 'defaultErrnoRet with --default-action errno|trace: EPERM, ENOSYS or a number' })
    .option('format', { choices: ['oci', 'crd'] as const, default: 'oci' as const, describe: 'OCI JSON, or a Security Profiles Operator SeccompProfile (YAML)' })
    .option('name', { type: 'string', describe: 'metadata.name of the SeccompProfile (--format crd)' })
    .option('crd-version', { choices: [...SPO_VERSIONS], default: 'v1beta1' as const, describe: 'SeccompProfile apiVersion' })
    .option('by', { choices: ['workload'] as const, describe: 'Group the inputs (files, or directories of them) by workload — SPO partial-profile labels, else the file name (<namespace>-<workload>) — and write one merged profile per workload into the -o directory' })
    .example('$0 merge --by workload node-a/ node-b/ --format crd -o merged/', 'the partial profiles of every node → one SeccompProfile per workload')
    .example('$0 merge web.json worker.json -o app.json', 'one profile allowing what either allows')
    .example('$0 merge base.yaml app.json --format crd --name app -o app.yaml', 'a SeccompProfile YAML and an OCI profile into a SeccompProfile')
    .example('$0 merge audit-mode.json strict.json --default-action errno', 'inputs with different default actions: say which the result has')
    .example('$0 merge docker-default.json app.json --cap CAP_SYS_ADMIN', 'a moby-format profile is flattened (for this arch, these caps, the running kernel) before merging');

type Args = ArgsOf<typeof builder>;

export function mergeOptionsFrom(a: { 'default-action'?: string | undefined; errno?: string | undefined }): MergeOptions {
  const o: MergeOptions = {};
  if (a['default-action'] !== undefined) o.defaultAction = parseDefaultAction(a['default-action']);
  if (a.errno !== undefined) {
    if (o.defaultAction === undefined) throw new UserError('--errno goes with --default-action (errno or trace)');
    o.defaultErrnoRet = parseErrno(a.errno);
  }
  return o;
}

/** Flags → the merge use-case (app/merge.ts); the lines for stderr: warnings, notes, then a summary. */
async function mergeCommandRun(a: Args, loaders: InputLoaders): Promise<{ text: string; messages: string[] }> {
  if (a.format === 'crd') {
    if (!a.name) throw new UserError('--format crd needs --name (the SeccompProfile metadata.name)');
    if (!isValidK8sName(a.name)) throw new UserError(`--name ${a.name}: not a valid Kubernetes name (lowercase letters, digits, '-', '.')`);
  }
  const r = await runMerge({
    inputs: a.inputs,
    ...(a.output !== undefined ? { output: a.output } : {}),
    format: a.format,
    ...(a.name !== undefined ? { name: a.name } : {}),
    crdVersion: a['crd-version'],
    merge: mergeOptionsFrom(a),
    load: loadOptionsFrom(a),
    loaders,
  });
  const { profile } = r;
  const n = countAllowed(profile);
  const messages = [
    ...r.loadWarnings.map((w) => `warning: ${w}`),
    ...r.notes.map((x) => `note: ${x}`),
    ...r.warnings.map((w) => `warning: ${w.message}`),
    `merged ${r.inputs} input${r.inputs === 1 ? '' : 's'}` +
      `${r.observations ? ` (${r.observations} recording${r.observations === 1 ? '' : 's'})` : ''}: ` +
      `${n.unconditional} syscalls allowed${n.conditional ? `, ${n.conditional} more under argument conditions` : ''}; ` +
      `default ${profile.defaultAction}${profile.defaultErrnoRet !== undefined ? ` (errno ${profile.defaultErrnoRet})` : ''}; ` +
      `architectures ${profile.architectures?.join(', ') ?? '(native only)'}${r.written ? `; written to ${a.output}` : ''}`,
  ];
  return { text: r.text, messages };
}

/** --by workload: one merged profile per workload (app/merge.ts runMergeBy) into the -o directory; the lines for stderr. */
async function mergeByCommandRun(a: Args, loaders: InputLoaders): Promise<string[]> {
  if (a.output === undefined || a.output === '-') throw new UserError('merge --by workload writes one profile per workload: -o must name a directory');
  if (a.name !== undefined) throw new UserError('merge --by workload names each profile after its workload: not with --name');
  const r = await runMergeBy({ inputs: a.inputs, dir: a.output, format: a.format, crdVersion: a['crd-version'], merge: mergeOptionsFrom(a), load: loadOptionsFrom(a), loaders });
  const lines = [`merged ${r.files} file${r.files === 1 ? '' : 's'} into ${r.merged.length} profile${r.merged.length === 1 ? '' : 's'} (one per workload):`];
  for (const m of r.merged) {
    for (const w of [...m.loadWarnings, ...m.warnings.map((x) => x.message)]) lines.push(`warning: ${m.key}: ${escapeControl(w)}`);
    const n = countAllowed(m.profile);
    lines.push(`  ${escapeControl(m.key)}: ${m.inputs} partial${m.inputs === 1 ? '' : 's'} → ${escapeControl(m.path)} (${n.unconditional} syscalls allowed${n.conditional ? `, ${n.conditional} more under argument conditions` : ''})`);
  }
  return lines;
}

/** The command, with the loaders it passes on (default: recordings too, src/algebra/inputs.ts; tests give their own). */
export function makeMergeCommand(loaders: InputLoaders = RECORDING_LOADERS) {
  return defineCommand({
    command: 'merge <inputs..>',
    describe: 'Union of seccomp profiles (OCI JSON and SeccompProfile YAML, mixed): the least restrictive answer per syscall wins',
    builder,
    handler: async (argv) => {
      if (argv.by) {
        for (const l of await mergeByCommandRun(argv, loaders)) process.stderr.write(`${l}\n`);
        return 0;
      }
      const r = await mergeCommandRun(argv, loaders);
      for (const m of r.messages) process.stderr.write(`${m}\n`);
      if (argv.output === undefined || argv.output === '-') process.stdout.write(r.text);
      return 0;
    },
  });
}

export const mergeCommand = makeMergeCommand();
