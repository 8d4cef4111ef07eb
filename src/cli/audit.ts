import { existsSync, promises as fsp } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { CommandModule } from 'yargs';
import { archById } from '../arch.js';
import { AuditSink, SPLIT_KEYS, type SplitKey, writeSplitProfile } from '../app/audit.js';
import { runFollowAudit } from '../app/audit-follow.js';
import { UserError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import type { AuditFilter } from '../ingest/audit-filter.js';
import { type FilterFlags, filterFrom, filterSummary, podFilterCounts, podOptionsFrom } from './audit-options.js';
import type { MemberInfo } from '../attribution/group.js';
import type { PodAttributionOptions } from '../attribution/options.js';
import { DMESG_ARGV, eachLineOfCommand, journalArgv } from '../sources/commands.js';
import { eachLineOfFile } from '../sources/lines.js';
import { Progress } from '../sources/progress.js';
import { type GeneratorArgs, checkOutputArgs, emitProfile, generatorOptionsFrom, profileOutputFrom, refuseEmpty, withGeneratorOptions } from './generator-options.js';
import { formatReport, quietly } from './report.js';
import { escapeControl } from '../util/escape.js';

export const DEFAULT_AUDIT_INPUTS = ['/var/log/audit/audit.log', '/var/log/syslog', '/var/log/kern.log'];

interface Args extends GeneratorArgs, FilterFlags {
  files?: string[];
  dmesg?: boolean;
  journal?: boolean;
  'journal-json'?: boolean;
  'split-by'?: SplitKey;
  'proc-root': string;
  follow?: boolean;
  'from-start'?: boolean;
  'flush-interval': number;
  namespace?: string[];
  workload?: string[];
  'cri-socket'?: string;
  state?: string;
}

/** --split-by pod|workload, --namespace, --workload → what to ask the CRI, or undefined (no pod attribution). */
function podOptions(argv: Args, split: SplitKey | undefined): PodAttributionOptions | undefined {
  return podOptionsFrom({ split, namespace: argv.namespace, workload: argv.workload, criSocket: argv['cri-socket'] });
}

function defaultInput(): string {
  for (const p of DEFAULT_AUDIT_INPUTS) if (existsSync(p)) return p;
  throw new UserError(`no input given and none of ${DEFAULT_AUDIT_INPUTS.join(', ')} exists (give a FILE, --dmesg or --journal)`);
}

export const auditCommand: CommandModule<object, Args> = {
  command: 'audit [files..]',
  describe: 'Build a profile from kernel seccomp audit records (audit.log, dmesg, syslog, journald, ausearch)',
  builder: (y) =>
    withGeneratorOptions(
      y
        .positional('files', { type: 'string', array: true, describe: `Logs (- for stdin, .gz transparently; default: the first of ${DEFAULT_AUDIT_INPUTS.join(', ')})` })
        .option('dmesg', { type: 'boolean', describe: 'Read `dmesg` (records printed by the kernel when auditd is not running)', group: 'Input:' })
        .option('journal', { type: 'boolean', describe: 'Read this boot\'s audit and kernel messages from the journal (`journalctl -b -o short-precise _TRANSPORT=audit _TRANSPORT=kernel`)', group: 'Input:' })
        .option('journal-json', { type: 'boolean', describe: 'With --journal: read them as `-o json`', group: 'Input:' })
        .option('pid', { type: 'string', array: true, describe: 'Only records of these pids', group: 'Filter:' })
        .option('comm', { type: 'string', array: true, describe: 'Only records of this comm (process name)', group: 'Filter:' })
        .option('exe', { type: 'string', array: true, describe: 'Only records of this executable path', group: 'Filter:' })
        .option('uid', { type: 'string', array: true, describe: 'Only records of these uids', group: 'Filter:' })
        .option('since', { type: 'string', describe: 'Only records at or after (epoch seconds or ISO 8601)', group: 'Filter:' })
        .option('until', { type: 'string', describe: 'Only records at or before', group: 'Filter:' })
        .option('action', { type: 'string', array: true, describe: 'Only records with this seccomp action (log, errno, kill_thread, kill_process, kill = either kill, trap, user_notif, trace, allow; default all)', group: 'Filter:' })
        .option('container', { type: 'string', array: true, describe: 'Only processes of this container (id prefix, or the name of a runc/LXC named container; needs the process still running)', group: 'Filter:' })
        .option('namespace', { type: 'string', array: true, describe: 'Only containers of pods in this Kubernetes namespace (asks the CRI)', group: 'Filter:' })
        .option('workload', { type: 'string', array: true, describe: 'Only containers of this workload (name, or Kind/name: Deployment/web; asks the CRI)', group: 'Filter:' })
        .option('cri-socket', { type: 'string', describe: `The container runtime's CRI socket for pod attribution (default: the first that exists of /run/containerd/containerd.sock, /var/run/crio/crio.sock, /run/crio/crio.sock)`, group: 'Filter:' })
        .option('split-by', { choices: [...SPLIT_KEYS], describe: 'One profile per container / pod / workload (Deployment, StatefulSet, …) / exe / comm, written into the -o directory', group: 'Output:' })
        .option('proc-root', { type: 'string', default: '/proc', hidden: true, describe: 'procfs root (tests)' })
        .option('follow', { alias: 'f', type: 'boolean', describe: 'Keep reading the file as it grows (survives rotation); rewrite -o as new syscalls appear', group: 'Follow:' })
        .option('from-start', { type: 'boolean', describe: 'With --follow: read the existing content first', group: 'Follow:' })
        .option('flush-interval', { type: 'number', default: 1, describe: 'With --follow: rewrite the profile at most every N seconds', group: 'Follow:' })
        .option('state', { type: 'string', describe: 'With --follow --split-by: the restart-safe state (log position, per-group syscall sets); default <-o>.state.json, beside the output directory', group: 'Follow:' }),
    )
      .example('sudo $0 audit -o app.json --comm myapp', 'records of one program from /var/log/audit/audit.log')
      .example('$0 audit --dmesg --baseline none --runtime none', 'exactly what was logged, from the kernel ring buffer')
      .example('$0 audit audit.log --split-by container -o profiles/', 'one profile per container')
      .example('sudo $0 audit --split-by workload --namespace shop -o profiles/', 'one profile per Kubernetes workload (<namespace>-<workload>.json)')
      .example('sudo $0 audit --follow --exe /usr/bin/app -o app.json', 'keep the profile up to date while the app runs') as never,
  handler: async (argv) => {
    await checkOutputArgs(argv, { directory: !!argv['split-by'], nameOptional: !!argv['split-by'] });
    const opts = generatorOptionsFrom(argv);
    const filter = filterFrom(argv);
    const split = argv['split-by'];
    const files = argv.files?.length ? argv.files : undefined;
    const sources = [argv.dmesg, argv.journal, files].filter(Boolean).length;
    if (sources > 1) throw new UserError('give files, --dmesg or --journal, not several');
    if (argv['journal-json'] && !argv.journal) throw new UserError('--journal-json goes with --journal');
    if (split && (!argv.output || argv.output === '-')) throw new UserError('--split-by writes one profile per key: -o must name a directory');
    const pods = podOptions(argv, split);
    if (!(argv['flush-interval'] > 0)) throw new UserError('--flush-interval must be a positive number of seconds');
    if (argv.state !== undefined && !(argv.follow && split)) throw new UserError('--state goes with --follow --split-by');

    if (argv.follow) {
      if (argv.dmesg || argv.journal) throw new UserError('--follow reads a file (for the kernel log, follow /var/log/kern.log or pipe `dmesg -w` to -)');
      if (!argv.output || argv.output === '-') throw new UserError('--follow needs -o FILE (the profile is rewritten as syscalls appear)');
      if (files && files.length > 1) throw new UserError('--follow follows one file');
      if (split) {
        // The node agent: per-group profiles and a restart-safe state (src/cli/audit-agent.ts).
        const { followSplit } = await import('./audit-agent.js');
        await followSplit(files?.[0] ?? defaultInput(), argv, filter, opts, split, pods);
        return;
      }
      if (pods) throw new UserError('--follow with --namespace / --workload needs --split-by (container, pod or workload)');
      await followAudit(files?.[0] ?? defaultInput(), argv, filter, opts);
      return;
    }

    const sink = new AuditSink(filter, pods && !split ? 'container' : split, argv['proc-root']);
    if (argv.dmesg) await eachLineOfCommand(DMESG_ARGV, (l, n) => sink.line(l, n, 'dmesg'));
    else if (argv.journal) await eachLineOfCommand(journalArgv(!!argv['journal-json']), (l, n) => sink.line(l, n, 'journalctl'));
    else {
      const paths = files ?? [defaultInput()];
      const progress = Progress.forInputs(paths, argv.quiet);
      try {
        for (const f of paths) await eachLineOfFile(f, (l, n) => sink.line(l, n, f), progress);
      } finally {
        progress?.done();
      }
    }

    const att = pods ? await import('../attribution/index.js') : undefined;
    const grouped = att && pods ? await att.attributeAudit(sink.byKey, sink.perKey, sink.all.result(), pods) : undefined;
    if (grouped?.notice) process.stderr.write(`syscribe: ${escapeControl(grouped.notice)}: attributing to container ids only\n`);
    const { json: extra, line } = filterSummary(sink);
    let filterLine = line;
    if (att && grouped && pods) {
      const f = podFilterCounts(grouped.filtered, pods, sink.kept);
      Object.assign(extra, f.json, { filtered: sink.filtered + grouped.filtered });
      if (f.line) filterLine += `\n${f.line}`;
    }
    const observed = grouped?.merged ?? sink.all.result();
    if (!split) {
      await emitProfile(observed, argv, opts, extra, { summary: `${filterLine}\n`, emptyDetail: filterLine });
      return;
    }
    refuseEmpty(observed, argv, filterLine, extra);
    const dir = resolvePath(argv.output!);
    await fsp.mkdir(dir, { recursive: true });
    const written: Array<{ key: string; file: string; syscalls: number; containers?: MemberInfo[] }> = [];
    const totals = sink.all.result();
    const entries = grouped ? grouped.groups.map((g) => [g.key, g.collector, g.containers] as const) : [...sink.byKey].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, c, undefined] as const);
    for (const [key, c, members] of entries) {
      const file = await writeSplitProfile(dir, key, c, members, profileOutputFrom(argv), opts, split);
      written.push({ key, file, syscalls: [...c.arches.values()].reduce((n, m) => n + m.size, 0), ...(members ? { containers: members } : {}) });
    }
    const summary = { split: split, profiles: written, lines: totals.lines, lost: totals.lost, unknown: totals.unknown, ...extra };
    if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (argv.quiet) {
      if (totals.lossSignals) process.stderr.write(`WARNING: the log says ${totals.lost} records were lost (${totals.lossSignals} loss signals): the profiles may be incomplete\n`);
    } else {
      process.stderr.write(`${written.length} profile(s) in ${dir} (one per ${split}):\n`);
      for (const w of written) process.stderr.write(`  ${escapeControl(w.key)}: ${escapeControl(w.file)} (${w.syscalls} syscalls observed${w.containers && att ? `; ${escapeControl(att.describeMembers(w.containers))}` : ''})
`);
      process.stderr.write(`lines: ${totals.lines.parsed} parsed, ${totals.lines.ignored} ignored, ${totals.lines.malformed} malformed
${filterLine}
`);
      if (totals.lossSignals) process.stderr.write(`WARNING: the log says ${totals.lost} records were lost (${totals.lossSignals} loss signals): the profiles may be incomplete\n`);
    }
  },
};

/** --follow (one profile): app/audit-follow.ts keeps -o up to date; this prints what it tells and the summary. */
async function followAudit(path: string, argv: Args, filter: AuditFilter, opts: GenerateOptions): Promise<void> {
  const out = { ...profileOutputFrom(argv), output: argv.output! };
  process.stderr.write(`following ${path}${argv['from-start'] ? ' from its start' : ''}; profile: ${argv.output} (Ctrl-C to stop)\n`);
  const { report, sink } = await runFollowAudit({
    path, filter, generate: opts, out, procRoot: argv['proc-root'], fromStart: !!argv['from-start'], flushIntervalMs: argv['flush-interval'] * 1000,
    onNew: (name, o) => process.stderr.write(`new: ${name} (${archById(o.arch).id}${o.comm !== undefined ? `, ${escapeControl(o.comm)}` : ''}${o.pid !== undefined ? ` pid ${o.pid}` : ''})\n`),
    onNotice: (m) => process.stderr.write(`${m}\n`),
    onWriteError: (e) => process.stderr.write(`syscribe: writing ${argv.output}: ${e.message}\n`),
  });
  const f = filterSummary(sink);
  if (argv.json) process.stdout.write(`${JSON.stringify({ ...report, ...f.json, output: argv.output }, null, 2)}\n`);
  else process.stderr.write(quietly(`${formatReport(report, argv.output)}${f.line}\n`, argv.quiet));
}
