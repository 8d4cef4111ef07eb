/**
 * The unfinished/resumed machine of one strace log: a call line either
 * completes (` = result`), goes pending (`<unfinished ...>`, later
 * `<... name resumed>`), is cut (program output or strace's attach notice
 * ends the line: the rest may follow on a later line, see continuation()) or
 * is detached. A process's pending call is made when a new call of that
 * process starts, when the process exits, or at the end of the input
 * (Processes and StraceParser.end()). clone/fork results and execve are told
 * to the process tracker (processes.ts). No I/O.
 */
import type { LineResult, Observation } from '../../types.js';
import { type Call, type Pending, type PidState, made } from './calls.js';
import type { Processes } from './processes.js';
import { NO_PID } from './processes.js';
import { isIdent, leadingInt, resultAt, unknownNumber } from './scanner.js';
import { F_DECODE, F_EXEC, F_FORK, F_HINT32, F_HINT64 } from './tables.js';

const IGNORED: LineResult = Object.freeze({ kind: 'ignored' }) as LineResult;
const PARSED_EMPTY: LineResult = Object.freeze({ kind: 'parsed' }) as LineResult;
const UNFINISHED = ' <unfinished ...>';
const DETACHED = ' <detached ...>';

export class CallTracker {
  /** The state whose last call line was cut and may go on in the next line. */
  lastOpen: PidState | undefined;
  private readonly flags: Map<string, number>;

  constructor(private readonly procs: Processes) {
    this.flags = procs.fam.flags;
  }

  /** A call line (`name(` or `<... name resumed>` at `argStart`) of `pid`; `cut`: an attach notice ended it. */
  call(text: string, name: string, argStart: number, pid: number, nr: number, cut: boolean, resumed: boolean): LineResult {
    const procs = this.procs;
    procs.callLines++;
    return this.callOf(procs.stateOf(pid, resumed), text, name, argStart, pid, nr, cut, resumed);
  }

  /** call() after its line was counted and its state looked up (the byte lane, bytes.ts, looks it up before it decodes a line). */
  callOf(st: PidState, text: string, name: string, argStart: number, pid: number, nr: number, cut: boolean, resumed: boolean): LineResult {
    const procs = this.procs;
    const obsPid = procs.obsPid(pid);
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
      if (st.pending === undefined && pid !== NO_PID) st = procs.adoptUnprefixed(pid, name, st);
      const p = st.pending;
      if (p !== undefined && p.printed === name) {
        st.pending = undefined;
        call = p;
        if (call.args !== undefined) call.args += text.slice(argStart);
      } else {
        if (p !== undefined) {
          // a different call was pending: it was made too (unless it was a cut line whose rest never came)
          st.pending = undefined;
          if (made(p)) procs.finish(st, p, out);
        }
        call = this.newCall(name, nr, obsPid, st, f, undefined, out);
        // only the second half was seen: its arguments cannot be decoded
        if (p === undefined) procs.resumedAlone(st, call);
      }
      f = this.flags.get(call.printed) ?? 0;
    } else {
      if (st.pending !== undefined) {
        // a new call on this pid: whatever was pending was made (unless it was a cut line whose rest never came)
        const p = st.pending;
        st.pending = undefined;
        if (made(p)) procs.finish(st, p, out);
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
        procs.finish(st, call, out);
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

  /** The rest of a call line cut by program output or an attach message (`lastOpen` is open). */
  continuation(st: PidState, text: string): LineResult {
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

  /** A process exited (`+++ … +++`): its pending call was made, unless an execve in another thread superseded it. */
  exited(st: PidState, leaderPid: number, out: Observation[]): void {
    const procs = this.procs;
    if (st.pending) {
      const p = st.pending;
      st.pending = undefined;
      const leader = leaderPid > 0 ? procs.get(leaderPid, 'settled') : undefined;
      if (leader && leader !== st && leader.pending === undefined && p.name === 'execve') leader.pending = p;
      else if (made(p)) procs.finish(st, p, out);
    }
    procs.confirm(st, out);
    if (this.lastOpen === st) this.lastOpen = undefined;
    procs.remove(st);
  }

  /** A call whose result was seen at `eq` (the ` = `). */
  private complete(st: PidState, call: Call, f: number, text: string, eq: number, out: Observation[]): void {
    const procs = this.procs;
    procs.finish(st, call, out);
    if ((f & (F_FORK | F_EXEC)) === 0) return;
    if (f & F_FORK) {
      const child = leadingInt(text, eq + 3);
      if (child > 0) procs.born(child, st, out);
    } else if (text.charCodeAt(eq + 3) === 48 /* 0 */ && !isIdent(text.charCodeAt(eq + 4))) {
      // execve succeeded: the new program's arch is not known yet. The calls before it ran in
      // the old program's arch; if that is still unknown because the parent's clone/vfork has
      // not returned yet (vfork returns only after the exec), they wait for the parent's.
      if (st.tentative && st.inherit && call.pid !== undefined && st.held.length > 0) {
        procs.orphans.set(call.pid, st.held);
        st.held = [];
      } else procs.confirm(st, out);
      st.arch = procs.def;
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
      this.procs.hint(st, f, out);
    }
    if (nr >= 0) {
      if (n === undefined) num = nr;
      else {
        const m = this.procs.checkNumber(st, n, nr, out);
        if (m !== n) {
          n = m;
          args = undefined;
        }
        exact = true;
      }
    }
    return { printed: name, name: n, nr: n === undefined ? num : undefined, args, exact, pid, open: false, shaped: false };
  }
}
