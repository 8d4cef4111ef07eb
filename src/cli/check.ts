import { defineCommand } from './command.js';
import type { ArchId } from '../arch.js';
import { archOption } from './arch-option.js';
import { CHECK_BASELINES, runCheck } from '../app/check.js';
import { EXIT_FINDING, UserError } from '../errors.js';
import type { CheckResult } from '../generate/check.js';
import { parseKernel } from '../generate/flatten.js';
import { loadOptionsFrom } from './target-options.js';
import { formatLines, formatUnknown } from './report.js';
import { nothingObserved } from '../app/emit.js';
import { escapeControl } from '../util/escape.js';
import { capSpecFrom, withCapOptions } from './cap-options.js';

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

export const checkCommand = defineCommand({
  command: 'check <inputs..>',
  describe: 'Would RuntimeDefault block what the app does? (exit 1 if so: a CI gate before SeccompDefault)',
  builder: (y) =>
    withCapOptions(y)
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'strace logs, audit logs or profiles' })
      .option('baseline', { choices: [...CHECK_BASELINES], default: 'containerd' as const, describe: 'Which RuntimeDefault' })
      .option('all-runtimes', { type: 'boolean', describe: 'containerd, CRI-O and Docker side by side (exit 1 if any blocks)' })
      .option('arch', { type: 'string', describe: 'Node architecture (default: the recording\'s)' })
      .option('kernel', { type: 'string', describe: 'Node kernel X.Y (default: running kernel)' })
      .option('json', { type: 'boolean', describe: 'JSON on stdout' })
      .example('$0 check app.strace', 'what containerd\'s RuntimeDefault would block; exit 1 if anything')
      .example('$0 check --all-runtimes /var/log/audit/audit.log', 'containerd, CRI-O and Docker side by side')
      .example('$0 check --baseline docker --cap-add SYS_ADMIN app.strace', 'with an extra capability on top of Docker\'s default set')
      .example('$0 check --json app.json', 'a profile as input, machine-readable'),
  handler: async (argv) => {
    const arch: ArchId | undefined = argv.arch ? archOption(argv.arch).id : undefined;
    if (argv.kernel) parseKernel(argv.kernel);
    const run = await runCheck({
      inputs: argv.inputs,
      baselines: argv['all-runtimes'] ? [...CHECK_BASELINES] : [argv.baseline],
      ...(arch ? { arch } : {}),
      ...(argv.kernel ? { kernel: argv.kernel } : {}),
      caps: capSpecFrom(argv),
      // A moby-format profile among the inputs is flattened for --arch (default: this machine's), --cap (default: the baseline's set), --kernel.
      load: loadOptionsFrom(argv, argv.baseline),
      onNote: (n) => process.stderr.write(`note: ${n}\n`),
    });
    const { observed, results, blocked, cannotTell } = run;
    // A CI gate must not pass on nothing (an empty file, an empty pipe, a log with no calls).
    if (run.seen === 0 && observed.unknown.length === 0) throw new UserError(`${nothingObserved(observed)}: nothing to check`, EXIT_FINDING);
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
    return blocked || cannotTell ? EXIT_FINDING : 0;
  },
});
