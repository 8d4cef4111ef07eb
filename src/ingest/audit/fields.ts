/**
 * The field scanner: where the wanted keys' values are in a line. The value
 * positions are scratch state owned by one parser (a Fields per parser
 * instance), reused line after line: the parser is synchronous.
 */
import { digitsEnd, isUpperHex, intIn } from './decode.js';

export const K_PID = 0, K_UID = 1, K_GID = 2, K_AUID = 3, K_COMM = 4, K_EXE = 5, K_ARCH = 6, K_SYSCALL = 7, K_CODE = 8;
export const NK = 9;
/** Every slot (bit per slot): scanFields stops once the slots it is asked for are found. */
export const ALL_SLOTS = (1 << NK) - 1;


/** Value positions of the wanted keys over the line being parsed. -1 = absent. */
export class Fields {
  readonly v0 = new Int32Array(NK);
  readonly v1 = new Int32Array(NK);
  /** Bit per slot: the value was quoted. */
  quoted = 0;
  /** Bit per slot: scanFields found it. */
  found = 0;
}

/** Characters a key is made of: [A-Za-z0-9_-]. */
export const KEY_CHAR = new Uint8Array(128);
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


/** A comm/exe value at p: quoted up to its closing quote, else (hex, `(null)`) up to a space. Returns the index after it, or -1. */
function untrustedAt(f: Fields, s: string, p: number, end: number, slot: number): number {
  if (s.charCodeAt(p) === 34) {
    const q = s.indexOf('"', p + 1);
    if (q < 0 || q >= end) return -1;
    f.v0[slot] = p + 1;
    f.v1[slot] = q;
    f.quoted |= 1 << slot;
    return q + 1;
  }
  f.v0[slot] = p;
  let c = s.charCodeAt(p);
  while (c !== 32 && p < end) c = s.charCodeAt(++p);
  f.v1[slot] = p;
  return p;
}

/** A numeric field `key=N ` expected at p (p at the key; N ends at a space); returns the index after N, or -1. */
function numAt(f: Fields, s: string, p: number, key: string, slot: number): number {
  if (!s.startsWith(key, p)) return -1;
  p += key.length;
  const e = digitsEnd(s, p);
  if (e < 0 || s.charCodeAt(e) !== 32) return -1;
  f.v0[slot] = p;
  f.v1[slot] = e;
  return e;
}

/**
 * Fast path: the layout the kernel prints (audit_log_task + audit_seccomp):
 * `auid=N uid=N gid=N ses=N [subj…] pid=N comm=C exe=E sig=N arch=X syscall=N compat=N ip=0xX code=0xX`.
 * Only comm and exe are untrusted, and they are taken in order, so what follows
 * exe is the kernel's own numbers and can be found by search. Any departure
 * returns false, and the general scanner decides.
 */
export function kernelOrder(f: Fields, s: string, p: number, end: number): boolean {
  f.quoted = 0;
  f.v0[K_COMM] = f.v0[K_EXE] = -1;
  p = numAt(f, s, p, 'auid=', K_AUID);
  if (p < 0) return false;
  p = numAt(f, s, p + 1, 'uid=', K_UID);
  if (p < 0) return false;
  p = numAt(f, s, p + 1, 'gid=', K_GID);
  if (p < 0) return false;
  p = s.indexOf(' pid=', p); // past ses= and any LSM subj= fields
  if (p < 0 || p >= end) return false;
  p = numAt(f, s, p + 1, 'pid=', K_PID);
  if (p < 0 || !s.startsWith(' comm=', p)) return false;
  p = untrustedAt(f, s, p + 6, end, K_COMM);
  if (p < 0 || !s.startsWith(' exe=', p)) return false;
  p = untrustedAt(f, s, p + 5, end, K_EXE);
  if (p < 0) return false;
  p = s.indexOf(' arch=', p);
  if (p < 0 || p >= end) return false;
  p += 6;
  f.v0[K_ARCH] = p;
  let c = s.charCodeAt(p);
  while (c !== 32 && p < end) c = s.charCodeAt(++p);
  f.v1[K_ARCH] = p;
  p = numAt(f, s, p + 1, 'syscall=', K_SYSCALL);
  if (p < 0) return false;
  p = s.indexOf(' code=', p);
  if (p < 0 || p >= end) return false;
  p += 6;
  f.v0[K_CODE] = p;
  c = s.charCodeAt(p);
  while (c !== 32 && p < end) c = s.charCodeAt(++p);
  f.v1[K_CODE] = p;
  return true;
}

/**
 * key=value fields in s[from, end): a quoted value is one value whatever it
 * holds (`comm="arch=40000028"` is a comm); a token without `=` is skipped
 * (AppArmor's `subj=prof (enforce)`). `interpreted` (ausearch -i): comm/exe
 * are printed decoded and unquoted, so they run up to the next ` key=`.
 * Stops once the keys of the slots in `need` (bit per slot) are found: a
 * value is the first of its key either way.
 */
export function scanFields(f: Fields, s: string, from: number, end: number, interpreted: boolean, need = ALL_SLOTS): void {
  for (let i = 0; i < NK; i++) f.v0[i] = -1;
  f.quoted = 0;
  f.found = 0;
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
    if (slot >= 0 && f.v0[slot]! < 0) {
      f.v0[slot] = v0;
      f.v1[slot] = v1;
      if (isQuoted) f.quoted |= 1 << slot;
      f.found |= 1 << slot;
      if ((f.found & need) === need) return;
    }
  }
}

/**
 * The kernel prints an untrusted string (comm, exe) quoted, or — when it holds
 * a space, a quote, a control or non-ASCII byte — unquoted as upper-case hex.
 */
export function untrusted(f: Fields, s: string, slot: number, interpreted: boolean): string | undefined {
  const a = f.v0[slot]!;
  if (a < 0) return undefined;
  const b = f.v1[slot]!;
  const q = (f.quoted >> slot) & 1;
  if (!interpreted && !q && b - a >= 2 && (b - a) % 2 === 0 && isUpperHex(s, a, b)) return Buffer.from(s.slice(a, b), 'hex').toString('utf8');
  return s.slice(a, b);
}

export function numIn(f: Fields, s: string, slot: number): number | undefined {
  const a = f.v0[slot]!;
  if (a < 0) return undefined;
  const n = intIn(s, a, f.v1[slot]!);
  return n === n ? n : undefined;
}
