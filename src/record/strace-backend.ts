/**
 * Live recording with strace: CMD runs under `strace -f`, strace writes its
 * log into a FIFO that syscribe parses as it comes (no temp log file), CMD
 * keeps the terminal's stdin/stdout/stderr, and its exit status is returned.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import type { Collector } from '../collect/collector.js';
import { UserError } from '../errors.js';
import { StraceParser } from '../ingest/strace/index.js';
import type { LineResult } from '../types.js';
import { eachLineOfFifo } from '../sources/fifo.js';
import { ptraceDiagnosis } from './diagnose.js';
import { which } from '../util/which.js';

export interface RecordTarget {
  /** Command and arguments to run, or undefined with `pid`. */
  cmd?: string[];
  /** Attach to a running process (and its threads and future children) until interrupted. */
  pid?: number;
}

export interface RecordOutcome {
  /** The exit status syscribe should exit with (CMD's, or 128+signal). */
  exitCode: number;
  /** True when recording stopped because of SIGINT/SIGTERM. */
  interrupted: boolean;
  /** The signal that stopped it (SIGINT or SIGTERM), when interrupted. */
  signal?: NodeJS.Signals;
}

/** Every live descendant of `pid` (children first found first), from /proc/<pid>/task/<tid>/children. */
export function descendants(pid: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    let tids: string[] = [];
    try { tids = readdirSync(join(procRoot, String(p), 'task')); } catch { continue; }
    for (const t of tids) {
      let text = '';
      try { text = readFileSync(join(procRoot, String(p), 'task', t, 'children'), 'utf8'); } catch { continue; }
      for (const c of text.split(' ')) {
        const n = Number(c);
        if (c && Number.isInteger(n) && !out.includes(n)) { out.push(n); queue.push(n); }
      }
    }
  }
  return out;
}

/** Between strace's FIFO and the parser: which lines go on (record --in-container, see after-install.ts). */
export interface LineStage {
  line(text: string, n: number): void;
  /** End of input: the stage passes on or drops what it still holds. */
  end(): void;
}

export interface StraceRecordOptions {
  /** More strace options, before `-o` (e.g. --pidns-translation). */
  straceArgs?: string[];
  /**
   * Make the stage that lines go through before the parser: `pass` sends a line on to the parser,
   * `drop` counts it as ignored.
   */
  stage?: (pass: (text: string, n: number) => void, drop: (text: string, n: number) => void) => LineStage;
  /** What SIGINT/SIGTERM to syscribe does instead of signalling strace (record --in-container stops the container). */
  interrupt?: (sig: NodeJS.Signals) => void;
}

const DROPPED_LINE = Object.freeze({ kind: 'ignored' }) as LineResult;

export const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15, SIGABRT: 6 };

export async function recordWithStrace(target: RecordTarget, collector: Collector, opts: StraceRecordOptions = {}): Promise<RecordOutcome> {
  const strace = which('strace');
  if (!strace) throw new UserError('strace is not installed: apt-get install -y strace (or dnf install strace)');
  const dir = await mkdtemp(join(tmpdir(), 'syscribe-record-'));
  const fifo = join(dir, 'strace.fifo');
  try {
    // node:child_process, not execa: record's fixed cost is start-up, and execa is the heaviest import.
    const mk = spawnSync('mkfifo', ['-m', '0600', fifo], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (mk.status !== 0) throw new UserError(`mkfifo ${fifo}: ${mk.error?.message ?? mk.stderr.trim()}`);
    const args = ['-f', '-qq', ...(opts.straceArgs ?? []), '-o', fifo];
    if (target.pid !== undefined) args.push('-p', String(target.pid));
    else args.push('--', ...target.cmd!);
    // strace is never killed on a timer: it ends when the traced program does (see forward()).
    const child = spawn(strace, args, { stdio: 'inherit' });
    const exited = new Promise<{ exitCode: number | undefined; signal: NodeJS.Signals | undefined }>((resolve) => {
      child.once('error', () => resolve({ exitCode: undefined, signal: undefined }));
      child.once('exit', (code, sig) => resolve({ exitCode: code ?? undefined, signal: sig ?? undefined }));
    });

    let interrupted = false;
    let signal: NodeJS.Signals | undefined;
    let signalled = 0;
    const forward = (sig: NodeJS.Signals) => () => {
      interrupted = true;
      signal ??= sig;
      signalled++;
      if (opts.interrupt) return opts.interrupt(sig);
      // strace -p detaches on a signal and leaves the process running, as it was before.
      if (target.pid !== undefined || child.pid === undefined) return void child.kill(sig);
      // A command strace started: the signal goes to the program and every process it started (the
      // terminal's Ctrl-C reaches them all through the process group; a signal to syscribe alone must
      // too), strace then sees them end and exits; the profile of what was seen is written. A second
      // signal kills what is still running.
      for (const p of descendants(child.pid)) {
        try { process.kill(p, signalled > 1 ? 'SIGKILL' : sig); } catch { /* gone already */ }
      }
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);

    const parser = new StraceParser();
    const toParser = (line: string, n: number) => collector.line(parser.line(line), n, line, 'strace');
    const stage = opts.stage?.(toParser, (line, n) => collector.line(DROPPED_LINE, n, line, 'strace'));
    let staged = 0;
    const reading = eachLineOfFifo(fifo, stage ? (line, n) => (staged++, stage.line(line, n)) : toParser, exited);
    const result = await exited;
    await reading;
    stage?.end();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    for (const o of parser.end()) collector.add(o);

    if ((stage ? staged : collector.lines.parsed) === 0 && !interrupted && result.exitCode !== 0) {
      const why = await ptraceDiagnosis();
      throw new UserError(`strace recorded nothing (exit ${result.exitCode ?? result.signal})${why ? `: ${why}` : ''}`);
    }
    let exitCode = result.exitCode ?? 0;
    if (result.signal) exitCode = 128 + (SIGNALS[result.signal] ?? 1);
    // Stopped by SIGINT/SIGTERM: 128+signal, as a shell reports a command ended by it, even when the
    // program caught the signal and exited by itself. (record --in-container stops the container like
    // `docker stop` and keeps the container's exit status, as `docker run` reports it.)
    if (signal && target.pid === undefined && !opts.interrupt) exitCode = 128 + SIGNALS[signal]!;
    return { exitCode, interrupted, ...(signal ? { signal } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
