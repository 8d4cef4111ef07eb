/**
 * The data every stage passes on. Sources yield lines; ingest parsers turn a
 * line into observations (no I/O); collect resolves and counts them.
 */
import type { ArchId } from './arch.js';

/** What a parser made of one input line. */
export type LineKind = 'parsed' | 'ignored' | 'malformed';

/** One syscall seen (or a count of them, from strace -c tables). */
export interface Observation {
  /** The arch whose table applies (a 32-bit process on x86_64 is 'x86'). */
  arch: ArchId;
  /** Canonical (libseccomp) name when the source printed one. Parsers may pass strace/auditd spellings; collect canonicalises. */
  name?: string;
  /** The number as the kernel reports it, when no name was printed (strace syscall_0x…, -n; audit records). */
  nr?: number;
  /** A number too large for a double to hold exactly, as printed (decimal): always unknown, reported as is. */
  nrText?: string;
  /** How many calls this stands for (default 1). */
  count?: number;
  /** Process id, when known. */
  pid?: number;
  /**
   * Decoded numeric arguments, only for syscalls whose RuntimeDefault rules
   * have argument conditions (socket, personality, clone; see generate/conditions).
   * An argument strace printed in a form we cannot decode is undefined.
   */
  args?: Array<bigint | undefined>;
  /** Audit extras (undefined for strace). */
  action?: string;
  comm?: string;
  exe?: string;
  uid?: number;
  auid?: number;
  gid?: number;
  /** Audit timestamp, seconds since the epoch (with fraction). */
  time?: number;
  serial?: number;
}

/** The result of feeding one line to a parser. */
export interface LineResult {
  kind: LineKind;
  /** Zero or more observations (a resumed call and an unfinished one may meet on one line). */
  obs?: Observation[];
  /** For malformed lines: why. */
  reason?: string;
  /** Loss signal of audit input: records said dropped (callbacks suppressed N; a limit-exceeded line: 1). See collect/loss.ts. */
  lost?: number;
  /** With lost: the line is a backlog/rate/printk limit-exceeded message (one event, at least one record). */
  limit?: boolean;
  /** The kernel's cumulative audit_lost counter (audit_lost=N): not a count to add. */
  lostCounter?: number;
}
