/** Value decoders: numbers (decimal, hex) read in place, seccomp action codes and ausearch -i names. */
import type { LineResult } from '../../types.js';

/** The one `ignored` result (compared by identity in the dispatch). */
export const IGNORED: LineResult = { kind: 'ignored' };

/** seccomp return action (the record's `code=`) → name. */
export function actionOf(code: number): string {
  switch ((code & 0xffff0000) >>> 0) {
    case 0x7fff0000: return 'allow';
    case 0x7ffc0000: return 'log';
    case 0x7ff00000: return 'trace';
    case 0x7fc00000: return 'user_notif';
    case 0x00050000: return 'errno';
    case 0x00030000: return 'trap';
    case 0x80000000: return 'kill_process';
    case 0x00000000: return 'kill_thread';
    default: return `0x${(code >>> 0).toString(16)}`;
  }
}

/**
 * `ausearch -i` action names (audit-userspace seccomptab.h). It prints `kill`
 * for both SECCOMP_RET_KILL_THREAD (0) and SECCOMP_RET_KILL_PROCESS
 * (0x80000000), so that one stays `kill` (audit-filter matches it for either).
 */
export const INTERPRETED_ACTIONS: Record<string, string> = {
  allow: 'allow', log: 'log', errno: 'errno', trap: 'trap', trace: 'trace', kill: 'kill',
  'user-notify': 'user_notif', notify: 'user_notif', user_notif: 'user_notif',
  'kill-thread': 'kill_thread', kill_thread: 'kill_thread', 'kill-process': 'kill_process', kill_process: 'kill_process',
};

/** ausearch -i arch names that syscribe's arch model spells differently (audit-userspace machinetab.h: AUDIT_ARCH_ARM prints as "armeb"). */
export const INTERPRETED_ARCHES: Record<string, string> = { armeb: 'arm' };

/** A decimal integer (optionally negative) spelling all of s[a, b), or NaN. */
export function intIn(s: string, a: number, b: number): number {
  if (a < 0 || a >= b) return NaN;
  let neg = false;
  if (s.charCodeAt(a) === 45) {
    neg = true;
    if (++a >= b) return NaN;
  }
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}

/** Hex digits (at most 8, optional 0x) spelling all of s[a, b) → unsigned number, or NaN. */
export function hexIn(s: string, a: number, b: number): number {
  if (b - a > 2 && s.charCodeAt(a) === 48 && (s.charCodeAt(a + 1) | 0x20) === 120) a += 2;
  if (a >= b || b - a > 8) return NaN;
  let n = 0;
  for (let i = a; i < b; i++) {
    let c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) c -= 48;
    else if ((c | 0x20) >= 97 && (c | 0x20) <= 102) c = (c | 0x20) - 87;
    else return NaN;
    n = n * 16 + c;
  }
  return n;
}

export function isUpperHex(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** End of [-]digits at p (exclusive), or -1 when there are none. */
export function digitsEnd(s: string, p: number): number {
  let c = s.charCodeAt(p);
  if (c === 45) c = s.charCodeAt(++p);
  if (c < 48 || c > 57) return -1;
  do c = s.charCodeAt(++p);
  while (c >= 48 && c <= 57);
  return p;
}

/** [a-z_][a-z0-9_]* */
export function isName(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || c === 95 || (i > 0 && c >= 48 && c <= 57))) return false;
  }
  return true;
}

