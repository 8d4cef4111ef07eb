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
 * scanning), calls.ts (call/process data model), pending.ts (the
 * unfinished/resumed machine), processes.ts (pid → state and arch, held
 * calls), summary.ts (-c/-C tables), range.ts (a byte range parsed on its
 * own, for parallel parsing); this file is the line tokenizer and dispatch.
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
import type { ArchId } from '../../arch.js';
import { hostArch } from '../../arch.js';
import { OVERLONG_LINE, OVERLONG_REASON } from '../../sources/split-lines.js';
import type { LineResult, Observation } from '../../types.js';
import { type PidState, made } from './calls.js';
import { CallTracker } from './pending.js';
import { NO_PID, Processes } from './processes.js';
import { hashOf, isDigit, isIdent, leadingInt, nameAt } from './scanner.js';
import { SummaryTables } from './summary.js';
import { type Family, familyOf } from './tables.js';

export { HOLD_LIMIT } from './processes.js';

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

const IGNORED: LineResult = Object.freeze({ kind: 'ignored' }) as LineResult;

export class StraceParser {
  protected readonly fam: Family;
  /** pid → state and arch (processes.ts). */
  readonly procs: Processes;
  /** unfinished/resumed and cut lines (pending.ts). */
  readonly calls: CallTracker;
  readonly summary: SummaryTables;

  constructor(opts: StraceParserOptions = {}, procs?: (def: ArchId, fam: Family) => Processes) {
    const def = opts.defaultArch ?? hostArch().id;
    this.fam = familyOf(def);
    this.procs = procs ? procs(def, this.fam) : new Processes(def, this.fam, opts.pid, opts.births ?? new Map(), opts.births !== undefined);
    this.calls = new CallTracker(this.procs);
    this.summary = new SummaryTables(this.fam, def);
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
        if (n > 0) this.procs.trackChild(n);
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
        if (name !== undefined) return this.calls.call(text, name, j + 1, pid, nr, cut, false);
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
      return this.calls.call(text, name, e + 9, pid, nr, cut, true);
    }
    if (c === 43 /* + */ && text.startsWith('+++ ', i)) return this.exited(text, i, pid);
    if (c === 45 /* - */ && text.startsWith('--- ', i)) return IGNORED; // --- SIGCHLD {…} ---
    if (c === 62 /* > */ && (i + 1 >= len || text.charCodeAt(i + 1) === 32)) return IGNORED; // -k stack frame
    return this.other(text, prefixed);
  }

  /** End of input: calls left unfinished (or cut) were still made, and held calls are released. */
  end(): Observation[] {
    const out: Observation[] = [];
    const procs = this.procs;
    for (const calls of procs.orphans.values()) for (const c of calls) procs.observe(c, procs.def, out);
    procs.orphans.clear();
    const seen = new Set<PidState>();
    for (const st of procs.states.values()) {
      if (seen.has(st)) continue;
      seen.add(st);
      if (st.pending) {
        const p = st.pending;
        st.pending = undefined;
        if (made(p)) procs.finish(st, p, out);
      }
      procs.confirm(st, out);
    }
    procs.states.clear();
    procs.forgetLast();
    this.calls.lastOpen = undefined;
    return out;
  }

  private banner(text: string, i: number, pid: number): LineResult {
    // [ Process PID=1234 runs in 32 bit mode. ]
    const n = leadingInt(text, i + 14);
    const m = /runs in (.+?) mode/.exec(text.slice(i));
    if (n <= 0 || !m) return this.malformed('personality banner not understood');
    const mode = m[1]!;
    const arch = mode === '32 bit' ? this.fam.alt32 : mode === 'x32' ? 'x32' : mode === '64 bit' ? this.fam.native : undefined;
    if (arch === undefined) return this.malformed(`unknown personality "${mode}"`);
    const st = this.procs.bannerState(n, pid);
    const out: Observation[] = [];
    this.procs.setArch(st, arch, out);
    return out.length > 0 ? { kind: 'ignored', obs: out } : IGNORED;
  }

  private exited(text: string, i: number, pid: number): LineResult {
    // +++ exited with 0 +++ / +++ killed by SIGKILL +++ / +++ superseded by execve in pid N +++
    const st = this.procs.get(this.procs.keyOf(pid), 'gone');
    if (!st) return IGNORED;
    const out: Observation[] = [];
    const sup = st.pending ? text.indexOf('superseded by execve in pid ', i) : -1;
    this.calls.exited(st, sup >= 0 ? leadingInt(text, sup + 28) : 0, out);
    return out.length > 0 ? { kind: 'ignored', obs: out } : IGNORED;
  }

  /** A line that is not a call, a notice or a table row. */
  private other(text: string, prefixed: boolean, why?: string): LineResult {
    const open = this.calls.lastOpen;
    if (open?.pending?.open) return this.calls.continuation(open, text);
    const h = this.summary.header(text, this.procs.callLines);
    if (h) return h;
    if (/^[\s-]+$/.test(text)) return IGNORED; // a stray table separator
    if (prefixed) return this.malformed(why ?? 'no syscall after the prefix');
    // Output of the traced program reaches a shared log while one of its
    // writes is in progress, i.e. while some call is unfinished.
    if (this.procs.anyPending()) return IGNORED;
    return this.malformed('not strace output (program output mixed into the log?)');
  }

  private malformed(reason: string): LineResult {
    return { kind: 'malformed', reason };
  }
}
