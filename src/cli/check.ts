import type { CommandModule } from 'yargs';
import { ARCHES, type ArchId, archById } from '../arch.js';
import { archOption } from './arch-option.js';
import { canonicalName } from '../resolve.js';
import { Collector } from '../collect/collector.js';
import { EXIT_FINDING, UserError } from '../errors.js';
import { type CheckResult, checkObserved } from '../generate/check.js';
import { parseKernel } from '../generate/flatten.js';
import { sniffInput } from '../algebra/inputs.js';
import { type LoadOptions, loadProfileFile } from '../profile/load.js';
import { targetFrom } from './target-options.js';
import { ingestRecording } from '../ingest/any.js';
import { formatLines, formatUnknown, nothingObserved } from './report.js';
import { escapeControl } from '../util/escape.js';
import { inputLabel, isStreamInput } from '../sources/lines.js';
import { type CapArgs, capSpecFrom, withCapOptions } from './cap-options.js';
import { capsFor, checkCapSpec, hasCapSpec } from '../profile/capabilities.js';

interface Args extends CapArgs {
  inputs: string[];
  baseline: string;
  arch?: string;
  kernel?: string;
  'all-runtimes'?: boolean;
  json?: boolean;
}

const RUNTIMES = ['containerd', 'crio', 'docker'] as const;
type Runtime = (typeof RUNTIMES)[number];

/**
 * Profiles count as "what the app calls": every name a rule allows or logs.
 * An input that is neither (empty, `[]`, `null`, a YAML alias bomb, a text
 * with no line either parser understands) is an input error: the loader's
 * own one-line reason, exit 2 — never "nothing would be blocked".
 */
async function collectInputs(paths: string[], collector: Collector, arch: ArchId | undefined, load: LoadOptions): Promise<void> {
  for (const p of paths) {
    let profiles = (await sniffInput(p)) === 'profile' ? await loadProfileFile(p, load) : undefined;
    if (!profiles) {
      const mine = new Collector();
      await ingestRecording(p, mine);
      const r = mine.result();
      if (r.lines.parsed === 0 && r.lines.ignored === 0) {
        // A pipe cannot be read again for the loader's reason: say it here.
        if (await isStreamInput(p)) throw new UserError(`${inputLabel(p)}: ${r.lines.malformed ? 'neither a seccomp profile nor a strace or audit log' : 'empty input'}`);
        profiles = await loadProfileFile(p, load); // throws its reason
      }
      else collector.absorb(r);
    }
    if (profiles) {
      for (const lp of profiles) {
        for (const n of lp.notes) process.stderr.write(`note: ${n}\n`);
        const arches = (lp.profile.architectures ?? []).map((s) => ARCHES.find((a) => a.scmp === s)!.id);
        const on: ArchId[] = arch ? [arch] : arches.length ? arches : ['x86_64'];
        for (const r of lp.profile.syscalls ?? []) {
          if (r.action !== 'SCMP_ACT_ALLOW' && r.action !== 'SCMP_ACT_LOG') continue;
          for (const name of r.names) {
            const a = on.find((x) => canonicalName(name, archById(x)) !== undefined) ?? on[0]!;
            collector.add({ arch: a, name });
          }
        }
      }
    }
  }
}

const VERDICT_WORDS: Record<string, string> = {
  blocked: 'BLOCKED', 'blocked-args': 'BLOCKED (args)', 'conditional-pass': 'ok (condition)', 'conditional-unknown': 'condition?', enosys: 'ENOSYS', ok: 'ok', 'not-on-arch': 'not on arch', translated: 'other arch',
};

function table(results: CheckResult[]): string {
  const names = [...new Set(results.flatMap((r) => r.findings.map((f) => f.name)))].sort();
  if (!names.length) return '';
  const w = Math.max(8, ...names.map((n) => n.length));
  let s = `${'syscall'.padEnd(w)}  ${results.map((r) => r.baseline.padEnd(16)).join('')}\n`;
  for (const n of names) {
    s += `${n.padEnd(w)}  ${results.map((r) => (VERDICT_WORDS[r.findings.find((f) => f.name === n)?.verdict ?? 'ok']!).padEnd(16)).join('')}\n`;
  }
  return s;
}

export const checkCommand: CommandModule<object, Args> = {
  command: 'check <inputs..>',
  describe: 'Would RuntimeDefault block what the app does? (exit 1 if so: a CI gate before SeccompDefault)',
  builder: (y) =>
    withCapOptions(y)
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'strace logs, audit logs or profiles' })
      .option('baseline', { choices: [...RUNTIMES], default: 'containerd', describe: 'Which RuntimeDefault' })
      .option('all-runtimes', { type: 'boolean', describe: 'containerd, CRI-O and Docker side by side (exit 1 if any blocks)' })
      .option('arch', { type: 'string', describe: 'Node architecture (default: the recording\'s)' })
      .option('kernel', { type: 'string', describe: 'Node kernel X.Y (default: running kernel)' })
      .option('json', { type: 'boolean', describe: 'JSON on stdout' })
      .example('$0 check app.strace', 'what containerd\'s RuntimeDefault would block; exit 1 if anything')
      .example('$0 check --all-runtimes /var/log/audit/audit.log', 'containerd, CRI-O and Docker side by side')
      .example('$0 check --baseline docker --cap-add SYS_ADMIN app.strace', 'with an extra capability on top of Docker\'s default set')
      .example('$0 check --json app.json', 'a profile as input, machine-readable') as never,
  handler: async (argv) => {
    let arch: ArchId | undefined;
    if (argv.arch) {
      arch = archOption(argv.arch).id;
    }
    if (argv.kernel) parseKernel(argv.kernel);
    const caps = capSpecFrom(argv);
    checkCapSpec(caps);
    const collector = new Collector();
    // A moby-format profile among the inputs is flattened for --arch (default: this machine's), --cap (default: the baseline's set), --kernel.
    await collectInputs(argv.inputs, collector, arch, { target: targetFrom(argv, argv.baseline as Runtime) });
    const observed = collector.result();
    // A CI gate must not pass on nothing (an empty file, an empty pipe, a log with no calls).
    let seen = 0;
    for (const m of observed.arches.values()) seen += m.size;
    if (seen === 0 && observed.unknown.length === 0) throw new UserError(`${nothingObserved(observed)}: nothing to check`, EXIT_FINDING);
    const opts = {
      ...(argv.kernel ? { kernel: argv.kernel } : {}),
      ...(arch ? { arches: [arch] } : {}),
    };
    const baselines: Runtime[] = argv['all-runtimes'] ? [...RUNTIMES] : [argv.baseline as Runtime];
    const results = baselines.map((b) => checkObserved(observed, b, hasCapSpec(caps) ? { ...opts, caps: capsFor(b, caps) } : opts));
    const blocked = results.some((r) => r.blocked);
    // A number no table knows may be anything, a blocked call included: a finding, never "nothing would be blocked".
    const cannotTell = observed.unknown.length > 0;
    if (argv.json) {
      process.stdout.write(`${JSON.stringify({ blocked, cannotTell, results, lines: observed.lines, unknown: observed.unknown, malformed: observed.malformed }, null, 2)}\n`);
    } else {
      let s = '';
      for (const r of results) {
        s += `${r.baseline} RuntimeDefault on ${r.nativeArch}, kernel ${r.kernel}, caps ${r.caps.join(',')}: ${r.observed} syscalls observed, ${r.findings.filter((f) => f.verdict.startsWith('blocked')).length} would be blocked\n`;
        if (!argv['all-runtimes']) {
          for (const f of r.findings) s += `  ${VERDICT_WORDS[f.verdict]!.padEnd(15)} ${f.name}: ${f.detail}${f.hint ? ` (${f.hint})` : ''}${f.risk ? `\n  ${''.padEnd(15)} risk: ${f.risk}` : ''}\n`;
        }
      }
      if (argv['all-runtimes']) s += table(results);
      s += formatLines(observed.lines, observed.malformed) + formatUnknown(observed.unknown);
      for (const u of observed.unknown) s += `  UNKNOWN         ${u.arch} ${u.name !== undefined ? `name ${escapeControl(u.name)}` : `number ${u.nr ?? u.nrText}`}: unknown — cannot tell whether it would be blocked\n`;
      s += blocked
        ? `result: something would be blocked${cannotTell ? ', and some calls are unknown' : ''} (exit 1)\n`
        : cannotTell ? 'result: unknown syscalls — cannot tell (exit 1)\n' : 'result: nothing would be blocked\n';
      process.stdout.write(s);
    }
    if (blocked || cannotTell) process.exitCode = EXIT_FINDING;
  },
};
