/**
 * One bpftrace run of the bpftrace backend: started at once (child_process,
 * nothing else loaded: bin/syscribe.js starts it before the CLI is parsed, so
 * bpftrace compiles and attaches while node loads the rest), ready when its
 * BEGIN line arrives, stopped without waiting on any timer.
 *
 * Readiness: bpftrace runs BEGIN before it attaches the other probes, but
 * BEGIN's printf reaches its output only from the event loop it enters after
 * attaching them all, so the line means every probe is attached.
 *
 * Stopping: bpftrace (0.17) notices SIGINT only when the signal interrupts its
 * epoll_wait. A SIGINT that lands while it is between two waits (its 100 ms
 * timeout just expired and it waits for a CPU, or it is printing) sets a flag
 * that nothing reads again: it then runs forever (seen here in 1 run of 12 on
 * a loaded 2-core machine, and in 7 of 24 bare bpftrace runs). So bpftrace
 * also watches a lifeline (`-p PID`: it returns from its loop once that
 * process has exited, checked after every wake-up of the loop): a `cat` whose
 * stdin is a pipe from syscribe. A stop is SIGINT, then the lifeline killed:
 * a caught SIGINT ends the loop at once, and the lifeline's death ends the
 * final drain as soon as END's event is read (instead of after one more
 * 100 ms timeout); a lost SIGINT is finished by the lifeline at the next
 * wake-up. Never a second SIGINT: after its main loop bpftrace restores the
 * default action, and a second one would kill it while it prints the counts.
 * The lifeline also ends bpftrace when syscribe dies any way at all (its
 * stdin closes), SIGKILL included. `-p` changes nothing else for tracepoints
 * (it targets USDT probes and uprobes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { LineSplitter } from '../sources/split-lines.js';

/** The line BEGIN prints. */
export const READY = 'syscribe: tracing';

/** Command mode: $1 is this process (CMD is exec'd by its child); pid mode: $1 is the process attached to. */
export type BpftraceMode = 'cmd' | 'pid';

/** Track the processes CMD starts (exec'd by us, then their forks), count their syscalls by ABI. */
export function bpftraceScript(mode: BpftraceMode): string {
  const begin = mode === 'cmd' ? `BEGIN { printf("${READY}\\n"); }` : `BEGIN { @track[$1] = 1; printf("${READY}\\n"); }`;
  const start = mode === 'cmd' ? ['tracepoint:sched:sched_process_exec /curtask->real_parent->tgid == $1/ { @track[pid] = 1; }'] : [];
  return [
    begin,
    ...start,
    'tracepoint:sched:sched_process_fork /@track[pid]/ { @track[args->child_pid] = 1; }',
    'tracepoint:raw_syscalls:sys_enter /@track[pid]/ { @calls[(curtask->thread_info.status & 2) ? 32 : 64, args->id] = count(); }',
    'END { clear(@track); }',
  ].join('\n');
}

export interface BpftraceEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when bpftrace could not be started (spawn error). */
  error?: Error;
}

export class BpftraceSession {
  readonly mode: BpftraceMode;
  /** The pid bpftrace watches ($1). */
  readonly target: number;
  /** Resolves when every probe is attached; rejects when bpftrace ends first (the message: what it said, failure()). */
  readonly ready: Promise<void>;
  /** Resolves when bpftrace has exited and its output is read. */
  readonly ended: Promise<BpftraceEnd>;
  stderr = '';
  private readonly child: ChildProcess;
  private readonly lifeline: ChildProcess;
  private readonly queued: Array<[string, number]> = [];
  private sink: ((line: string, n: number) => void) | undefined;
  private stopping = false;
  /** bpftrace ended before stop() (killed, or its lifeline was): the counts may miss calls. */
  endedEarly = false;
  private readonly onExit = () => this.kill();

  constructor(mode: BpftraceMode, target: number) {
    this.mode = mode;
    this.target = target;
    this.lifeline = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    this.lifeline.on('error', () => undefined); // no cat: bpftrace is started without -p (and fails if cat failed with a pid)
    const watch = this.lifeline.pid !== undefined ? ['-p', String(this.lifeline.pid)] : [];
    this.child = spawn('bpftrace', ['-B', 'line', ...watch, '-e', bpftraceScript(mode), String(target)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Not left running if syscribe ends another way (an error, a usage error before the recording began).
    process.on('exit', this.onExit);
    let attached!: () => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      attached = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined);
    const splitter = new LineSplitter((line, n) => {
      if (line === READY) attached();
      if (this.sink) this.sink(line, n);
      else this.queued.push([line, n]);
    });
    this.child.stdout!.on('data', (d: Buffer) => splitter.push(d));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const outDone = Promise.all([this.child.stdout!, this.child.stderr!].map((s) => new Promise<void>((resolve) => s.once('close', resolve))));
    const exited = new Promise<BpftraceEnd>((resolve) => {
      this.child.once('error', (error) => resolve({ exitCode: null, signal: null, error }));
      this.child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
    });
    this.ended = exited.then(async (end) => {
      if (!this.stopping) this.endedEarly = true;
      if (!end.error) await outDone;
      splitter.end();
      this.lifeline.kill('SIGKILL');
      process.off('exit', this.onExit);
      failed(new Error(this.failure(end)));
      return end;
    });
  }

  /** Where lines go from now on (the ones that came before first, with their numbers). */
  onLine(sink: (line: string, n: number) => void): void {
    for (const [l, n] of this.queued.splice(0)) sink(l, n);
    this.sink = sink;
  }

  /** The first line of bpftrace's complaint (its RLIMIT_MEMLOCK notice aside), or how it ended. */
  failure(end: BpftraceEnd): string {
    if (end.error) return end.error.message;
    return this.stderr.split('\n').filter((l) => l && !/RLIMIT_MEMLOCK/.test(l))[0] ?? `exit ${end.exitCode ?? end.signal}`;
  }

  /** Stop tracing: bpftrace prints the counts and exits (see the top of this file); resolves when it has. */
  stop(): Promise<BpftraceEnd> {
    if (!this.stopping && this.child.exitCode === null && this.child.signalCode === null) {
      this.stopping = true;
      this.child.kill('SIGINT');
      this.lifeline.kill('SIGKILL');
    }
    return this.ended;
  }

  /** Throw it away (the recording did not happen): no output wanted. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    if (this.lifeline.exitCode === null && this.lifeline.signalCode === null) this.lifeline.kill('SIGKILL');
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }
}
