/**
 * strace output → observations. One line in, one LineResult out; no I/O.
 *
 * Reads every output style of strace 6 (and older ones that print the same
 * shapes), alone or combined: plain, -f (`PID name(` in -o files, `[pid N]`
 * on stderr), -ff -o files (pid from the file name), -t/-tt/-ttt/-r and
 * --absolute-timestamps/--relative-timestamps, -T, -y/-yy, -s, -x/-xx, -v,
 * -X raw|abbrev|verbose, -i, -k, -n, -Y/--decode-pids, -Z/-z, --seccomp-bpf,
 * -q/-qq, <unfinished ...>/<... resumed>, lines cut by "strace: Process N
 * attached" or by the program's own output, signals and exits, and the -c/-C
 * summary tables (any -U column order, one table per personality).
 *
 * Files: tables.ts (names and flags per arch family), scanner.ts (character
 * scanning), calls.ts (call/process data model), summary.ts (-c/-C tables);
 * this file is the parser (tokenizer, unfinished/resumed, pid → arch).
 *
 * The hot path is one hand-written scan of the line's prefix up to the first
 * `(`: the arguments are never split or copied, except for the three
 * syscalls whose arguments RuntimeDefault profiles test (see args.ts).
 *
 * Architectures. A process starts with `defaultArch` (or the arch its parent
 * had when it forked) and changes on strace's personality banner
 * (`[ Process PID=N runs in 32 bit mode. ]`). `-o FILE` suppresses that
 * banner, so the arch is also inferred per process: a name that exists only
 * in the 32-bit table (mmap2, _llseek, set_thread_area, …) means 32-bit, one
 * that exists only in the 64-bit table (newfstatat, …) means 64-bit, and with
 * -n the printed number must match the name in the process's table. Until a
 * process has shown which it is (after an execve, or when it first appears
 * with no known parent), its calls are held back (at most HOLD_LIMIT) and then
 * all given the arch that was found, so the calls a 32-bit program makes
 * before its first 32-bit-only call (brk, …) are not counted as 64-bit.
 *
 * Hostile input (the traced program's own output mixed into the log, binary
 * garbage): a line is a call only when its name is a syscall of the
 * recording's arch family (the native table, its 32-bit personality, x32,
 * the socketcall/ipc subcall names and the aliases strace prints), or the
 * `syscall_0x…`/`syscall_N` form of a number, AND it has a call's shape: a
 * result (`) = 3`, `) = ?`), ` <unfinished ...>`, `<... name resumed>` or
 * ` <detached ...>`. A line cut before its result (program output, strace's
 * attach notice) waits for the rest; if the rest never comes, no call is
 * made of it (`ptrace(PTRACE_TRACEME) is what strace uses` adds nothing).
 * The cut half is counted as ignored, the line that completes it as parsed.
 */
import { type ArchId, X32_SYSCALL_BIT, archById, hostArch } from '../../arch.js';
import { canonicalName, syscallName } from '../../resolve.js';
import { OVERLONG_LINE, OVERLONG_REASON } from '../../sources/split-lines.js';
import type { LineResult, Observation } from '../../types.js';
import { decodeArgs } from './args.js';
import { type Call, type Pending, type PidState, made } from './calls.js';
import { hashOf, isDigit, isIdent, leadingInt, nameAt, resultAt, unknownNumber } from './scanner.js';
import { SummaryTables } from './summary.js';
import { type Family, F_DECODE, F_EXEC, F_FORK, F_HINT32, F_HINT64, familyOf, multiplexed } from './tables.js';

export interface StraceParserOptions {
  /** The arch of processes with no personality info; default hostArch().id. */
  defaultArch?: ArchId;
  /** For -ff -o files: the pid from the file suffix. */
  pid?: number;
  /**
   * Shared by the parsers of one -ff -o recording (one parser per file): the
   * arch each child was born with, written when the parent's clone/fork
   * returns, read when the child's file is parsed. Parse parents first.
   */
  births?: Map<number, ArchId>;
}

/** Calls held back per process while its arch is still unknown. */
export const HOLD_LIMIT = 64;

const IGNORED: LineResult = Object.freeze({ kind: 'ignored' }) as LineResult;
const PARSED_EMPTY: LineResult = Object.freeze({ kind: 'parsed' }) as LineResult;
const UNFINISHED = ' <unfinished ...>';
const DETACHED = ' <detached ...>';
const NO_PID = -1;

export class StraceParser {
  private readonly def: ArchId;
  private readonly fam: Family;
  private readonly flags: Map<string, number>;
  private readonly filePid: number | undefined;
  private readonly births: Map<number, ArchId>;
  private readonly sharedBirths: boolean;
  private readonly states = new Map<number, PidState>();
  /** Calls a child made before its exec, waiting for its parent's clone/vfork to return (see complete()). */
  private readonly orphans = new Map<number, Call[]>();
  /** Pids announced by clone/fork results or "Process N attached" (not the first process). */
  private readonly children = new Set<number>();
  /** The pid unprefixed lines belong to, once learned (stderr -f output drops the prefix while one process is traced). */
  private unprefixedPid: number | undefined;
  private unprefixedLinked = false;
  /** The state whose last call line was cut and may go on in the next line. */
  private lastOpen: PidState | undefined;
  private callLines = 0;
  private readonly summary: SummaryTables;

  constructor(opts: StraceParserOptions = {}) {
    this.def = opts.defaultArch ?? hostArch().id;
    this.fam = familyOf(this.def);
    this.flags = this.fam.flags;
    this.filePid = opts.pid;
    this.births = opts.births ?? new Map();
    this.sharedBirths = opts.births !== undefined;
    this.summary = new SummaryTables(this.fam, this.def);
  }

  /** One line in (without its newline), a LineResult out. Never throws on bad input. */
  line(raw: string): LineResult {
    if (raw === OVERLONG_LINE) return this.malformed(OVERLONG_REASON);
    let text = raw;
    let len = text.length;
    if (len > 0 && text.charCodeAt(len - 1) === 13) text = text.slice(0, --len);
    if (this.summary.table !== 0) {
      const r = this.summary.line(text);
      if (r !== undefined) return r;
    }
    if (len === 0) return IGNORED;

    // "strace: Process N attached" at the end of a line cuts a call in two.
    let cut = false;
    if (text.charCodeAt(len - 1) === 100 /* d */ && text.endsWith(' attached')) {
      const at = text.lastIndexOf('strace: Process ');
      if (at >= 0) {
        const n = leadingInt(text, at + 16);
        if (n > 0) this.trackChild(n);
        if (at === 0) return IGNORED;
        text = text.slice(0, at);
        len = at;
        cut = true;
      }
    }

    // Prefix: pid, timestamps, [pid N], [ nr] (-n), [ip] (-i).
    let i = 0;
    let pid = NO_PID;
    let nr = -1;
    let prefixed = false;
    for (;;) {
      while (i < len && text.charCodeAt(i) === 32) i++;
      if (i >= len) return prefixed ? this.malformed('nothing after the prefix') : IGNORED;
      const c = text.charCodeAt(i);
      if (isDigit(c)) {
        const start = i;
        let v = 0;
        let plain = true;
        while (i < len) {
          const d = text.charCodeAt(i);
          if (isDigit(d)) v = v * 10 + (d - 48);
          else if (d === 46 || d === 58) plain = false;
          else break;
          i++;
        }
        if (i >= len) return this.other(text, prefixed);
        const d = text.charCodeAt(i);
        if (d === 60 /* < */ && plain && start === 0) {
          // -Y / --decode-pids: 1234<comm>
          const e = text.indexOf('> ', i);
          if (e < 0) return this.other(text, prefixed);
          pid = v;
          i = e + 1;
        } else if (d !== 32) {
          return this.other(text, prefixed);
        } else if (plain && start === 0 && i - start <= 7 && v > 0) {
          pid = v; // -f with -o: "1234 name("
        } // else a timestamp (-t, -tt, -ttt, -r, --absolute-timestamps)
        prefixed = true;
        continue;
      }
      if (c === 91 /* [ */) {
        const close = text.indexOf(']', i + 1);
        if (close < 0) return this.other(text, prefixed);
        if (text.charCodeAt(i + 1) === 112 /* p */ && text.startsWith('[pid ', i)) {
          let j = i + 5;
          while (j < close && text.charCodeAt(j) === 32) j++;
          const v = leadingInt(text, j);
          if (v <= 0) return this.malformed('bad [pid N] prefix');
          pid = v;
          i = close + 1;
          prefixed = true;
          continue;
        }
        if (text.charCodeAt(i + 2) === 80 /* P */ && text.startsWith('[ Process PID=', i)) {
          return this.banner(text, i, pid);
        }
        // [ 257] (-n), [00007f…] (-i), [????????????????]
        let j = i + 1;
        while (j < close && text.charCodeAt(j) === 32) j++;
        const inner = close - j;
        if (inner === 8 || inner === 16) {
          // instruction pointer: exactly 8 or 16 hex digits (-n numbers are never that wide)
        } else if (inner > 0 && isDigit(text.charCodeAt(j))) {
          const v = leadingInt(text, j);
          let k = j;
          while (k < close && isDigit(text.charCodeAt(k))) k++;
          if (k !== close) return this.other(text, prefixed);
          nr = v;
        } else if (text.charCodeAt(j) !== 63 /* ? */) {
          return this.other(text, prefixed);
        }
        i = close + 1;
        prefixed = true;
        continue;
      }
      break;
    }

    const c = text.charCodeAt(i);
    // name(
    if ((c >= 97 && c <= 122) || c === 95 || (c >= 65 && c <= 90)) {
      let h = c;
      let j = i + 1;
      for (; j < len; j++) {
        const d = text.charCodeAt(j);
        if (!isIdent(d)) break;
        h = (Math.imul(h, 31) + d) | 0;
      }
      if (j < len && text.charCodeAt(j) === 40 /* ( */) {
        const name = nameAt(this.fam.names, text, i, j, h);
        if (name !== undefined) return this.call(text, name, j + 1, pid, nr, cut, false);
        return this.other(text, prefixed, 'not a syscall of this arch');
      }
      if (c === 115 /* s */ && text.startsWith('strace: ', i)) return IGNORED; // strace's own messages
      return this.other(text, prefixed);
    }
    if (c === 60 /* < */ && text.startsWith('<... ', i)) {
      const e = text.indexOf(' resumed>', i + 5);
      if (e < 0) return this.malformed('unterminated <... resumed>');
      const name = nameAt(this.fam.names, text, i + 5, e, hashOf(text, i + 5, e));
      if (name === undefined) return this.malformed('<... resumed> of a name that is not a syscall of this arch');
      return this.call(text, name, e + 9, pid, nr, cut, true);
    }
    if (c === 43 /* + */ && text.startsWith('+++ ', i)) return this.exited(text, i, pid);
    if (c === 45 /* - */ && text.startsWith('--- ', i)) return IGNORED; // --- SIGCHLD {…} ---
    if (c === 62 /* > */ && (i + 1 >= len || text.charCodeAt(i + 1) === 32)) return IGNORED; // -k stack frame
    return this.other(text, prefixed);
  }

  /** End of input: calls left unfinished (or cut) were still made, and held calls are released. */
  end(): Observation[] {
    const out: Observation[] = [];
    for (const calls of this.orphans.values()) for (const c of calls) this.observe(c, this.def, out);
    this.orphans.clear();
    const seen = new Set<PidState>();
    for (const st of this.states.values()) {
      if (seen.has(st)) continue;
      seen.add(st);
      if (st.pending) {
        const p = st.pending;
        st.pending = undefined;
        if (made(p)) this.finish(st, p, out);
      }
      this.confirm(st, out);
    }
    this.states.clear();
    this.lastState = undefined;
    this.lastOpen = undefined;
    return out;
  }

  // ---------------------------------------------------------------- calls

  private call(text: string, name: string, argStart: number, pid: number, nr: number, cut: boolean, resumed: boolean): LineResult {
    this.callLines++;
    let st = this.stateOf(pid);
    const obsPid = pid !== NO_PID ? pid : this.filePid ?? this.unprefixedPid;
    const len = text.length;
    let f = this.flags.get(name) ?? 0;
    // Fast path: a complete ordinary call of a process whose arch is known.
    if (f === 0 && !resumed && !cut && nr < 0 && st.pending === undefined && !st.tentative &&
        !(text.charCodeAt(len - 1) === 62 && text.endsWith(UNFINISHED)) && resultAt(text, argStart - 1) >= 0 &&
        !(name.charCodeAt(0) === 115 && name.startsWith('syscall_'))) {
      return { kind: 'parsed', obs: [obsPid !== undefined ? { arch: st.arch, name, pid: obsPid } : { arch: st.arch, name }] };
    }
    const out: Observation[] = [];

    let call: Pending | undefined;
    if (resumed) {
      if (st.pending === undefined && pid !== NO_PID) st = this.adoptUnprefixed(pid, name, st);
      const p = st.pending;
      if (p !== undefined && p.printed === name) {
        st.pending = undefined;
        call = p;
        if (call.args !== undefined) call.args += text.slice(argStart);
      } else {
        if (p !== undefined) {
          // a different call was pending: it was made too (unless it was a cut line whose rest never came)
          st.pending = undefined;
          if (made(p)) this.finish(st, p, out);
        }
        call = this.newCall(name, nr, obsPid, st, f, undefined, out);
        // only the second half was seen: its arguments cannot be decoded
      }
      f = this.flags.get(call.printed) ?? 0;
    } else {
      if (st.pending !== undefined) {
        // a new call on this pid: whatever was pending was made (unless it was a cut line whose rest never came)
        const p = st.pending;
        st.pending = undefined;
        if (made(p)) this.finish(st, p, out);
      }
      call = this.newCall(name, nr, obsPid, st, f, (f & F_DECODE) !== 0 ? text.slice(argStart) : undefined, out);
    }

    if (resumed) call.shaped = true;
    // How does the line end?
    if (!cut && text.charCodeAt(len - 1) === 62 /* > */ && text.endsWith(UNFINISHED)) {
      if (call.args !== undefined) call.args = call.args.slice(0, call.args.length - UNFINISHED.length);
      call.open = false;
      call.shaped = true;
      st.pending = call;
      if (this.lastOpen === st) this.lastOpen = undefined;
      return out.length > 0 ? { kind: 'parsed', obs: out } : PARSED_EMPTY;
    }
    const eq = cut ? -1 : resultAt(text, argStart - 1);
    if (eq < 0) {
      if (!cut && text.charCodeAt(len - 1) === 62 && text.endsWith(DETACHED)) {
        // strace detached while the call ran: it was made, no result will follow
        if (call.args !== undefined) call.args = undefined;
        if (this.lastOpen === st) this.lastOpen = undefined;
        this.finish(st, call, out);
        return out.length > 0 ? { kind: 'parsed', obs: out } : PARSED_EMPTY;
      }
      call.open = true;
      st.pending = call;
      this.lastOpen = st;
      // Not a call yet: the line that completes it is the parsed one.
      return out.length > 0 ? { kind: call.shaped ? 'parsed' : 'ignored', obs: out } : call.shaped ? PARSED_EMPTY : IGNORED;
    }
    if (this.lastOpen === st) this.lastOpen = undefined;
    this.complete(st, call, f, text, eq, out);
    return out.length > 0 ? { kind: 'parsed', obs: out } : PARSED_EMPTY;
  }

  /** A call whose result was seen at `eq` (the ` = `). */
  private complete(st: PidState, call: Call, f: number, text: string, eq: number, out: Observation[]): void {
    this.finish(st, call, out);
    if ((f & (F_FORK | F_EXEC)) === 0) return;
    if (f & F_FORK) {
      const child = leadingInt(text, eq + 3);
      if (child > 0) this.born(child, st, out);
    } else if (text.charCodeAt(eq + 3) === 48 /* 0 */ && !isIdent(text.charCodeAt(eq + 4))) {
      // execve succeeded: the new program's arch is not known yet. The calls before it ran in
      // the old program's arch; if that is still unknown because the parent's clone/vfork has
      // not returned yet (vfork returns only after the exec), they wait for the parent's.
      if (st.tentative && st.inherit && call.pid !== undefined && st.held.length > 0) {
        this.orphans.set(call.pid, st.held);
        st.held = [];
      } else this.confirm(st, out);
      st.arch = this.def;
      st.tentative = true;
      st.inherit = false;
    }
  }

  private newCall(name: string, nr: number, pid: number | undefined, st: PidState, f: number, args: string | undefined, out: Observation[]): Pending {
    let n: string | undefined = name;
    let num: number | undefined;
    let exact = false;
    if (name.charCodeAt(0) === 115 /* s */ && name.startsWith('syscall_')) {
      num = unknownNumber(name);
      if (num !== undefined) n = undefined;
    } else if (f & (F_HINT32 | F_HINT64)) {
      this.hint(st, f, out);
    }
    if (nr >= 0) {
      if (n === undefined) num = nr;
      else {
        const m = this.checkNumber(st, n, nr, out);
        if (m !== n) {
          n = m;
          args = undefined;
        }
        exact = true;
      }
    }
    return { printed: name, name: n, nr: n === undefined ? num : undefined, args, exact, pid, open: false, shaped: false };
  }

  /** A name only one personality has: switch (and settle) the process's arch. */
  private hint(st: PidState, f: number, out: Observation[]): void {
    const { native, alt32 } = this.fam;
    if (f & F_HINT32) {
      if (alt32 !== undefined && (st.arch !== alt32 || st.tentative)) this.setArch(st, alt32, out);
    } else if (st.arch !== 'x32' && (st.arch === alt32 || st.tentative)) {
      this.setArch(st, native, out);
    }
  }

  /**
   * -n printed the number: it must be `name` in the process's table. If
   * another personality's table agrees, the process runs in that one. If the
   * table says socketcall/ipc, that is what the kernel saw (strace prints the
   * subcall's name). Returns the name to record.
   */
  private checkNumber(st: PidState, name: string, nr: number, out: Observation[]): string {
    const here = syscallName(archById(st.arch), nr);
    const same = (t: string | undefined, a: ArchId) => t !== undefined && (t === name || canonicalName(name, archById(a)) === t);
    // x32 numbers carry bit 30; without it x32 and x86_64 agree on every number
    const others = archById(this.fam.native).family.filter((a) => a !== st.arch && (a !== 'x32' || nr >= X32_SYSCALL_BIT));
    if (same(here, st.arch)) {
      if (st.tentative && !others.some((a) => same(syscallName(archById(a), nr), a))) this.setArch(st, st.arch, out);
      return name;
    }
    for (const a of others) {
      if (same(syscallName(archById(a), nr), a)) {
        this.setArch(st, a, out);
        return name;
      }
    }
    if (here === 'socketcall' || here === 'ipc') return here;
    return name;
  }

  /** Turn a call into observations now, or hold it while the process's arch is unknown. */
  private finish(st: PidState, call: Call, out: Observation[]): void {
    if (st.tentative) {
      st.held.push(call);
      if (st.held.length >= HOLD_LIMIT) this.confirm(st, out);
      return;
    }
    this.observe(call, st.arch, out);
  }

  private observe(call: Call, arch: ArchId, out: Observation[]): void {
    const o: Observation = call.name !== undefined ? { arch, name: call.name } : { arch, nr: call.nr! };
    if (call.pid !== undefined) o.pid = call.pid;
    if (call.name !== undefined) {
      if (call.args !== undefined) {
        const a = decodeArgs(call.name, call.args, arch);
        if (a !== undefined) o.args = a;
      }
      out.push(o);
      if (!call.exact) {
        const via = this.multiplexed(call.name, arch);
        if (via !== undefined) {
          const v: Observation = { arch, name: via };
          if (call.pid !== undefined) v.pid = call.pid;
          out.push(v);
        }
      }
    } else out.push(o);
  }

  /**
   * strace names socketcall(2)/ipc(2) subcalls after the subcall (socket,
   * connect, semop, …). On an arch that has the multiplexer, without -n the
   * entry point the kernel saw is unknown: the multiplexer is recorded too.
   */
  private multiplexed(name: string, arch: ArchId): string | undefined {
    return multiplexed(this.flags, name, arch);
  }

  // ---------------------------------------------------------------- processes

  private stateOf(pid: number): PidState {
    const key = pid === NO_PID ? (this.filePid ?? this.unprefixedPid ?? NO_PID) : pid;
    if (key === this.lastKey && this.lastState !== undefined) return this.lastState;
    let st = this.states.get(key);
    if (st) {
      this.lastKey = key;
      this.lastState = st;
      return st;
    }
    if (pid !== NO_PID && !this.unprefixedLinked && !this.children.has(pid) && this.filePid === undefined) {
      // stderr -f output: the first process's lines were unprefixed until a second process
      // appeared. A new pid that is nobody's child is that process, unless the first
      // process has a call in flight: then it is the pid that resumes it (adoptUnprefixed).
      const first = this.states.get(NO_PID);
      if (first && first.pending === undefined) {
        this.link(pid, first);
        return first;
      }
    }
    const born = this.births.get(key);
    if (born !== undefined && !this.sharedBirths) this.births.delete(key);
    st = born !== undefined
      ? { arch: born, tentative: false, inherit: false, held: [], pending: undefined }
      : { arch: this.def, tentative: true, inherit: true, held: [], pending: undefined };
    this.states.set(key, st);
    return st;
  }

  /** Remember child pids only while they can tell the unprefixed first process apart (stderr -f output). */
  private trackChild(pid: number): void {
    if (this.unprefixedLinked || this.filePid !== undefined) return;
    if (this.callLines > 0 && !this.states.has(NO_PID)) return;
    this.children.add(pid);
  }

  private lastKey = NO_PID;
  private lastState: PidState | undefined;

  private link(pid: number, st: PidState): void {
    this.states.set(pid, st);
    this.unprefixedPid = pid;
    this.unprefixedLinked = true;
    this.children.clear();
    this.lastState = undefined;
  }

  /** A resumed call on a pid with nothing pending: the unfinished half may have been printed unprefixed. */
  private adoptUnprefixed(pid: number, name: string, st: PidState): PidState {
    const first = this.states.get(NO_PID);
    if (!first || first === st || first.pending?.printed !== name || this.unprefixedLinked || this.filePid !== undefined) return st;
    // `<... clone resumed>` on a new pid: it is the first process, whose unprefixed clone went unfinished
    if (st.held.length > 0) first.held.push(...st.held);
    this.link(pid, first);
    return first;
  }

  /** clone/fork returned `child`: it runs in its parent's arch (unless it has shown its own). */
  private born(child: number, parent: PidState, out: Observation[]): void {
    this.trackChild(child);
    if (!parent.tentative) this.births.set(child, parent.arch);
    const orphans = this.orphans.get(child);
    if (orphans !== undefined) {
      this.orphans.delete(child);
      if (parent.tentative) parent.held.push(...orphans);
      else for (const c of orphans) this.observe(c, parent.arch, out);
    }
    const st = this.states.get(child);
    if (st === undefined || st === parent) return;
    if (st.tentative && st.inherit) {
      st.arch = parent.arch;
      st.inherit = false;
      if (!parent.tentative) this.confirm(st, out);
    }
  }

  /** The process's arch is now known: held calls get it. */
  private setArch(st: PidState, arch: ArchId, out: Observation[]): void {
    st.arch = arch;
    st.inherit = false;
    this.confirm(st, out);
  }

  /** The arch is settled: turn held calls into observations. */
  private confirm(st: PidState, out: Observation[]): void {
    st.tentative = false;
    if (st.held.length === 0) return;
    const held = st.held;
    st.held = [];
    for (const c of held) this.observe(c, st.arch, out);
  }

  private banner(text: string, i: number, pid: number): LineResult {
    // [ Process PID=1234 runs in 32 bit mode. ]
    const n = leadingInt(text, i + 14);
    const m = /runs in (.+?) mode/.exec(text.slice(i));
    if (n <= 0 || !m) return this.malformed('personality banner not understood');
    const mode = m[1]!;
    const arch = mode === '32 bit' ? this.fam.alt32 : mode === 'x32' ? 'x32' : mode === '64 bit' ? this.fam.native : undefined;
    if (arch === undefined) return this.malformed(`unknown personality "${mode}"`);
    let st = this.states.get(n);
    if (st === undefined) {
      if (pid !== NO_PID) st = this.stateOf(pid);
      else if (this.filePid !== undefined) st = this.stateOf(NO_PID);
      else {
        const first = this.states.get(NO_PID);
        if (first && !this.unprefixedLinked) {
          this.link(n, first);
          st = first;
        } else st = this.stateOf(n);
      }
    }
    const out: Observation[] = [];
    this.setArch(st, arch, out);
    return out.length > 0 ? { kind: 'ignored', obs: out } : IGNORED;
  }

  private exited(text: string, i: number, pid: number): LineResult {
    // +++ exited with 0 +++ / +++ killed by SIGKILL +++ / +++ superseded by execve in pid N +++
    const key = pid === NO_PID ? (this.filePid ?? this.unprefixedPid ?? NO_PID) : pid;
    const st = this.states.get(key);
    if (!st) return IGNORED;
    const out: Observation[] = [];
    if (st.pending) {
      const p = st.pending;
      st.pending = undefined;
      const sup = text.indexOf('superseded by execve in pid ', i);
      const leader = sup >= 0 ? this.states.get(leadingInt(text, sup + 28)) : undefined;
      if (leader && leader !== st && leader.pending === undefined && p.name === 'execve') leader.pending = p;
      else if (made(p)) this.finish(st, p, out);
    }
    this.confirm(st, out);
    if (this.lastOpen === st) this.lastOpen = undefined;
    for (const [k, v] of this.states) if (v === st) this.states.delete(k);
    this.lastState = undefined;
    return out.length > 0 ? { kind: 'ignored', obs: out } : IGNORED;
  }

  // ---------------------------------------------------------------- everything else

  /** A line that is not a call, a notice or a table row. */
  private other(text: string, prefixed: boolean, why?: string): LineResult {
    const open = this.lastOpen;
    if (open?.pending?.open) return this.continuation(open, text);
    const h = this.summary.header(text, this.callLines);
    if (h) return h;
    if (/^[\s-]+$/.test(text)) return IGNORED; // a stray table separator
    if (prefixed) return this.malformed(why ?? 'no syscall after the prefix');
    // Output of the traced program reaches a shared log while one of its
    // writes is in progress, i.e. while some call is unfinished.
    for (const st of this.states.values()) if (st.pending !== undefined) return IGNORED;
    return this.malformed('not strace output (program output mixed into the log?)');
  }

  /** The rest of a call line cut by program output or an attach message. */
  private continuation(st: PidState, text: string): LineResult {
    const p = st.pending!;
    const t = text.trimStart();
    if (t.startsWith('<unfinished ...>')) {
      p.open = false;
      p.shaped = true;
      this.lastOpen = undefined;
      return IGNORED;
    }
    const eq = resultAt(text, 0);
    if (eq < 0) return IGNORED; // program output printed while the call ran
    st.pending = undefined;
    this.lastOpen = undefined;
    if (p.args !== undefined) p.args += text;
    const out: Observation[] = [];
    this.complete(st, p, this.flags.get(p.printed) ?? 0, text, eq, out);
    return out.length > 0 ? { kind: 'parsed', obs: out } : PARSED_EMPTY;
  }

  private malformed(reason: string): LineResult {
    return { kind: 'malformed', reason };
  }}
