/**
 * Kernel seccomp audit records → observations. One line in, one LineResult
 * out, no I/O. Every form is detected per line:
 *  - auditd raw (`type=SECCOMP msg=audit(T:S): … arch=c000003e syscall=63 …`),
 *    auditd enriched (raw + 0x1D + interpreted fields, ignored),
 *  - kernel printk (`audit: type=1326 audit(T:S): …`) behind dmesg
 *    (`[ 12.3]`, `-T`, `-r`, /dev/kmsg) and syslog (RFC 3164/5424, ISO) prefixes,
 *  - journald short formats (`audit[PID]: SECCOMP auid=…`) and `-o json`,
 *  - `ausearch --raw` and `ausearch -i` (arch and syscall as names).
 * The record type is the line's own: the first `type=` (or journald's
 * `audit[PID]: TYPE`), so a USER message quoting a SECCOMP record is not one.
 * The number is resolved later with the record's own arch (collect).
 */
import { type ArchId, X32_SYSCALL_BIT, archById, archForRecord, findArch } from '../arch.js';
import type { LineResult, Observation } from '../types.js';

const IGNORED: LineResult = { kind: 'ignored' };

/** seccomp return action (code=) → name. */
export function actionOf(code: number): string {
  const act = code & 0xffff0000;
  switch (act >>> 0) {
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

const INTERPRETED_ACTIONS: Record<string, string> = {
  log: 'log', errno: 'errno', kill: 'kill_thread', 'kill-thread': 'kill_thread', kill_thread: 'kill_thread', 'kill-process': 'kill_process',
  kill_process: 'kill_process', killprocess: 'kill_process', trap: 'trap', trace: 'trace', allow: 'allow', notify: 'user_notif', user_notif: 'user_notif',
};

function lossSignal(text: string): LineResult {
  let i = text.indexOf('callbacks suppressed');
  if (i > 0 && text.includes('kauditd_printk_skb')) {
    const m = /(\d+) callbacks suppressed/.exec(text);
    return { kind: 'ignored', lost: m ? Number(m[1]) : 1 };
  }
  if (text.includes('audit: backlog limit exceeded') || text.includes('audit: rate limit exceeded')) return { kind: 'ignored', lost: 1 };
  i = text.indexOf('audit_lost=');
  if (i >= 0) {
    const n = parseInt(text.slice(i + 11), 10);
    if (n > 0) return { kind: 'ignored', lost: n };
  }
  return IGNORED;
}

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** Is there `key=` at position p? */
function keyAt(s: string, p: number, end: number): boolean {
  let q = p;
  while (q < end && isKeyChar(s.charCodeAt(q))) q++;
  return q > p && q < end && s.charCodeAt(q) === 61;
}

const WANTED = new Set(['pid', 'uid', 'gid', 'auid', 'comm', 'exe', 'arch', 'syscall', 'compat', 'code']);

/** key=value fields from `from` to `end`; quoted values as one; unquoted values end at a space before the next key=. */
export function scanFields(s: string, from: number, end: number, out: Map<string, string>): void {
  let p = from;
  while (p < end) {
    while (p < end && s.charCodeAt(p) === 32) p++;
    const k0 = p;
    while (p < end && isKeyChar(s.charCodeAt(p))) p++;
    if (p >= end || s.charCodeAt(p) !== 61 || p === k0) {
      // Not a field: skip to the next space.
      while (p < end && s.charCodeAt(p) !== 32) p++;
      continue;
    }
    const key = s.slice(k0, p);
    p++;
    let v0 = p;
    let v1: number;
    const q = s.charCodeAt(p);
    if (q === 34 || q === 39) {
      v0 = p + 1;
      v1 = s.indexOf(String.fromCharCode(q), v0);
      if (v1 < 0 || v1 > end) v1 = end;
      p = v1 + 1;
    } else {
      v1 = p;
      for (;;) {
        while (v1 < end && s.charCodeAt(v1) !== 32) v1++;
        if (v1 >= end || !(key === 'comm' || key === 'exe') || keyAt(s, v1 + 1, end)) break;
        v1++; // ausearch -i prints comm/exe decoded, spaces and all
      }
      p = v1;
    }
    if (WANTED.has(key) && !out.has(key)) out.set(key, s.slice(v0, v1));
  }
}

/** auditd hex-encodes untrusted strings that contain spaces, quotes or non-ASCII. */
export function decodeUntrusted(v: string, wasQuoted: boolean): string {
  if (wasQuoted || v.length < 2 || v.length % 2 !== 0 || !/^[0-9A-F]+$/.test(v)) return v;
  return Buffer.from(v, 'hex').toString('utf8');
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = v.startsWith('0x') ? parseInt(v.slice(2), 16) : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** msg=audit(1795356307.397:4) or audit(11/23/2026 06:05:01.137:3) → [time, serial]. */
function parseStamp(s: string, at: number): { time?: number; serial?: number; end: number } {
  const close = s.indexOf(')', at);
  if (close < 0) return { end: at };
  const body = s.slice(at, close);
  const colon = body.lastIndexOf(':');
  const serial = colon > 0 ? Number(body.slice(colon + 1)) : undefined;
  const t = colon > 0 ? body.slice(0, colon) : body;
  let time: number | undefined = Number(t);
  if (!Number.isFinite(time)) {
    const m = /^(\d\d)\/(\d\d)\/(\d{2}|\d{4}) (\d\d):(\d\d):(\d\d)(\.\d+)?$/.exec(t);
    time = m ? new Date(m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() / 1000 + Number(m[7] ?? 0) : undefined;
  }
  const o: { time?: number; serial?: number; end: number } = { end: close + 1 };
  if (time !== undefined) o.time = time;
  if (serial !== undefined && Number.isFinite(serial)) o.serial = serial;
  return o;
}

function record(fields: Map<string, string>, quoted: Set<string>, stamp: { time?: number; serial?: number }): LineResult {
  const archV = fields.get('arch');
  const sysV = fields.get('syscall');
  if (archV === undefined || sysV === undefined) return { kind: 'malformed', reason: `seccomp record without ${archV === undefined ? 'arch' : 'syscall'}=` };
  const o: Observation = { arch: 'x86_64' };
  // ausearch -i prints numbers it cannot name as unknown-syscall(N).
  const unk = sysV.startsWith('unknown-syscall(') ? sysV.slice(16, -1) : sysV;
  const nr = /^-?\d+$/.test(unk) ? Number(unk) : undefined;
  if (/^[0-9a-fA-F]{1,8}$/.test(archV) && nr !== undefined) {
    const a = archForRecord(archV, nr);
    if (!a) return { kind: 'malformed', reason: `unknown audit arch 0x${archV}` };
    o.arch = a.id;
    o.nr = nr;
  } else {
    // ausearch -i: names.
    let a = findArch(archV);
    if (!a) return { kind: 'malformed', reason: `unknown arch '${archV}'` };
    if (a.id === 'x86_64' && nr !== undefined && nr >= 0 && (nr & X32_SYSCALL_BIT) !== 0) a = archById('x32');
    o.arch = a.id as ArchId;
    if (nr !== undefined) o.nr = nr;
    else if (/^[a-z_][a-z0-9_]*$/.test(sysV)) o.name = sysV;
    else return { kind: 'malformed', reason: `syscall=${sysV} is neither a number nor a name` };
  }
  const pid = num(fields.get('pid'));
  if (pid !== undefined) o.pid = pid;
  for (const k of ['uid', 'gid', 'auid'] as const) {
    const v = num(fields.get(k));
    if (v !== undefined) o[k] = v;
  }
  const comm = fields.get('comm');
  if (comm !== undefined) o.comm = decodeUntrusted(comm, quoted.has('comm'));
  const exe = fields.get('exe');
  if (exe !== undefined) o.exe = decodeUntrusted(exe, quoted.has('exe'));
  const code = fields.get('code');
  if (code !== undefined) {
    const c = num(code);
    o.action = c !== undefined ? actionOf(c) : INTERPRETED_ACTIONS[code.toLowerCase()] ?? code;
  }
  if (stamp.time !== undefined) o.time = stamp.time;
  if (stamp.serial !== undefined) o.serial = stamp.serial;
  return { kind: 'parsed', obs: [o] };
}

function quotedKeys(s: string, from: number, end: number): Set<string> {
  const q = new Set<string>();
  for (const k of ['comm', 'exe']) {
    const i = s.indexOf(` ${k}=`, from);
    if (i >= 0 && i < end && s.charCodeAt(i + k.length + 2) === 34) q.add(k);
  }
  return q;
}

function parseJournalJson(text: string): LineResult {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text.includes('"_AUDIT_TYPE"') ? { kind: 'malformed', reason: 'journald JSON that does not parse' } : IGNORED;
  }
  if (j._AUDIT_TYPE !== '1326' && j._AUDIT_TYPE_NAME !== 'SECCOMP') return IGNORED;
  let msg = j.MESSAGE;
  if (Array.isArray(msg)) msg = Buffer.from(msg as number[]).toString('utf8');
  const fields = new Map<string, string>();
  const map: Record<string, string> = { _AUDIT_FIELD_ARCH: 'arch', _AUDIT_FIELD_SYSCALL: 'syscall', _AUDIT_FIELD_CODE: 'code', _PID: 'pid', _AUDIT_FIELD_COMPAT: 'compat', _COMM: 'comm', _EXE: 'exe', _UID: 'uid', _GID: 'gid', _AUDIT_LOGINUID: 'auid' };
  for (const [jk, k] of Object.entries(map)) if (typeof j[jk] === 'string') fields.set(k, j[jk] as string);
  const quoted = new Set<string>(['comm', 'exe']);
  if (typeof msg === 'string') {
    const from = new Map<string, string>();
    scanFields(msg, 0, msg.length, from);
    for (const [k, v] of from) if (!fields.has(k)) fields.set(k, v);
  }
  const stamp: { time?: number } = {};
  const us = Number(j.__REALTIME_TIMESTAMP);
  if (Number.isFinite(us)) stamp.time = us / 1e6;
  return record(fields, quoted, stamp);
}

export function parseAuditLine(text: string): LineResult {
  // Cheap prefilter: nearly every line of a busy log is something else.
  const t = text.indexOf('type=');
  const j = text.indexOf('SECCOMP');
  if (j < 0 && text.indexOf('1326') < 0) return text.indexOf('audit') >= 0 || text.indexOf('kauditd') >= 0 ? lossSignal(text) : IGNORED;
  if (text.charCodeAt(0) === 123) return parseJournalJson(text);
  let end = text.indexOf('\x1d');
  if (end < 0) end = text.length;
  let fieldsFrom: number;
  let stamp: { time?: number; serial?: number; end: number } = { end: 0 };
  if (t >= 0 && (j < 0 || t < j || text.startsWith('1326', t + 5))) {
    // type=SECCOMP / type=1326: the line's own type is its first type=.
    const isSeccomp = text.startsWith('SECCOMP', t + 5) || text.startsWith('1326', t + 5);
    if (!isSeccomp) return IGNORED;
    const a = text.indexOf('audit(', t);
    if (a < 0) return { kind: 'malformed', reason: 'seccomp record without audit(time:serial)' };
    stamp = parseStamp(text, a + 6);
    fieldsFrom = stamp.end;
  } else {
    // journald short formats: "audit[PID]: SECCOMP auid=…"
    const a = text.indexOf('audit[');
    if (a < 0 || a > j) return IGNORED;
    const close = text.indexOf(']: ', a);
    if (close < 0 || close + 3 !== j) return IGNORED;
    fieldsFrom = j + 7;
  }
  if (text.charCodeAt(fieldsFrom) === 32 && text.charCodeAt(fieldsFrom + 1) === 58) fieldsFrom += 2; // ausearch -i: ") : "
  else if (text.charCodeAt(fieldsFrom) === 58) fieldsFrom++;
  const fields = new Map<string, string>();
  scanFields(text, fieldsFrom, end, fields);
  return record(fields, quotedKeys(text, fieldsFrom, end), stamp);
}
