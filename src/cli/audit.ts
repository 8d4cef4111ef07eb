import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { type ArgsOf, defineCommand } from './command.js';
import { AUTO_CORES, PARALLEL_MIN_BYTES, jobsFrom, withJobsOption } from './jobs-option.js';
import { archById } from '../arch.js';
import { SPLIT_KEYS, type SplitKey } from '../app/audit.js';
import { runAudit } from '../app/audit-run.js';
import { runFollowAudit } from '../app/audit-follow.js';
import { UserError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import type { AuditFilter } from '../ingest/audit-filter.js';
import { describeMembers, filterFrom, filterSummary, podFilterCounts, podOptionsFrom } from './audit-options.js';
import type { PodAttributionOptions } from '../attribution/options.js';
import { checkOutputArgs, generatorOptionsFrom, printEmitted, profileOutputFrom, refuseEmpty, withGeneratorOptions } from './generator-options.js';
import { formatReport, quietly } from './report.js';
import { escapeControl } from '../util/escape.js';
import { flagFor } from './flags.js';

export const DEFAULT_AUDIT_INPUTS = ['/var/log/audit/audit.log', '/var/log/syslog', '/var/log/kern.log'];

function defaultInput(): string {
  for (const p of DEFAULT_AUDIT_INPUTS) if (existsSync(p)) return p;
  throw new UserError(`no input given and none of ${DEFAULT_AUDIT_INPUTS.join(', ')} exists (give a FILE, --dmesg or --journal)`);
}

const builder = (y: Argv) =>
  withJobsOption(withGeneratorOptions(
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
  ), AUTO_CORES)
    .example('sudo $0 audit -o app.json --comm myapp', 'records of one program from /var/log/audit/audit.log')
    .example('$0 audit --dmesg --baseline none --runtime none', 'exactly what was logged, from the kernel ring buffer')
    .example('$0 audit audit.log --split-by container -o profiles/', 'one profile per container')
    .example('sudo $0 audit --split-by workload --namespace shop -o profiles/', 'one profile per Kubernetes workload (<namespace>-<workload>.json)')
    .example('sudo $0 audit --follow --exe /usr/bin/app -o app.json', 'keep the profile up to date while the app runs');

type Args = ArgsOf<typeof builder>;

export const auditCommand = defineCommand({
  command: 'audit [files..]',
  describe: 'Build a profile from kernel seccomp audit records (audit.log, dmesg, syslog, journald, ausearch)',
  builder,
  handler: async (argv) => {
    await checkOutputArgs(argv, { directory: !!argv['split-by'], nameOptional: !!argv['split-by'] });
    const opts = generatorOptionsFrom(argv);
    const filter = filterFrom(argv);
    const jobs = jobsFrom(argv.jobs, AUTO_CORES);
    const split = argv['split-by'];
    const files = argv.files?.length ? argv.files : undefined;
    const sources = [argv.dmesg, argv.journal, files].filter(Boolean).length;
    if (sources > 1) throw new UserError('give files, --dmesg or --journal, not several');
    if (argv['journal-json'] && !argv.journal) throw new UserError('--journal-json goes with --journal');
    if (split && (!argv.output || argv.output === '-')) throw new UserError('--split-by writes one profile per key: -o must name a directory');
    const podFlags = podOptionsFrom({ split, namespace: argv.namespace, workload: argv.workload, criSocket: argv['cri-socket'] });
    // A notice that names an option names its flag.
    const pods = podFlags && { ...podFlags, name: flagFor };
    if (!(argv['flush-interval'] > 0)) throw new UserError('--flush-interval must be a positive number of seconds');
    if (argv.state !== undefined && !(argv.follow && split)) throw new UserError('--state goes with --follow --split-by');

    if (argv.follow) {
      if (argv.dmesg || argv.journal) throw new UserError('--follow reads a file (for the kernel log, follow /var/log/kern.log or pipe `dmesg -w` to -)');
      if (!argv.output || argv.output === '-') throw new UserError('--follow needs -o FILE (the profile is rewritten as syscalls appear)');
      if (files && files.length > 1) throw new UserError('--follow follows one file');
      if (split) return followSplit(files?.[0] ?? defaultInput(), argv, filter, opts, split, pods);
      if (pods) throw new UserError('--follow with --namespace / --workload needs --split-by (container, pod or workload)');
      return followAudit(files?.[0] ?? defaultInput(), argv, filter, opts);
    }

    const r = await runAudit({
      input: argv.dmesg ? { kind: 'dmesg' } : argv.journal ? { kind: 'journal', json: !!argv['journal-json'] } : { kind: 'files', paths: files ?? [defaultInput()] },
      filter,
      ...(split ? { split } : {}),
      ...(pods ? { pods } : {}),
      procRoot: argv['proc-root'],
      progress: !argv.quiet,
      jobs,
      parallelMinBytes: PARALLEL_MIN_BYTES,
      generate: opts,
      out: profileOutputFrom(argv),
      allowEmpty: !!argv['allow-empty'],
      onAttributionNotice: attributionNotice,
    });
    const { json: extra, line } = filterSummary(r.counts);
    let filterLine = line;
    if (pods && r.podFiltered !== undefined) {
      const f = podFilterCounts(r.podFiltered, pods, r.counts.kept);
      Object.assign(extra, f.json, { filtered: r.counts.filtered + r.podFiltered });
      if (f.line) filterLine += `\n${f.line}`;
    }
    if (r.empty) refuseEmpty(r.observed, argv, filterLine, extra);
    if (r.emitted) {
      await printEmitted(r.emitted, argv, extra, `${filterLine}\n`);
      return 0;
    }
    const { totals } = r;
    const { dir, profiles } = r.split!;
    const summary = { split, profiles, lines: totals.lines, lost: totals.lost, unknown: totals.unknown, ...extra };
    if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (argv.quiet) {
      if (totals.lossSignals) process.stderr.write(`WARNING: the log says ${totals.lost} records were lost (${totals.lossSignals} loss signals): the profiles may be incomplete\n`);
    } else {
      process.stderr.write(`${profiles.length} profile(s) in ${dir} (one per ${split}):\n`);
      for (const w of profiles) process.stderr.write(`  ${escapeControl(w.key)}: ${escapeControl(w.file)} (${w.syscalls} syscalls observed${w.containers ? `; ${escapeControl(describeMembers(w.containers))}` : ''})\n`);
      process.stderr.write(`lines: ${totals.lines.parsed} parsed, ${totals.lines.ignored} ignored, ${totals.lines.malformed} malformed\n${filterLine}\n`);
      if (totals.lossSignals) process.stderr.write(`WARNING: the log says ${totals.lost} records were lost (${totals.lossSignals} loss signals): the profiles may be incomplete\n`);
    }
    return 0;
  },
});

function attributionNotice(notice: string): void {
  process.stderr.write(`syscribe: ${escapeControl(notice)}: attributing to container ids only\n`);
}

/** --follow (one profile): app/audit-follow.ts keeps -o up to date; this prints what it tells and the summary. */
async function followAudit(path: string, argv: Args, filter: AuditFilter, opts: GenerateOptions): Promise<number> {
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
  return 0;
}

/** --follow --split-by: the node agent (app/audit-agent.ts); this prints what it tells. */
async function followSplit(path: string, argv: Args, filter: AuditFilter, opts: GenerateOptions, split: SplitKey, pods: PodAttributionOptions | undefined): Promise<number> {
  const { runAuditAgent } = await import('../app/audit-agent.js');
  const r = await runAuditAgent({
    path, filter, split, ...(pods ? { pods } : {}), generate: opts, out: { ...profileOutputFrom(argv), output: argv.output! },
    ...(argv.state !== undefined ? { statePath: argv.state } : {}),
    procRoot: argv['proc-root'], fromStart: !!argv['from-start'], flushIntervalMs: argv['flush-interval'] * 1000,
    onStart: (s) => process.stderr.write(`following ${path}${s.resumeAt !== undefined ? ` from byte ${s.resumeAt} (state ${s.statePath})` : argv['from-start'] ? ' from its start' : ''}; one profile per ${split} in ${s.dir} (Ctrl-C to stop)\n`),
    onWrote: (file) => process.stderr.write(`wrote ${escapeControl(file)}\n`),
    onNotice: (m) => process.stderr.write(`${escapeControl(m)}\n`),
    onAttributionNotice: attributionNotice,
    onFlushError: (e) => process.stderr.write(`syscribe: ${e.message}\n`),
  });
  const t = r.totals;
  process.stderr.write(`stopped: ${r.groups} group(s) in ${r.dir}; this run: ${t.lines.parsed} parsed, ${t.lines.ignored} ignored, ${t.lines.malformed} malformed lines${t.lost ? `; the log says ${t.lost} records were lost` : ''}\n`);
  return 0;
}
