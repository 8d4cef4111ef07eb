/**
 * The fast recording backend: bpftrace counts syscalls per (ABI, number)
 * inside the kernel for CMD's process tree and prints the totals at the end,
 * so CMD runs at nearly full speed. x86_64 hosts only: 32-bit (compat) tasks
 * are told apart by TS_COMPAT in thread_info.status.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type ArchId, hostArch } from '../arch.js';
import type { Collector } from '../collect/collector.js';
import { UserError } from '../errors.js';
import type { LineResult } from '../types.js';
import { which } from '../util/which.js';
import { type BpftraceMode, BpftraceSession, READY } from './bpftrace-session.js';
import { takePrestarted } from './prestart.js';
import { type RecordOutcome, type RecordTarget, SIGNALS } from './strace-backend.js';

export { bpftraceScript } from './bpftrace-session.js';

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
  if (hostArch().id !== 'x86_64') return `the bpftrace backend tells 32-bit tasks apart only on x86_64 hosts (this is ${hostArch().id}); use --backend strace`;
  if (process.getuid?.() !== 0) return 'the bpftrace backend needs root';
  if (!which('bpftrace')) return 'bpftrace is not installed: apt-get install -y bpftrace';
  if (!tracefsReady()) {
    spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'ignore' });
    if (!tracefsReady()) return 'tracefs is not mounted and could not be mounted: mount -t tracefs nodev /sys/kernel/tracing';
  }
  return undefined;
}

function tracefsReady(): boolean {
  return existsSync('/sys/kernel/tracing/events/raw_syscalls') || existsSync('/sys/kernel/debug/tracing/events/raw_syscalls');
}

/** How a child ended, as execa reported it: the exit code, or the signal. */
interface Ended {
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  error?: NodeJS.ErrnoException;
}

function run(cmd: string[]): { child: ReturnType<typeof spawn>; ended: Promise<Ended> } {
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'inherit' });
  const ended = new Promise<Ended>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ exitCode: undefined, signal: undefined, error }));
    child.once('exit', (code, sig) => resolve({ exitCode: code ?? undefined, signal: sig ?? undefined }));
  });
  return { child, ended };
}

export async function recordWithBpftrace(target: RecordTarget, collector: Collector): Promise<RecordOutcome> {
  const mode: BpftraceMode = target.pid !== undefined ? 'pid' : 'cmd';
  const watched = mode === 'pid' ? target.pid! : process.pid;
  // Started by bin/syscribe.js before the CLI loaded (cli/prestart.ts), when the argv said so.
  let tracer = takePrestarted(mode, watched);
  try {
    const why = await bpftraceUnavailable();
    if (why) throw new UserError(why);
    tracer ??= new BpftraceSession(mode, watched);
    const native = hostArch().id;
    const compat: ArchId = 'x86';
    tracer.onLine((line, n) => collector.line(line === READY ? { kind: 'ignored' } : parseBpftraceLine(line, native, compat), n, line, 'bpftrace'));
    try {
      await tracer.ready;
    } catch (e) {
      throw new UserError(`bpftrace failed to start: ${(e as Error).message}`);
    }
    const outcome = mode === 'cmd' ? await runCommand(target.cmd!, tracer, native, collector) : await untilGone(target.pid!);
    const early = tracer.endedEarly;
    const end = await tracer.stop();
    if (end.error || early) throw new UserError(`bpftrace ended before the recording did (${tracer.failure(end)}): no profile written`);
    return outcome;
  } finally {
    tracer?.kill(); // a no-op when it has ended
  }
}

/** Run CMD (bpftrace is tracing); its exit status. */
async function runCommand(cmd: string[], tracer: BpftraceSession, native: ArchId, collector: Collector): Promise<RecordOutcome> {
  let interrupted = false;
  const stop = () => {
    interrupted = true;
  };
  const { child, ended } = run(cmd);
  let force: NodeJS.Timeout | undefined;
  const onTerm = () => {
    stop();
    child.kill('SIGTERM');
    // As execa did: what ignores SIGTERM is killed 5 s later.
    force ??= setTimeout(() => child.kill('SIGKILL'), 5000);
  };
  process.on('SIGINT', stop); // the terminal sends SIGINT to CMD itself
  process.on('SIGTERM', onTerm);
  const r = await ended;
  clearTimeout(force);
  process.off('SIGINT', stop);
  process.off('SIGTERM', onTerm);
  if (r.error?.code === 'ENOENT') {
    await tracer.stop();
    throw new UserError(`${cmd[0]}: command not found`);
  }
  if (r.error) throw r.error;
  const exitCode = r.exitCode ?? (r.signal ? 128 + (SIGNALS[r.signal] ?? 1) : 1);
  // The exec itself happens before the tracker sees the process.
  collector.add({ arch: native, name: 'execve' });
  return { exitCode, interrupted };
}

/** Attached to a process: until Ctrl-C, or until the process is gone. */
async function untilGone(pid: number): Promise<RecordOutcome> {
  let interrupted = false;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!existsSync(`/proc/${pid}`)) finish();
    }, 500);
    const onSig = () => {
      interrupted = true;
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
  return { exitCode: 0, interrupted };
}
