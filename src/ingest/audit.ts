/**
 * Kernel seccomp audit records → observations. One line in, one LineResult
 * out, no I/O. Every form is detected per line:
 *  - auditd raw (`type=SECCOMP msg=audit(T:S): … arch=c000003e syscall=63 …`),
 *    auditd enriched (raw + 0x1D + interpreted fields, ignored), `node=… type=…`,
 *    old auditd's `type=UNKNOWN[1326]`,
 *  - kernel printk (`audit: type=1326 audit(T:S): …`) behind dmesg
 *    (`[ 12.3]`, `-T`, `-r`, /dev/kmsg) and syslog (RFC 3164/5424, ISO) prefixes,
 *  - journald: `audit[PID]: SECCOMP auid=…` (every `-o short*`), `-o cat`
 *    (`SECCOMP auid=…`), the `MESSAGE=SECCOMP …` line of `-o verbose`/`export`,
 *    and `-o json`,
 *  - `ausearch --raw` and `ausearch -i` (arch and syscall as names, values decoded).
 * The record type is the line's own: the `type=` that directly precedes the
 * line's first `audit(` (or journald's `TYPE` after `audit[PID]: `), so a USER
 * message quoting a SECCOMP record, or a `type=` in a syslog prefix, is not one.
 * The number is resolved later with the record's own arch (collect).
 *
 * Hot path: a prefilter (the auditd type at the start of the line, else
 * indexOf SECCOMP/1326) before any real work; no regular expression and no
 * allocation besides the result for the raw/printk/journald forms. Fields are
 * located by a walk along the kernel's own field order (kernelOrder) or, when
 * a line departs from it, by a general quote-aware key=value scan
 * (scanFields); both record value positions, and numbers are read from the
 * characters in place.
 */
import { type Arch, X32_SYSCALL_BIT, archById, archForRecord, findArch } from '../arch.js';
import type { LineResult, Observation } from '../types.js';
import { OVERLONG_LINE, OVERLONG_REASON } from '../sources/split-lines.js';

const IGNORED: LineResult = { kind: 'ignored' };

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
const INTERPRETED_ACTIONS: Record<string, string> = {
  allow: 'allow', log: 'log', errno: 'errno', trap: 'trap', trace: 'trace', kill: 'kill',
  'user-notify': 'user_notif', notify: 'user_notif', user_notif: 'user_notif',
  'kill-thread': 'kill_thread', kill_thread: 'kill_thread', 'kill-process': 'kill_process', kill_process: 'kill_process',
};

/** ausearch -i arch names that syscribe's arch model spells differently (audit-userspace machinetab.h: AUDIT_ARCH_ARM prints as "armeb"). */
const INTERPRETED_ARCHES: Record<string, string> = { armeb: 'arm' };

// ---------------------------------------------------------------- loss signals

function digitsAt(s: string, p: number): number {
  let n = 0;
  let seen = false;
  for (let c = s.charCodeAt(p); c >= 48 && c <= 57; c = s.charCodeAt(++p)) {
    n = n * 10 + (c - 48);
    seen = true;
  }
  return seen ? n : -1;
}

/**
 * Lines saying records were dropped. Every one of them contains "audit":
 * `kauditd_printk_skb: N callbacks suppressed` (printk rate limit: N records
 * not printed), `audit: backlog limit exceeded`, `audit: rate limit exceeded`,
 * `audit: printk limit exceeded` (kernels before 4.10), `audit_lost=N` (the
 * kernel's cumulative counter: see collect/loss.ts for how they add up).
 * Not counted: `audit: kauditd hold queue overflow` (the record was printed,
 * only the copy kept for a later auditd was dropped).
 */
function lossSignal(text: string): LineResult {
  for (let i = text.indexOf('audit'); i >= 0; i = text.indexOf('audit', i + 5)) {
    const c = text.charCodeAt(i + 5);
    if (c === 95 /* _ */) {
      if (text.startsWith('_lost=', i + 5)) {
        const n = digitsAt(text, i + 11);
        if (n > 0) return { kind: 'ignored', lostCounter: n };
      }
    } else if (c === 100 /* d */ && i > 0 && text.charCodeAt(i - 1) === 107 /* k */ && text.startsWith('d_printk_skb: ', i + 5)) {
      const n = digitsAt(text, i + 19);
      if (n > 0 && text.startsWith(' callbacks suppressed', i + 19 + String(n).length)) return { kind: 'ignored', lost: n };
    } else if (c === 58 /* : */ && (text.startsWith(': backlog limit exceeded', i + 5) || text.startsWith(': rate limit exceeded', i + 5) || text.startsWith(': printk limit exceeded', i + 5))) {
      return { kind: 'ignored', lost: 1, limit: true };
    }
  }
  return IGNORED;
}

// ---------------------------------------------------------------- field scanner

const K_PID = 0, K_UID = 1, K_GID = 2, K_AUID = 3, K_COMM = 4, K_EXE = 5, K_ARCH = 6, K_SYSCALL = 7, K_CODE = 8;
const NK = 9;

/** Value positions of the wanted keys (scratch, reused: the parser is synchronous). -1 = absent. */
const V0 = new Int32Array(NK);
const V1 = new Int32Array(NK);
let quoted = 0; // bit per slot: the value was quoted
let found = 0;

/** Characters a key is made of: [A-Za-z0-9_-]. */
const KEY_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) KEY_CHAR[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 ? 1 : 0;

function isKeyChar(c: number): boolean {
  return c < 128 && KEY_CHAR[c] === 1;
}

/** The slot of the key spelled at s[k0, k1), or -1. */
function wantedKey(s: string, k0: number, k1: number): number {
  const c0 = s.charCodeAt(k0);
  switch (k1 - k0) {
    case 3: {
      const c1 = s.charCodeAt(k0 + 1), c2 = s.charCodeAt(k0 + 2);
      if (c1 === 105 && c2 === 100) return c0 === 112 ? K_PID : c0 === 117 ? K_UID : c0 === 103 ? K_GID : -1; // pid uid gid
      return c0 === 101 && c1 === 120 && c2 === 101 ? K_EXE : -1; // exe
    }
    case 4:
      if (c0 === 97) return s.startsWith('rch', k0 + 1) ? K_ARCH : s.startsWith('uid', k0 + 1) ? K_AUID : -1;
      if (c0 === 99) return s.startsWith('omm', k0 + 1) ? K_COMM : s.startsWith('ode', k0 + 1) ? K_CODE : -1;
      return -1;
    case 7:
      return c0 === 115 && s.startsWith('yscall', k0 + 1) ? K_SYSCALL : -1;
    default:
      return -1;
  }
}

/** Is there `key=` at p? */
function keyAt(s: string, p: number, end: number): boolean {
  let q = p;
  while (q < end && isKeyChar(s.charCodeAt(q))) q++;
  return q > p && q < end && s.charCodeAt(q) === 61;
}

/** End of [-]digits at p (exclusive), or -1 when there are none. */
function digitsEnd(s: string, p: number): number {
  let c = s.charCodeAt(p);
  if (c === 45) c = s.charCodeAt(++p);
  if (c < 48 || c > 57) return -1;
  do c = s.charCodeAt(++p);
  while (c >= 48 && c <= 57);
  return p;
}

/** A comm/exe value at p: quoted up to its closing quote, else (hex, `(null)`) up to a space. Returns the index after it, or -1. */
function untrustedAt(s: string, p: number, end: number, slot: number): number {
  if (s.charCodeAt(p) === 34) {
    const q = s.indexOf('"', p + 1);
    if (q < 0 || q >= end) return -1;
    V0[slot] = p + 1;
    V1[slot] = q;
    quoted |= 1 << slot;
    return q + 1;
  }
  V0[slot] = p;
  let c = s.charCodeAt(p);
  while (c !== 32 && p < end) c = s.charCodeAt(++p);
  V1[slot] = p;
  return p;
}

/** A numeric field `key=N ` expected at p (p at the key; N ends at a space); returns the index after N, or -1. */
function numAt(s: string, p: number, key: string, slot: number): number {
  if (!s.startsWith(key, p)) return -1;
  p += key.length;
  const e = digitsEnd(s, p);
  if (e < 0 || s.charCodeAt(e) !== 32) return -1;
  V0[slot] = p;
  V1[slot] = e;
  return e;
}

/**
 * Fast path: the layout the kernel prints (audit_log_task + audit_seccomp):
 * `auid=N uid=N gid=N ses=N [subj…] pid=N comm=C exe=E sig=N arch=X syscall=N compat=N ip=0xX code=0xX`.
 * Only comm and exe are untrusted, and they are taken in order, so what follows
 * exe is the kernel's own numbers and can be found by search. Any departure
 * returns false, and the general scanner decides.
 */
function kernelOrder(s: string, p: number, end: number): boolean {
  quoted = 0;
  V0[K_COMM] = V0[K_EXE] = -1;
  p = numAt(s, p, 'auid=', K_AUID);
  if (p < 0) return false;
  p = numAt(s, p + 1, 'uid=', K_UID);
  if (p < 0) return false;
  p = numAt(s, p + 1, 'gid=', K_GID);
  if (p < 0) return false;
  p = s.indexOf(' pid=', p); // past ses= and any LSM subj= fields
  if (p < 0 || p >= end) return false;
  p = numAt(s, p + 1, 'pid=', K_PID);
  if (p < 0 || !s.startsWith(' comm=', p)) return false;
  p = untrustedAt(s, p + 6, end, K_COMM);
  if (p < 0 || !s.startsWith(' exe=', p)) return false;
  p = untrustedAt(s, p + 5, end, K_EXE);
  if (p < 0) return false;
  p = s.indexOf(' arch=', p);
  if (p < 0 || p >= end) return false;
  p += 6;
  V0[K_ARCH] = p;
  let c = s.charCodeAt(p);
  while (c !== 32 && p < end) c = s.charCodeAt(++p);
  V1[K_ARCH] = p;
  p = numAt(s, p + 1, 'syscall=', K_SYSCALL);
  if (p < 0) return false;
  p = s.indexOf(' code=', p);
  if (p < 0 || p >= end) return false;
  p += 6;
  V0[K_CODE] = p;
  c = s.charCodeAt(p);
  while (c !== 32 && p < end) c = s.charCodeAt(++p);
  V1[K_CODE] = p;
  return true;
}

/**
 * key=value fields in s[from, end): a quoted value is one value whatever it
 * holds (`comm="arch=40000028"` is a comm); a token without `=` is skipped
 * (AppArmor's `subj=prof (enforce)`). `interpreted` (ausearch -i): comm/exe
 * are printed decoded and unquoted, so they run up to the next ` key=`.
 * Stops once every wanted key is found.
 */
function scanFields(s: string, from: number, end: number, interpreted: boolean): void {
  for (let i = 0; i < NK; i++) V0[i] = -1;
  quoted = 0;
  found = 0;
  let p = from;
  while (p < end) {
    let c = s.charCodeAt(p);
    if (c === 32) {
      p++;
      continue;
    }
    const k0 = p;
    while (c < 128 && KEY_CHAR[c] === 1) c = s.charCodeAt(++p); // NaN past the end stops it
    if (p >= end) return;
    if (c !== 61 || p === k0) {
      const sp = s.indexOf(' ', p);
      if (sp < 0 || sp >= end) return;
      p = sp + 1;
      continue;
    }
    const slot = wantedKey(s, k0, p);
    let v0 = ++p;
    let v1: number;
    c = s.charCodeAt(p);
    const isQuoted = c === 34 || c === 39;
    if (isQuoted) {
      v0 = p + 1;
      v1 = s.indexOf(c === 34 ? '"' : "'", v0);
      if (v1 < 0 || v1 > end) v1 = end;
      p = v1 + 1;
    } else {
      // Values are short: a loop beats indexOf's call cost here.
      while (c !== 32 && p < end) c = s.charCodeAt(++p);
      v1 = p;
      if (interpreted && (slot === K_COMM || slot === K_EXE)) {
        while (v1 < end && !keyAt(s, v1 + 1, end)) {
          v1 = s.indexOf(' ', v1 + 1);
          if (v1 < 0 || v1 > end) v1 = end;
        }
      }
      p = v1;
    }
    if (slot >= 0 && V0[slot]! < 0) {
      V0[slot] = v0;
      V1[slot] = v1;
      if (isQuoted) quoted |= 1 << slot;
      if (++found === NK) return;
    }
  }
}

/** A decimal integer (optionally negative) spelling all of s[a, b), or NaN. */
function intIn(s: string, a: number, b: number): number {
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
function hexIn(s: string, a: number, b: number): number {
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

function isUpperHex(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/**
 * The kernel prints an untrusted string (comm, exe) quoted, or — when it holds
 * a space, a quote, a control or non-ASCII byte — unquoted as upper-case hex.
 */
function untrusted(s: string, slot: number, interpreted: boolean): string | undefined {
  const a = V0[slot]!;
  if (a < 0) return undefined;
  const b = V1[slot]!;
  const q = (quoted >> slot) & 1;
  if (!interpreted && !q && b - a >= 2 && (b - a) % 2 === 0 && isUpperHex(s, a, b)) return Buffer.from(s.slice(a, b), 'hex').toString('utf8');
  return s.slice(a, b);
}

// ---------------------------------------------------------------- records

interface Stamp {
  time?: number;
  serial?: number;
}

/** `audit(1795356307.397:4)` (p just after the parenthesis) → stamp; returns the index of `)`, or -1. */
function rawStamp(s: string, p: number, out: Stamp): number {
  let sec = 0;
  let c = s.charCodeAt(p);
  if (c < 48 || c > 57) return -1;
  for (; c >= 48 && c <= 57; c = s.charCodeAt(++p)) sec = sec * 10 + (c - 48);
  let frac = 0;
  let scale = 1;
  if (c === 46) {
    for (c = s.charCodeAt(++p); c >= 48 && c <= 57; c = s.charCodeAt(++p)) {
      if (scale < 1e9) {
        frac = frac * 10 + (c - 48);
        scale *= 10;
      }
    }
  }
  if (c !== 58) return -1;
  let serial = 0;
  for (c = s.charCodeAt(++p); c >= 48 && c <= 57; c = s.charCodeAt(++p)) serial = serial * 10 + (c - 48);
  if (c !== 41) return -1;
  // (sec·10^k + frac) / 10^k is exact in both operands, so this is the double nearest the printed decimal.
  out.time = scale === 1 ? sec : (sec * scale + frac) / scale;
  out.serial = serial;
  return p;
}

const DATE_STAMP = /^(\d\d)\/(\d\d)\/(\d{2}|\d{4}) (\d\d):(\d\d):(\d\d)$/;
/** The last `MM/DD/YY HH:MM:SS` seen and its epoch seconds (a log holds many records per second). */
let lastDate = '';
let lastEpoch: number | undefined;

/** ausearch -i: `audit(11/23/2026 06:05:01.137:3)` in local time (C/en_US %x); other locales leave time unset. */
function interpretedStamp(s: string, p: number, out: Stamp): number {
  const close = s.indexOf(')', p);
  if (close < 0) return -1;
  const colon = s.lastIndexOf(':', close);
  if (colon <= p) return -1;
  const serial = intIn(s, colon + 1, close);
  if (serial >= 0) out.serial = serial;
  const dot = s.lastIndexOf('.', colon);
  const date = s.slice(p, dot > p ? dot : colon);
  if (date !== lastDate) {
    lastDate = date;
    const m = DATE_STAMP.exec(date);
    lastEpoch = m
      ? new Date(m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() / 1000
      : undefined;
  }
  if (lastEpoch !== undefined) {
    const frac = dot > p ? intIn(s, dot + 1, colon) : NaN;
    const scale = 10 ** (colon - dot - 1);
    out.time = frac === frac && scale <= 1e9 ? (lastEpoch * scale + frac) / scale : lastEpoch;
  }
  return close;
}

function numIn(s: string, slot: number): number | undefined {
  const a = V0[slot]!;
  if (a < 0) return undefined;
  const n = intIn(s, a, V1[slot]!);
  return n === n ? n : undefined;
}

/** [a-z_][a-z0-9_]* */
function isName(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || c === 95 || (i > 0 && c >= 48 && c <= 57))) return false;
  }
  return true;
}

/** The scanned fields (V0/V1 over s) → result. */
function record(s: string, interpreted: boolean, stamp: Stamp | undefined): LineResult {
  const a0 = V0[K_ARCH]!, s0 = V0[K_SYSCALL]!;
  if (a0 < 0) return { kind: 'malformed', reason: 'seccomp record without arch=' };
  if (s0 < 0) return { kind: 'malformed', reason: 'seccomp record without syscall=' };
  const a1 = V1[K_ARCH]!, s1 = V1[K_SYSCALL]!;
  let arch: Arch | undefined;
  let nr = intIn(s, s0, s1);
  let name: string | undefined;
  let nrText: string | undefined;
  if (nr === nr && !Number.isSafeInteger(nr)) {
    // No kernel prints such a number (it is an int); a double would round it: keep the digits, and no x32 guess.
    nrText = s.slice(s0, s1);
    nr = -1;
  }
  if (!interpreted) {
    const code = hexIn(s, a0, a1);
    if (code !== code) return { kind: 'malformed', reason: `arch=${s.slice(a0, a1)} is not an audit arch code` };
    if (nr !== nr) return { kind: 'malformed', reason: `syscall=${s.slice(s0, s1)} is not a number` };
    arch = archForRecord(code, nr);
    if (!arch) return { kind: 'malformed', reason: `unknown audit arch 0x${s.slice(a0, a1)}` };
  } else {
    // ausearch -i: arch and syscall names; numbers it cannot name as unknown-syscall(N), arches as unknown-elf-type(HEX).
    const archV = s.slice(a0, a1);
    const sysV = s.slice(s0, s1);
    if (nr !== nr && sysV.startsWith('unknown-syscall(') && sysV.endsWith(')')) nr = intIn(sysV, 16, sysV.length - 1);
    if (nr !== nr) {
      if (!isName(sysV)) return { kind: 'malformed', reason: `syscall=${sysV} is neither a number nor a name` };
      name = sysV;
    }
    if (archV.startsWith('unknown-elf-type(') && archV.endsWith(')')) {
      const hex = archV.slice(17, -1);
      const code = hexIn(hex, 0, hex.length);
      arch = code === code ? archForRecord(code, nr === nr ? nr : 0) : undefined;
      if (!arch) return { kind: 'malformed', reason: `unknown audit arch 0x${hex}` };
      // ausearch named the number with a table that is not this arch's: only a number it left alone can be trusted.
      if (name !== undefined) return { kind: 'malformed', reason: `ausearch -i does not know arch 0x${hex} (${arch.id}) and named syscall=${name} from another arch's table; read the log raw (ausearch --raw)` };
    } else {
      arch = findArch(INTERPRETED_ARCHES[archV] ?? archV);
      if (!arch) return { kind: 'malformed', reason: `unknown arch '${archV}'` };
      if (arch.id === 'x86_64' && nr === nr && nr >= 0 && (nr & X32_SYSCALL_BIT) !== 0) arch = archById('x32');
    }
  }
  let action: string | undefined;
  const c0 = V0[K_CODE]!;
  if (c0 >= 0) {
    const c1 = V1[K_CODE]!;
    const code = hexIn(s, c0, c1);
    if (code === code) action = actionOf(code);
    else {
      const v = s.slice(c0, c1);
      if (v.startsWith('unknown-seccomp-code(')) {
        const x = hexIn(v, 21, v.length - 1);
        action = x === x ? actionOf(x) : v;
      } else action = INTERPRETED_ACTIONS[v.toLowerCase()] ?? v;
    }
  }
  let auid = numIn(s, K_AUID);
  if (interpreted && auid === undefined && V0[K_AUID]! >= 0 && s.startsWith('unset', V0[K_AUID]!)) auid = 4294967295;
  // One literal, one shape: fields a form does not carry are undefined.
  const o: Observation = {
    arch: arch.id, name, nr: name === undefined && nrText === undefined ? nr : undefined,
    pid: numIn(s, K_PID), comm: untrusted(s, K_COMM, interpreted), exe: untrusted(s, K_EXE, interpreted),
    uid: numIn(s, K_UID), gid: numIn(s, K_GID), auid,
    time: stamp?.time, serial: stamp?.serial, action,
  };
  if (nrText !== undefined) o.nrText = nrText;
  return { kind: 'parsed', obs: [o] };
}

/** A record type value at s[p…] (up to a space): SECCOMP, 1326, UNKNOWN[1326] (auditd that has no name for it). */
function isSeccompType(s: string, p: number): boolean {
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
function syscallOnly(s: string, from: number): LineResult | undefined {
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

/** `type=… audit(`: t at `type=`, a at `audit(`. */
function typedRecord(s: string, t: number, a: number, detail: boolean): LineResult {
  if (!isSeccompType(s, t + 5)) return IGNORED;
  const stamp: Stamp = {};
  let close = rawStamp(s, a + 6, stamp);
  let interpreted = false;
  if (close < 0) {
    close = interpretedStamp(s, a + 6, stamp);
    if (close < 0) return { kind: 'malformed', reason: 'seccomp record with a garbled audit(time:serial)' };
  }
  let from = close + 1;
  if (s.charCodeAt(from) === 58) from++;
  else if (s.charCodeAt(from) === 32 && s.charCodeAt(from + 1) === 58) {
    interpreted = true; // ausearch -i prints ") : "
    from += 2;
  }
  if (s.charCodeAt(from) === 32) from++;
  if (!detail && !interpreted) {
    const r = syscallOnly(s, from);
    if (r !== undefined) return r;
  }
  let end = s.indexOf('\x1d', from); // ENRICHED: everything after 0x1D is auditd's interpretation
  if (end < 0) end = s.length;
  if (interpreted || !kernelOrder(s, from, end)) scanFields(s, from, end, interpreted);
  return record(s, interpreted, stamp);
}

/**
 * journald forms without `audit(`: j is where the type name starts. It is the
 * record's type when it stands at the start of the line (`-o cat`), after
 * `audit[PID]: ` / `audit: ` (`-o short*`), or after `MESSAGE=` (`-o verbose`, `export`).
 */
function journalRecord(s: string, j: number, len: number): LineResult {
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
  if (!kernelOrder(s, j + len + 1, s.length)) scanFields(s, j + len + 1, s.length, false);
  return record(s, false, undefined);
}

const SLOT_KEYS = ['pid', 'uid', 'gid', 'auid', 'comm', 'exe', 'arch', 'syscall', 'code'];
const JSON_KEYS: Array<[string, number]> = [
  ['_AUDIT_FIELD_ARCH', K_ARCH], ['_AUDIT_FIELD_SYSCALL', K_SYSCALL], ['_AUDIT_FIELD_CODE', K_CODE],
  ['_PID', K_PID], ['_COMM', K_COMM], ['_EXE', K_EXE], ['_UID', K_UID], ['_GID', K_GID], ['_AUDIT_LOGINUID', K_AUID],
];

/** journalctl -o json: the record's fields as journald stored them (comm/exe decoded), MESSAGE for the rest. */
function parseJournalJson(text: string): LineResult {
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
    if (typeof msg === 'string' && msg.charCodeAt(0) !== 123 /* { */) return parseAuditLine(msg);
    return IGNORED;
  }
  // One string to scan: the journald fields as key="value" (journald stores them decoded), then MESSAGE's own fields.
  let line = '';
  for (const [k, slot] of JSON_KEYS) {
    const v = j[k];
    if (typeof v === 'string' && !v.includes('"')) line += `${SLOT_KEYS[slot]}="${v}" `;
  }
  if (typeof msg === 'string') line += msg.startsWith('SECCOMP ') ? msg.slice(8) : msg;
  scanFields(line, 0, line.length, false);
  const stamp: Stamp = {};
  const us = Number(j._SOURCE_REALTIME_TIMESTAMP ?? j.__REALTIME_TIMESTAMP);
  if (Number.isFinite(us)) stamp.time = us / 1e6;
  const id = Number(j._AUDIT_ID);
  if (typeof j._AUDIT_ID === 'string' && Number.isInteger(id)) stamp.serial = id;
  return record(line, false, stamp);
}

/**
 * One line of any audit log form → parsed (one observation) / ignored (with
 * any loss signal) / malformed (with reason).
 * `detail` false: the caller needs arch and number only (no filter, no
 * split): kernel-printed records skip comm/exe/pid/uid/action decoding. The
 * line's kind, arch and number are the same either way (tested).
 */
export function parseAuditLine(text: string, detail = true): LineResult {
  let c0 = text.charCodeAt(0);
  if (c0 === 0 || c0 === 0x1e) {
    // NUL padding (a copytruncate'd log whose writer kept its offset), json-seq's RS (RFC 7464): the record follows.
    if (text === OVERLONG_LINE) return { kind: 'malformed', reason: OVERLONG_REASON };
    let i = 1;
    while (i < text.length && ((c0 = text.charCodeAt(i)) === 0 || c0 === 0x1e)) i++;
    text = text.slice(i);
  }
  // auditd lines name their type first: no need to look for SECCOMP anywhere else.
  if (text.charCodeAt(0) === 116 /* t */ && text.startsWith('type=')) {
    if (!isSeccompType(text, 5)) return text.indexOf('audit_lost=') < 0 ? IGNORED : lossSignal(text);
    const a = text.indexOf('audit(', 5);
    return a < 0 ? { kind: 'malformed', reason: 'seccomp record without audit(time:serial)' } : typedRecord(text, 0, a, detail);
  }
  // Cheap prefilter: nearly every line of a busy log is something else. 1326 first: in a printk
  // record it comes early (`audit: type=1326`), where a search for SECCOMP would run to the end.
  let j = -1;
  if (text.indexOf('1326') < 0) {
    j = text.indexOf('SECCOMP');
    if (j < 0) {
      // journald JSON keeps a MESSAGE with control or non-UTF-8 bytes as an array of bytes: the text is not there to find.
      if (text.charCodeAt(0) === 123 && text.includes('"MESSAGE":[')) return parseJournalJson(text);
      return lossSignal(text);
    }
  }
  if (text.charCodeAt(0) === 123 /* { */) return parseJournalJson(text);
  // type=SECCOMP msg=audit( / type=1326 audit( (printk), behind any prefix; the type= is the one just before the first audit(.
  const a = text.indexOf('audit(');
  if (a > 0) {
    const t = text.lastIndexOf('type=', a);
    if (t >= 0 && (t === 0 || text.charCodeAt(t - 1) === 32)) {
      const sp = text.indexOf(' ', t);
      if (sp + 1 === a || (sp + 5 === a && text.startsWith('msg=', sp + 1))) {
        const r = typedRecord(text, t, a, detail);
        return r === IGNORED ? lossSignal(text) : r;
      }
    }
  }
  // journald: audit[PID]: SECCOMP … (AUDIT1326 when journald has no name for the type).
  if (j < 0) j = text.indexOf('SECCOMP');
  if (j >= 0) {
    const r = journalRecord(text, j, 7);
    if (r !== IGNORED) return r;
  }
  const k = text.indexOf('AUDIT1326');
  if (k >= 0) {
    const r = journalRecord(text, k, 9);
    if (r !== IGNORED) return r;
  }
  return lossSignal(text);
}
