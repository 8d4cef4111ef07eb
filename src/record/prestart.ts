/**
 * A bpftrace session started before the CLI loaded (cli/prestart.ts guesses
 * from the raw argv that `record` will want one): bpftrace's compile-and-attach
 * overlaps node's start-up. The backend takes it only when it traces what the
 * parsed options ask for; a session nobody took is killed.
 */
import { existsSync } from 'node:fs';
import { which } from '../util/which.js';
import type { BpftraceMode, BpftraceSession } from './bpftrace-session.js';

let early: BpftraceSession | undefined;

/** The quick checks of bpftraceUnavailable() (no mounting): root, x86_64, bpftrace installed, tracefs there. */
export function bpftraceLikely(): boolean {
  return process.getuid?.() === 0 && process.arch === 'x64' && which('bpftrace') !== undefined
    && (existsSync('/sys/kernel/tracing/events/raw_syscalls') || existsSync('/sys/kernel/debug/tracing/events/raw_syscalls'));
}

/** Start the session now (bpftrace-session.ts is loaded only here: a strace recording loads nothing more). */
export async function startEarly(mode: BpftraceMode, target: number): Promise<void> {
  const { BpftraceSession } = await import('./bpftrace-session.js');
  early = new BpftraceSession(mode, target);
}

/** The session started early, when it traces what the parsed options ask for (else it is killed). */
export function takePrestarted(mode: BpftraceMode, target: number): BpftraceSession | undefined {
  const s = early;
  early = undefined;
  if (s && s.mode === mode && s.target === target) return s;
  s?.kill();
  return undefined;
}

/** Kill a session nobody took (the command failed, or was not what the guess said). */
export function discardPrestarted(): void {
  early?.kill();
  early = undefined;
}
