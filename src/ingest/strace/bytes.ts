/**
 * The byte lane of the strace parser (issue 14): the common lines of a log
 * taken straight from the read buffer, with no string made of them.
 *
 * Most lines of a real log are one of three shapes of a process whose arch
 * is settled: a complete ordinary call (`1234 read(3, …) = 5`), an ordinary
 * call going unfinished (`… <unfinished ...>`, nothing pending on that pid)
 * and the `<... name resumed>` line that completes it. lineBytes() scans
 * such a line's bytes exactly as StraceParser.line() scans its characters
 * (prefix, name hashed with the same hash, the same name table, the ending
 * and ` = ` result as resultAt() finds them) and makes the same state
 * changes. Anything else — a prefix it does not know, a flagged name
 * (decoded arguments, fork, exec, …), a cut line, a -n number, a -c table,
 * a pending call in the way, a process whose arch is not settled — answers
 * `undefined` before any state was touched (the caller decodes the line and
 * gives it to line()), or, once the state was looked up, is decoded here and
 * finished by the very code line() runs (CallTracker.callOf()).
 *
 * Why the bytes and characters agree: the lane reads only lines whose bytes
 * before the arguments are ASCII, and looks in the rest only for ASCII
 * (` = `, `)`, ` <unfinished ...>`); UTF-8 decoding never turns a non-ASCII
 * byte into an ASCII character nor the reverse, so ASCII characters keep
 * their order and adjacency. test/unit/strace-bytes.test.ts compares both
 * paths on every fixture, cut at every offset class, and on random bytes.
 */
import type { ArchId } from '../../arch.js';
import type { LineResult } from '../../types.js';
import type { StraceParser } from './index.js';
import { NO_PID } from './processes.js';
import { CLS } from './scanner.js';
import { F_HINT64, type Family } from './tables.js';

/** lineBytes() took the line as one complete call: parser.fastArch / parser.fastName say which. */
export const FAST_CALL: LineResult = Object.freeze({ kind: 'parsed' }) as LineResult;
const PARSED_EMPTY: LineResult = Object.freeze({ kind: 'parsed' }) as LineResult;

const UNFINISHED = Buffer.from(' <unfinished ...>', 'latin1');

/** A known name and its flags (tables.ts), by the hash of its characters. */
interface Entry {
  name: string;
  flags: number;
}
type Entries = Map<number, Entry | Entry[]>;

/** What lineBytes() found for a FAST_CALL line (read right after it), and the name table it reads. */
export interface FastCall {
  arch: ArchId;
  name: string;
  /** The family's names with their flags (one lookup where line() makes two); made by the first lineBytes(). */
  entries?: Entries;
}

function entriesOf(fam: Family): Entries {
  const m: Entries = new Map();
  for (const [h, v] of fam.names) {
    const e = (n: string): Entry => ({ name: n, flags: fam.flags.get(n) ?? 0 });
    m.set(h, typeof v === 'string' ? e(v) : v.map(e));
  }
  return m;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The known name spelled by buf[i, j) (hash h): nameAt() for bytes, without the syscall_N forms. */
function nameAtBytes(names: Entries, buf: Buffer, i: number, j: number, h: number): Entry | undefined {
  const hit = names.get(h);
  if (hit === undefined) return undefined;
  if (!Array.isArray(hit)) return sameBytes(hit.name, buf, i, j) ? hit : undefined;
  for (const n of hit) if (sameBytes(n.name, buf, i, j)) return n;
  return undefined;
}

function sameBytes(s: string, buf: Buffer, i: number, j: number): boolean {
  if (s.length !== j - i) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== buf[i + k]) return false;
  return true;
}

/** resultAt() on bytes buf[.., end): the ` = ` whose left side (spaces skipped) ends in `)`, searching back to `from`. */
function resultAtBytes(buf: Buffer, from: number, end: number): number {
  let eq = end - 2;
  for (; eq >= from; eq--) {
    if (buf[eq + 1] === 61 && buf[eq] === 32 && buf[eq + 2] === 32) break;
  }
  if (eq < from) return -1;
  let j = eq - 1;
  while (j >= from && buf[j] === 32) j--;
  if (j >= from) return buf[j] === 41 ? eq : -1;
  return -1;
}

function endsUnfinished(buf: Buffer, from: number, end: number): boolean {
  const n = UNFINISHED.length;
  if (end - n < from || buf[end - 1] !== 62) return false;
  for (let k = 0; k < n; k++) if (buf[end - n + k] !== UNFINISHED[k]) return false;
  return true;
}

/**
 * One line as the bytes buf[start, end) (no newline; the CR of a CRLF
 * already removed, as the line splitter delivers it; never a file's first
 * line, where a BOM may be, nor a line over MAX_LINE). FAST_CALL: one
 * complete call, see `fast`; another LineResult: the line's result;
 * undefined: nothing was done, give the decoded line to line().
 */
export function lineBytes(p: StraceParser, fast: FastCall, buf: Buffer, start: number, end: number): LineResult | undefined {
  let len = end;
  if (len > start && buf[len - 1] === 13) len--; // line() drops a CR left after the splitter's
  if (len === start || p.summary.table !== 0) return undefined;
  if (buf[len - 1] === 100 /* d */) return undefined; // "strace: Process N attached" may cut it

  // Prefix: pid and timestamps, [pid N]; anything else goes to line().
  let i = start;
  let pid = NO_PID;
  for (;;) {
    while (i < len && buf[i] === 32) i++;
    if (i >= len) return undefined;
    const c = buf[i]!;
    if (isDigit(c)) {
      const s0 = i;
      let v = 0;
      let plain = true;
      while (i < len) {
        const d = buf[i]!;
        if (isDigit(d)) v = v * 10 + (d - 48);
        else if (d === 46 || d === 58) plain = false;
        else break;
        i++;
      }
      if (i >= len || buf[i] !== 32) return undefined;
      if (plain && s0 === start && i - s0 <= 7 && v > 0) pid = v;
      continue;
    }
    if (c === 91 /* [ */) {
      if (i + 5 > len || buf[i + 1] !== 112 || buf[i + 2] !== 105 || buf[i + 3] !== 100 || buf[i + 4] !== 32) return undefined;
      let j = i + 5;
      while (j < len && buf[j] === 32) j++;
      let v = 0;
      while (j < len && isDigit(buf[j]!)) v = v * 10 + (buf[j++]! - 48);
      if (j >= len || buf[j] !== 93 /* ] */ || v <= 0) return undefined;
      pid = v;
      i = j + 1;
      continue;
    }
    break;
  }

  const names = fast.entries ?? (fast.entries = entriesOf(p.procs.fam));
  const c = buf[i]!;
  let hit: Entry | undefined;
  let argStart: number;
  let resumed = false;
  if ((c >= 97 && c <= 122) || c === 95 || (c >= 65 && c <= 90)) {
    let h = c;
    let j = i + 1;
    for (; j < len; j++) {
      const d = buf[j]!;
      if (d >= 128 || CLS[d] === 0) break;
      h = (Math.imul(h, 31) + d) | 0;
    }
    if (j >= len || buf[j] !== 40 /* ( */) return undefined;
    hit = nameAtBytes(names, buf, i, j, h);
    argStart = j + 1;
  } else if (c === 60 && buf[i + 1] === 46 && buf[i + 2] === 46 && buf[i + 3] === 46 && buf[i + 4] === 32 && i + 5 <= len) {
    // <... name resumed>
    let h = 0;
    let e = i + 5;
    for (; e < len; e++) {
      const d = buf[e]!;
      if (d === 32) break;
      if (d >= 128) return undefined;
      h = (Math.imul(h, 31) + d) | 0;
    }
    // the name runs to the first " resumed>"; a name with a space in it is no known name (line() says why)
    if (e + 9 > len || buf[e + 1] !== 114 || buf[e + 2] !== 101 || buf[e + 3] !== 115 || buf[e + 4] !== 117 || buf[e + 5] !== 109 ||
        buf[e + 6] !== 101 || buf[e + 7] !== 100 || buf[e + 8] !== 62) return undefined;
    hit = nameAtBytes(names, buf, i + 5, e, h);
    argStart = e + 9;
    resumed = true;
  } else return undefined;
  if (hit === undefined) return undefined;
  const name = hit.name;
  if (name.charCodeAt(0) === 115 && name.startsWith('syscall_')) return undefined;

  const procs = p.procs;
  const calls = p.calls;
  const f = hit.flags;
  const unfinished = endsUnfinished(buf, start, len);
  if (unfinished) {
    if (resumed || f !== 0) return undefined;
  } else if ((f & ~F_HINT64) !== 0 || resultAtBytes(buf, argStart - 1, len) < 0) return undefined;

  // From here on, what call() does: count the line, look up its state.
  procs.callLines++;
  const st = procs.stateOf(pid, resumed);
  if (unfinished) {
    if (st.pending === undefined) {
      st.pending = { printed: name, name, nr: undefined, args: undefined, exact: false, pid: procs.obsPid(pid), open: false, shaped: true };
      if (calls.lastOpen === st) calls.lastOpen = undefined;
      return PARSED_EMPTY;
    }
  } else if (!st.tentative) {
    if (resumed) {
      const q = st.pending;
      if (q !== undefined && q.printed === name && q.name === name && q.args === undefined) {
        st.pending = undefined;
        q.shaped = true;
        if (calls.lastOpen === st) calls.lastOpen = undefined;
        fast.arch = st.arch;
        fast.name = name;
        return FAST_CALL;
      }
    } else if (st.pending === undefined) {
      if (f === 0) {
        fast.arch = st.arch;
        fast.name = name;
        return FAST_CALL;
      }
      // F_HINT64 only: a no-op hint on a settled process that is not in the 32-bit personality
      if (st.arch === 'x32' || st.arch !== procs.fam.alt32) {
        if (calls.lastOpen === st) calls.lastOpen = undefined;
        fast.arch = st.arch;
        fast.name = name;
        return FAST_CALL;
      }
    }
  }
  // The state is in the way: the line's characters, finished as call() would.
  return calls.callOf(st, buf.toString('utf8', start, len), name, argStart - start, pid, -1, false, resumed);
}
