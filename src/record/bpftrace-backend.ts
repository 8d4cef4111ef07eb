/**
 * The fast recording backend: bpftrace counts syscalls per (ABI, number)
 * inside the kernel for CMD's process tree and prints the totals at the end,
 * so CMD runs at nearly full speed. x86_64 hosts only: 32-bit (compat) tasks
 * are told apart by TS_COMPAT in thread_info.status.
 */
import { existsSync } from 'node:fs';
import { loadExeca } from '../util/exec.js';
import { type ArchId, hostArch } from '../arch.js';
import type { Collector } from '../collect/collector.js';
import { UserError } from '../errors.js';
import type { LineResult } from '../types.js';
import { eachLine } from '../sources/lines.js';
import { which } from '../util/which.js';
import { type RecordOutcome, type RecordTarget, SIGNALS } from './strace-backend.js';

/** Track the processes CMD starts (exec'd by us, then their forks), count their syscalls by ABI. */
export function bpftraceScript(mode: 'cmd' | 'pid'): string {
  // BEGIN runs once every probe is attached: its line is the signal to start CMD.
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

const READY = 'syscribe: tracing';
const CALL_LINE = /^@calls\[(32|64), (-?\d+)\]: (\d+)$/;

/** Parse one line of bpftrace's final map dump. */
export function parseBpftraceLine(line: string, native: ArchId, compat: ArchId): LineResult {
  const m = CALL_LINE.exec(line);
  if (m) return { kind: 'parsed', obs: [{ arch: m[1] === '32' ? compat : native, nr: Number(m[2]), count: Number(m[3]) }] };
  if (line.startsWith('@calls[')) return { kind: 'malformed', reason: 'unexpected @calls entry' };
  return { kind: 'ignored' };
}

/** Can the bpftrace backend run here? undefined when yes, else why not. */
export async function bpftraceUnavailable(): Promise<string | undefined> {
  const execa = await loadExeca();
  if (hostArch().id !== 'x86_64') return `the bpftrace backend tells 32-bit tasks apart only on x86_64 hosts (this is ${hostArch().id}); use --backend strace`;
  if (process.getuid?.() !== 0) return 'the bpftrace backend needs root';
  if (!which('bpftrace')) return 'bpftrace is not installed: apt-get install -y bpftrace';
  if (!tracefsReady()) {
    await execa('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { reject: false });
    if (!tracefsReady()) return 'tracefs is not mounted and could not be mounted: mount -t tracefs nodev /sys/kernel/tracing';
  }
  return undefined;
}

function tracefsReady(): boolean {
  return existsSync('/sys/kernel/tracing/events/raw_syscalls') || existsSync('/sys/kernel/debug/tracing/events/raw_syscalls');
}

export async function recordWithBpftrace(target: RecordTarget, collector: Collector): Promise<RecordOutcome> {
  const execa = await loadExeca();
  const why = await bpftraceUnavailable();
  if (why) throw new UserError(why);
  const native = hostArch().id;
  const compat: ArchId = 'x86';
  const mode = target.pid !== undefined ? 'pid' : 'cmd';
  const tracer = execa('bpftrace', ['-B', 'line', '-e', bpftraceScript(mode), String(mode === 'pid' ? target.pid : process.pid)], {
    stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', reject: false,
  });
  let stderr = '';
  tracer.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let attached!: () => void;
  const ready = new Promise<void>((r) => (attached = r));
  let lineNo = 0;
  const reading = eachLine(tracer.stdout!, (line) => {
    lineNo++;
    if (line === READY) {
      attached();
      collector.line({ kind: 'ignored' }, lineNo, line, 'bpftrace');
      return;
    }
    collector.line(parseBpftraceLine(line, native, compat), lineNo, line, 'bpftrace');
  });
  const ended = tracer.then((r) => r);
  await Promise.race([ready, ended]);
  if (tracer.exitCode !== null && tracer.exitCode !== undefined) {
    await reading.catch(() => undefined);
    throw new UserError(`bpftrace failed to start: ${stderr.split('\n').filter((l) => l && !/RLIMIT_MEMLOCK/.test(l))[0] ?? `exit ${tracer.exitCode}`}`);
  }

  let interrupted = false;
  let exitCode = 0;
  const stop = () => {
    interrupted = true;
  };
  if (mode === 'cmd') {
    const child = execa(target.cmd![0]!, target.cmd!.slice(1), { stdio: 'inherit', reject: false });
    const onTerm = () => {
      stop();
      child.kill('SIGTERM');
    };
    process.on('SIGINT', stop); // the terminal sends SIGINT to CMD itself
    process.on('SIGTERM', onTerm);
    const r = await child;
    process.off('SIGINT', stop);
    process.off('SIGTERM', onTerm);
    if ((r as { code?: string }).code === 'ENOENT') {
      tracer.kill('SIGINT');
      await ended;
      throw new UserError(`${target.cmd![0]}: command not found`);
    }
    exitCode = r.exitCode ?? (r.signal ? 128 + (SIGNALS[r.signal] ?? 1) : 1);
    // The exec itself happens before the tracker sees the process.
    collector.add({ arch: native, name: 'execve' });
  } else {
    // Until Ctrl-C, or until the process is gone.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (!existsSync(`/proc/${target.pid}`)) finish();
      }, 500);
      const onSig = () => {
        stop();
        finish();
      };
      function finish() {
        clearInterval(timer);
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
        resolve();
      }
      process.on('SIGINT', onSig);
      process.on('SIGTERM', onSig);
    });
  }
  tracer.kill('SIGINT');
  await ended;
  await reading;
  return { exitCode, interrupted };
}
