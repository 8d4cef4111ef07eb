/**
 * The record forms: auditd (`type=… msg=audit(…)`, printk `type=1326 audit(…)`
 * behind any prefix, ausearch --raw / -i), journald text forms and journald
 * JSON (which holds a printk line in MESSAGE when no auditd ran: parsed by
 * the same parser instance, st.lineWith).
 */
import { archForRecord } from '../../arch.js';
import type { LineResult } from '../../types.js';
import { IGNORED, digitsEnd, hexIn, intIn } from './decode.js';
import { type Fields, K_ARCH, K_AUID, K_CODE, K_COMM, K_EXE, K_GID, K_PID, K_SYSCALL, K_UID, kernelOrder, scanFields } from './fields.js';
import { D_ALL, record, slotsFor } from './record.js';
import { type DateCache, type Stamp, interpretedStamp, rawStamp } from './time.js';

/** A parser's scratch state and its line entry (journald JSON re-enters it, with the same field mask). */
export interface ParserState {
  readonly fields: Fields;
  readonly dates: DateCache;
  lineWith(text: string, want: number): LineResult;
}

/** A record type value at s[p…] (up to a space): SECCOMP, 1326, UNKNOWN[1326] (auditd that has no name for it). */
export function isSeccompType(s: string, p: number): boolean {
  const c = s.charCodeAt(p);
  if (c === 83) return s.startsWith('SECCOMP ', p);
  if (c === 49) return s.startsWith('1326 ', p);
  if (c === 85) return s.startsWith('UNKNOWN[1326] ', p);
  return false;
}

/**
 * Arch and number only, for a kernel-printed record (raw or printk form) when
 * nothing else is wanted: ` arch=HEX syscall=N` found by one search. Safe on
 * kernel lines: the fields before it are numbers, LSM labels and comm/exe,
 * which the kernel prints quoted only when they hold no space (else as hex),
 * so ` arch=` cannot occur inside a value. Anything else (no such pair, an arch
 * code no table knows) returns undefined and the full parser decides, so
 * parsed/malformed never depend on the mode.
 */
export function syscallOnly(s: string, from: number): LineResult | undefined {
  let p = s.indexOf(' arch=', from - 1);
  if (p < 0) return undefined;
  p += 6;
  const a0 = p;
  let c = s.charCodeAt(p);
  while (c !== 32 && c === c) c = s.charCodeAt(++p);
  if (c !== 32 || !s.startsWith('syscall=', p + 1)) return undefined;
  const code = hexIn(s, a0, p);
  const n0 = p + 9;
  const n1 = digitsEnd(s, n0);
  if (code !== code || n1 < 0 || n1 - n0 > 15) return undefined;
  c = s.charCodeAt(n1);
  if (c === c && c !== 32 && c !== 29 /* 0x1D: ENRICHED */) return undefined;
  const nr = intIn(s, n0, n1);
  const arch = archForRecord(code, nr);
  if (!arch) return undefined;
  return { kind: 'parsed', obs: [{ arch: arch.id, nr }] };
}

/** `type=… audit(`: t at `type=`, a at `audit(`. `want`: the D_* fields to decode (0: arch and number only). */
export function typedRecord(st: ParserState, s: string, t: number, a: number, want: number): LineResult {
  if (!isSeccompType(s, t + 5)) return IGNORED;
  const stamp: Stamp = {};
  let close = rawStamp(s, a + 6, stamp);
  let interpreted = false;
  if (close < 0) {
    close = interpretedStamp(st.dates, s, a + 6, stamp);
    if (close < 0) return { kind: 'malformed', reason: 'seccomp record with a garbled audit(time:serial)' };
  }
  let from = close + 1;
  if (s.charCodeAt(from) === 58) from++;
  else if (s.charCodeAt(from) === 32 && s.charCodeAt(from + 1) === 58) {
    interpreted = true; // ausearch -i prints ") : "
    from += 2;
  }
  if (s.charCodeAt(from) === 32) from++;
  if (want === 0 && !interpreted) {
    const r = syscallOnly(s, from);
    if (r !== undefined) return r;
  }
  let end = s.indexOf('\x1d', from); // ENRICHED: everything after 0x1D is auditd's interpretation
  if (end < 0) end = s.length;
  if (interpreted || !kernelOrder(st.fields, s, from, end)) scanFields(st.fields, s, from, end, interpreted, slotsFor(want));
  return record(st.fields, s, interpreted, stamp, want);
}

/**
 * journald forms without `audit(`: j is where the type name starts. It is the
 * record's type when it stands at the start of the line (`-o cat`), after
 * `audit[PID]: ` / `audit: ` (`-o short*`), or after `MESSAGE=` (`-o verbose`, `export`).
 */
export function journalRecord(st: ParserState, s: string, j: number, len: number, want: number): LineResult {
  if (s.charCodeAt(j + len) !== 32) return IGNORED;
  let ok = false;
  if (j === 0) ok = true;
  else if (s.charCodeAt(j - 1) === 32 && s.charCodeAt(j - 2) === 58) {
    // "audit[PID]: " or "audit: "
    if (s.charCodeAt(j - 3) === 93) {
      const open = s.lastIndexOf('[', j - 3);
      ok = open >= 5 && s.startsWith('audit', open - 5) && intIn(s, open + 1, j - 3) >= 0;
    } else ok = j >= 7 && s.startsWith('audit', j - 7);
  } else if (j >= 8 && s.startsWith('MESSAGE=', j - 8)) {
    ok = true;
    for (let i = 0; i < j - 8; i++) if (s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) ok = false;
  }
  if (!ok) return IGNORED;
  // The kernel's own fields follow (audit_log_task order), as in the raw form: arch and number by one search when that is all.
  if (want === 0) {
    const r = syscallOnly(s, j + len + 1);
    if (r !== undefined) return r;
  }
  if (!kernelOrder(st.fields, s, j + len + 1, s.length)) scanFields(st.fields, s, j + len + 1, s.length, false, slotsFor(want));
  return record(st.fields, s, false, undefined, want);
}

const SLOT_KEYS = ['pid', 'uid', 'gid', 'auid', 'comm', 'exe', 'arch', 'syscall', 'code'];
const JSON_KEYS: Array<[string, number]> = [
  ['_AUDIT_FIELD_ARCH', K_ARCH], ['_AUDIT_FIELD_SYSCALL', K_SYSCALL], ['_AUDIT_FIELD_CODE', K_CODE],
  ['_PID', K_PID], ['_COMM', K_COMM], ['_EXE', K_EXE], ['_UID', K_UID], ['_GID', K_GID], ['_AUDIT_LOGINUID', K_AUID],
];

/** journalctl -o json: the record's fields as journald stored them (comm/exe decoded), MESSAGE for the rest. */
export function parseJournalJson(st: ParserState, text: string, want: number = D_ALL): LineResult {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text.includes('"_AUDIT_TYPE"') ? { kind: 'malformed', reason: 'journald JSON that does not parse' } : IGNORED;
  }
  if (j === null || typeof j !== 'object') return IGNORED;
  let msg = j.MESSAGE;
  if (Array.isArray(msg)) msg = Buffer.from(msg as number[]).toString('utf8');
  if (j._AUDIT_TYPE !== '1326' && j._AUDIT_TYPE_NAME !== 'SECCOMP') {
    // _TRANSPORT=kernel (no auditd: the kernel printed the record): MESSAGE is the printk line
    // `audit: type=1326 audit(…): …` (or a loss signal), without _AUDIT_* fields.
    if (typeof msg === 'string' && msg.charCodeAt(0) !== 123 /* { */) return st.lineWith(msg, want);
    return IGNORED;
  }
  // One string to scan: the journald fields as key="value" (journald stores them decoded), then MESSAGE's own fields.
  let line = '';
  for (const [k, slot] of JSON_KEYS) {
    const v = j[k];
    if (typeof v === 'string' && !v.includes('"')) line += `${SLOT_KEYS[slot]}="${v}" `;
  }
  if (typeof msg === 'string') line += msg.startsWith('SECCOMP ') ? msg.slice(8) : msg;
  scanFields(st.fields, line, 0, line.length, false, slotsFor(want));
  const stamp: Stamp = {};
  const us = Number(j._SOURCE_REALTIME_TIMESTAMP ?? j.__REALTIME_TIMESTAMP);
  if (Number.isFinite(us)) stamp.time = us / 1e6;
  const id = Number(j._AUDIT_ID);
  if (typeof j._AUDIT_ID === 'string' && Number.isInteger(id)) stamp.serial = id;
  return record(st.fields, line, false, stamp, want);
}

