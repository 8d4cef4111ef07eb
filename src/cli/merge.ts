import type { CommandModule } from 'yargs';
import { countAllowed, type MergeOptions, mergeProfiles } from '../algebra/merge.js';
import { type InputLoaders, loadMergeInputs } from '../algebra/inputs.js';
import { UserError } from '../errors.js';
import { ACTIONS, type Action, type SeccompProfile } from '../profile/types.js';
import { type CrdVersion, isValidK8sName, profileToCrd, profileToJson } from '../profile/serialize.js';
import { assertValidProfile } from '../profile/validate.js';
import { checkOutput, writeOutput } from '../write/output.js';
import { parseErrno } from '../util/errno.js';
import { type TargetArgs, targetFrom, withTargetOptions } from './target-options.js';

export { parseErrno };

interface Args extends TargetArgs {
  inputs: string[];
  output?: string;
  'default-action'?: string;
  errno?: string;
  format: string;
  name?: string;
  'crd-version': string;
}

const SHORT_ACTIONS: Readonly<Record<string, Action>> = {
  allow: 'SCMP_ACT_ALLOW', log: 'SCMP_ACT_LOG', errno: 'SCMP_ACT_ERRNO', trace: 'SCMP_ACT_TRACE', trap: 'SCMP_ACT_TRAP',
  kill: 'SCMP_ACT_KILL_THREAD', 'kill-thread': 'SCMP_ACT_KILL_THREAD', 'kill-process': 'SCMP_ACT_KILL_PROCESS',
};

/** "errno", "kill-process", "SCMP_ACT_LOG" → Action. */
export function parseDefaultAction(s: string): Action {
  const a = SHORT_ACTIONS[s.toLowerCase()] ?? (ACTIONS as readonly string[]).find((x) => x === s.toUpperCase());
  if (!a || a === 'SCMP_ACT_NOTIFY') throw new UserError(`--default-action ${s}: want ${Object.keys(SHORT_ACTIONS).join(', ')} or an SCMP_ACT_* name (not NOTIFY)`);
  return a as Action;
}


export function mergeOptionsFrom(a: Pick<Args, 'default-action' | 'errno'>): MergeOptions {
  const o: MergeOptions = {};
  if (a['default-action'] !== undefined) o.defaultAction = parseDefaultAction(a['default-action']);
  if (a.errno !== undefined) {
    if (o.defaultAction === undefined) throw new UserError('--errno goes with --default-action (errno or trace)');
    o.defaultErrnoRet = parseErrno(a.errno);
  }
  return o;
}

export interface MergeRun {
  profile: SeccompProfile;
  text: string;
  /** Lines for stderr: warnings, then a summary. */
  messages: string[];
}

/** Load, merge, validate, render, write (-o) — everything but printing. */
export async function runMerge(a: Args, loaders: InputLoaders = {}): Promise<MergeRun> {
  if (a.format === 'crd') {
    if (!a.name) throw new UserError('--format crd needs --name (the SeccompProfile metadata.name)');
    if (!isValidK8sName(a.name)) throw new UserError(`--name ${a.name}: not a valid Kubernetes name (lowercase letters, digits, '-', '.')`);
  }
  const opts = mergeOptionsFrom(a);
  const toFile = a.output !== undefined && a.output !== '-';
  if (toFile) await checkOutput(a.output!);
  const loaded = await loadMergeInputs(a.inputs, loaders, opts, { target: targetFrom(a) });
  const { profile, warnings } = mergeProfiles(loaded.inputs, opts);
  assertValidProfile(profile, 'merged profile');
  const text = a.format === 'crd' ? profileToCrd(profile, { name: a.name!, version: a['crd-version'] as CrdVersion }) : profileToJson(profile);
  if (toFile) await writeOutput(a.output!, text);
  const n = countAllowed(profile);
  const messages = [
    ...loaded.warnings.map((w) => `warning: ${w}`),
    ...loaded.notes.map((n) => `note: ${n}`),
    ...warnings.map((w) => `warning: ${w.message}`),
    `merged ${loaded.inputs.length} input${loaded.inputs.length === 1 ? '' : 's'}` +
      `${loaded.observations ? ` (${loaded.observations} recording${loaded.observations === 1 ? '' : 's'})` : ''}: ` +
      `${n.unconditional} syscalls allowed${n.conditional ? `, ${n.conditional} more under argument conditions` : ''}; ` +
      `default ${profile.defaultAction}${profile.defaultErrnoRet !== undefined ? ` (errno ${profile.defaultErrnoRet})` : ''}; ` +
      `architectures ${profile.architectures?.join(', ') ?? '(native only)'}${toFile ? `; written to ${a.output}` : ''}`,
  ];
  return { profile, text, messages };
}

/** The command, with the loaders it passes on (see src/algebra/inputs.ts for the observation-file integration point). */
export function makeMergeCommand(loaders: InputLoaders = {}): CommandModule<object, Args> {
  return {
    command: 'merge <inputs..>',
    describe: 'Union of seccomp profiles (OCI JSON and SeccompProfile YAML, mixed): the least restrictive answer per syscall wins',
    builder: (y) =>
      withTargetOptions(y)
        .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'Profiles: OCI JSON, SeccompProfile YAML (v1beta1/v1), a config.json (- for stdin)' })
        .option('output', { alias: 'o', type: 'string', describe: 'Write the merged profile here instead of stdout (a regular file is replaced atomically; devices, FIFOs, symlink targets are written through)' })
        .option('default-action', { type: 'string', describe: 'Default action of the result (replaces every input\'s): errno, log, allow, trap, trace, kill, kill-process or SCMP_ACT_*' })
        .option('errno', { type: 'string', describe: 'defaultErrnoRet with --default-action errno|trace: EPERM, ENOSYS or a number' })
        .option('format', { choices: ['oci', 'crd'], default: 'oci', describe: 'OCI JSON, or a Security Profiles Operator SeccompProfile (YAML)' })
        .option('name', { type: 'string', describe: 'metadata.name of the SeccompProfile (--format crd)' })
        .option('crd-version', { choices: ['v1beta1', 'v1'], default: 'v1beta1', describe: 'SeccompProfile apiVersion' })
        .example('$0 merge web.json worker.json -o app.json', 'one profile allowing what either allows')
        .example('$0 merge base.yaml app.json --format crd --name app -o app.yaml', 'a SeccompProfile YAML and an OCI profile into a SeccompProfile')
        .example('$0 merge audit-mode.json strict.json --default-action errno', 'inputs with different default actions: say which the result has')
        .example('$0 merge docker-default.json app.json --cap CAP_SYS_ADMIN', 'a moby-format profile is flattened (for this arch, these caps, the running kernel) before merging') as never,
    handler: async (argv) => {
      const r = await runMerge(argv, loaders);
      for (const m of r.messages) process.stderr.write(`${m}\n`);
      if (argv.output === undefined || argv.output === '-') process.stdout.write(r.text);
    },
  };
}

export const mergeCommand = makeMergeCommand();
