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

const K_PID = 0, K_UID = 1, K_GID = 2, K_AUID = 3, K_COMM = 4, K_EXE = 5, K_ARCH = 6, K_SYSCALL = 7, K_COMPAT = 8, K_CODE = 9;
const WANTED = ['pid', 'uid', 'gid', 'auid', 'comm', 'exe', 'arch', 'syscall', 'compat', 'code'] as const;

/** The fields a seccomp record needs, by slot (K_*), plus which of comm/exe were quoted. */
export class Fields {
  readonly v: Array<string | undefined> = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  n = 0;
  quotedComm = false;
  quotedExe = false;
  get(k: number): string | undefined {
    return this.v[k];
  }
  set(k: number, val: string): void {
    if (this.v[k] === undefined) this.n++;
    this.v[k] = val;
  }
}

function same(s: string, k0: number, w: string): boolean {
  for (let i = 1; i < w.length; i++) if (s.charCodeAt(k0 + i) !== w.charCodeAt(i)) return false;
  return true;
}

/** The slot of the wanted key spelled at s[k0, k1), without allocating, or -1 (dispatch on length and first letters). */
function wantedKey(s: string, k0: number, k1: number): number {
  const c0 = s.charCodeAt(k0);
  switch (k1 - k0) {
    case 3:
      if (c0 === 112) return same(s, k0, 'pid') ? K_PID : -1;
      if (c0 === 117) return same(s, k0, 'uid') ? K_UID : -1;
      if (c0 === 103) return same(s, k0, 'gid') ? K_GID : -1;
      if (c0 === 101) return same(s, k0, 'exe') ? K_EXE : -1;
      return -1;
    case 4:
      if (c0 === 97) return same(s, k0, 'arch') ? K_ARCH : same(s, k0, 'auid') ? K_AUID : -1;
      if (c0 === 99) return same(s, k0, 'comm') ? K_COMM : same(s, k0, 'code') ? K_CODE : -1;
      return -1;
    case 6:
      return c0 === 99 && same(s, k0, 'compat') ? K_COMPAT : -1;
    case 7:
      return c0 === 115 && same(s, k0, 'syscall') ? K_SYSCALL : -1;
    default:
      return -1;
  }
}

/** Next space at or after p, or end. */
function spaceAt(s: string, p: number, end: number): number {
  const i = s.indexOf(' ', p);
  return i < 0 || i > end ? end : i;
}

/**
 * key=value fields from `from` to `end`; quoted values as one; unquoted values end at a space (for comm/exe:
 * before the next key=, as ausearch -i prints them decoded). Jumps with indexOf; stops once every wanted key is found.
 */
export function scanFields(s: string, from: number, end: number, out: Fields): void {
  let p = from;
  while (p < end) {
    if (s.charCodeAt(p) === 32) {
      p++;
      continue;
    }
    const sp = spaceAt(s, p, end);
    let eq = s.indexOf('=', p);
    if (eq < 0 || eq >= sp || eq === p) {
      p = sp + 1; // not a field
      continue;
    }
    let k = p;
    while (k < eq && isKeyChar(s.charCodeAt(k))) k++;
    if (k !== eq) {
      p = sp + 1;
      continue;
    }
    const key = wantedKey(s, p, eq);
    eq++;
    let v0 = eq;
    let v1: number;
    const q = s.charCodeAt(eq);
    if (q === 34 || q === 39) {
      v0 = eq + 1;
      v1 = s.indexOf(q === 34 ? '"' : "'", v0);
      if (v1 < 0 || v1 > end) v1 = end;
      p = v1 + 1;
    } else {
      v1 = sp;
      if (key === K_COMM || key === K_EXE) {
        while (v1 < end && !keyAt(s, v1 + 1, end)) v1 = spaceAt(s, v1 + 1, end); // ausearch -i: decoded, spaces and all
      }
      p = v1;
    }
    if (key >= 0 && out.v[key] === undefined) {
      out.set(key, s.slice(v0, v1));
      if (key === K_COMM) out.quotedComm = v0 !== eq;
      else if (key === K_EXE) out.quotedExe = v0 !== eq;
      if (out.n === WANTED.length) return;
    }
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

function record(fields: Fields, stamp: { time?: number; serial?: number }): LineResult {
  const archV = fields.get(K_ARCH);
  const sysV = fields.get(K_SYSCALL);
  if (archV === undefined || sysV === undefined) return { kind: 'malformed', reason: `seccomp record without ${archV === undefined ? 'arch' : 'syscall'}=` };
  const o: Observation = { arch: 'x86_64' };
  // ausearch -i prints numbers it cannot name as unknown-syscall(N).
  const unk = sysV.startsWith('unknown-syscall(') ? sysV.slice(16, -1) : sysV;
  const nr = isInt(unk) ? Number(unk) : undefined;
  if (nr !== undefined && isHex(archV)) {
    const a = archForRecord(archV, nr);
    if (!a) return { kind: 'malformed', reason: `unknown audit arch 0x${archV}` };
    o.arch = a.id;
    o.nr = nr;
  } else if (archV.length === 8 && isHex(archV)) {
    return { kind: 'malformed', reason: `syscall=${sysV} is not a number` };
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
  const pid = num(fields.get(K_PID));
  if (pid !== undefined) o.pid = pid;
  const uid = num(fields.get(K_UID));
  if (uid !== undefined) o.uid = uid;
  const gid = num(fields.get(K_GID));
  if (gid !== undefined) o.gid = gid;
  const auid = num(fields.get(K_AUID));
  if (auid !== undefined) o.auid = auid;
  const comm = fields.get(K_COMM);
  if (comm !== undefined) o.comm = decodeUntrusted(comm, fields.quotedComm);
  const exe = fields.get(K_EXE);
  if (exe !== undefined) o.exe = decodeUntrusted(exe, fields.quotedExe);
  const code = fields.get(K_CODE);
  if (code !== undefined) {
    const c = num(code);
    o.action = c !== undefined ? actionOf(c) : INTERPRETED_ACTIONS[code.toLowerCase()] ?? code;
  }
  if (stamp.time !== undefined) o.time = stamp.time;
  if (stamp.serial !== undefined) o.serial = stamp.serial;
  return { kind: 'parsed', obs: [o] };
}

function isInt(v: string): boolean {
  const n = v.length;
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= n) return false;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isHex(v: string): boolean {
  const n = v.length;
  if (n < 1 || n > 8) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
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
  const fields = new Fields();
  const map: Array<[string, number]> = [['_AUDIT_FIELD_ARCH', K_ARCH], ['_AUDIT_FIELD_SYSCALL', K_SYSCALL], ['_AUDIT_FIELD_CODE', K_CODE], ['_PID', K_PID], ['_AUDIT_FIELD_COMPAT', K_COMPAT], ['_COMM', K_COMM], ['_EXE', K_EXE], ['_UID', K_UID], ['_GID', K_GID], ['_AUDIT_LOGINUID', K_AUID]];
  for (const [jk, k] of map) if (typeof j[jk] === 'string') fields.set(k, j[jk] as string);
  // journald stores comm/exe decoded.
  fields.quotedComm = true;
  fields.quotedExe = true;
  if (typeof msg === 'string') {
    const from = new Fields();
    scanFields(msg, 0, msg.length, from);
    for (let k = 0; k < WANTED.length; k++) {
      const v = from.v[k];
      if (v !== undefined && fields.v[k] === undefined) {
        fields.set(k, v);
        if (k === K_COMM) fields.quotedComm = from.quotedComm;
        if (k === K_EXE) fields.quotedExe = from.quotedExe;
      }
    }
  }
  const stamp: { time?: number } = {};
  const us = Number(j.__REALTIME_TIMESTAMP);
  if (Number.isFinite(us)) stamp.time = us / 1e6;
  return record(fields, stamp);
}

export function parseAuditLine(text: string): LineResult {
  // Cheap prefilter: nearly every line of a busy log is something else.
  const t = text.indexOf('type=');
  const j = text.indexOf('SECCOMP');
  if (j < 0 && text.indexOf('1326') < 0) {
    // auditd lines can only carry audit_lost=; kernel/syslog lines the printk loss messages.
    if (text.charCodeAt(0) === 116 /* t */ && text.startsWith('type=')) return text.indexOf('audit_lost=') >= 0 ? lossSignal(text) : IGNORED;
    return text.indexOf('audit_lost=') >= 0 || text.indexOf(' suppressed') >= 0 || text.indexOf(' limit exceeded') >= 0 ? lossSignal(text) : IGNORED;
  }
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
  const fields = new Fields();
  scanFields(text, fieldsFrom, end, fields);
  return record(fields, stamp);
}
