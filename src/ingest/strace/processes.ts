/**
 * The per-process arch tracker of one strace log: which state a line's pid
 * means (-ff file pid, the unprefixed first process of stderr -f output,
 * children born by clone/fork), each process's arch (personality banner,
 * names only one personality has, -n numbers, inherited at fork, unknown
 * again after execve), and the calls held back while a process's arch is
 * still unknown (at most HOLD_LIMIT). No I/O; observations go to `out`.
 *
 * A byte range of a file parsed on its own (parallel parsing) starts with a
 * state it cannot know: see range.ts, which overrides miss() and records what
 * it assumed.
 */
import { type ArchId, X32_SYSCALL_BIT, archById } from '../../arch.js';
import { canonicalName, syscallName } from '../../resolve.js';
import type { Observation } from '../../types.js';
import { decodeArgs } from './args.js';
import type { Call, PidState } from './calls.js';
import { type Family, F_HINT32, multiplexed } from './tables.js';

/** Calls held back per process while its arch is still unknown. */
export const HOLD_LIMIT = 64;
/** The key of lines without a pid (before the first process's pid is known). */
export const NO_PID = -1;

/**
 * Why a state is looked up (a range parser guesses by it, see range.ts): `line` a line of
 * that pid, `resumed` its `<... name resumed>` line, `line-born` a line of a pid a clone/fork returned, `born` a child a clone/fork returned (or a pid born so), `settled` another
 * process's state to hand a call to, `blank` a personality banner, `gone` an exit.
 */
export type LookupCause = 'line' | 'resumed' | 'line-born' | 'born' | 'settled' | 'blank' | 'gone';

export class Processes {
  readonly states = new Map<number, PidState>();
  /** Calls a child made before its exec, waiting for its parent's clone/vfork to return (see Calls.complete()). */
  readonly orphans: Map<number, Call[]>;
  /** Pids announced by clone/fork results or "Process N attached" (not the first process). */
  readonly children = new Set<number>();
  /** The pid unprefixed lines belong to, once learned (stderr -f output drops the prefix while one process is traced). */
  unprefixedPid: number | undefined;
  unprefixedLinked = false;
  /** Call lines seen (a -C table after calls repeats them; the unprefixed-process rules stop after the first). */
  callLines = 0;
  private lastKey = NO_PID;
  private lastState: PidState | undefined;

  constructor(
    readonly def: ArchId,
    readonly fam: Family,
    readonly filePid: number | undefined,
    readonly births: Map<number, ArchId>,
    private readonly sharedBirths: boolean,
    orphans: Map<number, Call[]> = new Map(),
  ) {
    this.orphans = orphans;
  }

  /** The state a map lookup did not find; a range parser (range.ts) guesses here what came before its range. */
  protected miss(_key: number, _cause: LookupCause): PidState | undefined {
    return undefined;
  }

  /** states.get(key), or what miss() says. */
  get(key: number, cause: LookupCause): PidState | undefined {
    return this.states.get(key) ?? this.miss(key, cause);
  }

  /** The key of a line's pid. */
  keyOf(pid: number): number {
    return pid === NO_PID ? (this.filePid ?? this.unprefixedPid ?? NO_PID) : pid;
  }

  /** The pid an observation of this line carries. */
  obsPid(pid: number): number | undefined {
    return pid !== NO_PID ? pid : this.filePid ?? this.unprefixedPid;
  }

  stateOf(pid: number, resumed = false): PidState {
    const key = this.keyOf(pid);
    if (key === this.lastKey && this.lastState !== undefined) return this.lastState;
    let st = this.get(key, this.births.has(key) ? 'line-born' : resumed ? 'resumed' : 'line');
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

  /** A `<... name resumed>` line found nothing pending: `call` stands for the whole call (a range parser notes it, see range.ts). */
  resumedAlone(_st: PidState, _call: Call): void {}

  /** Forget the last-state cache (after states were removed or replaced). */
  forgetLast(): void {
    this.lastState = undefined;
  }

  /** Remember child pids only while they can tell the unprefixed first process apart (stderr -f output). */
  trackChild(pid: number): void {
    if (this.unprefixedLinked || this.filePid !== undefined) return;
    if (this.callLines > 0 && !this.states.has(NO_PID)) return;
    this.children.add(pid);
  }

  link(pid: number, st: PidState): void {
    this.states.set(pid, st);
    this.unprefixedPid = pid;
    this.unprefixedLinked = true;
    this.children.clear();
    this.lastState = undefined;
  }

  /** A resumed call on a pid with nothing pending: the unfinished half may have been printed unprefixed. */
  adoptUnprefixed(pid: number, name: string, st: PidState): PidState {
    const first = this.states.get(NO_PID);
    if (!first || first === st || first.pending?.printed !== name || this.unprefixedLinked || this.filePid !== undefined) return st;
    // `<... clone resumed>` on a new pid: it is the first process, whose unprefixed clone went unfinished
    if (st.held.length > 0) first.held.push(...st.held);
    this.link(pid, first);
    return first;
  }

  /** clone/fork returned `child`: it runs in its parent's arch (unless it has shown its own). */
  born(child: number, parent: PidState, out: Observation[]): void {
    this.trackChild(child);
    if (!parent.tentative) this.births.set(child, parent.arch);
    const orphans = this.takeOrphans(child);
    if (orphans !== undefined) {
      if (parent.tentative) parent.held.push(...orphans);
      else for (const c of orphans) this.observe(c, parent.arch, out);
    }
    const st = this.get(child, 'born');
    if (st === undefined || st === parent) return;
    if (st.tentative && st.inherit) {
      st.arch = parent.arch;
      st.inherit = false;
      if (!parent.tentative) this.confirm(st, out);
    }
  }

  /** The calls `child` made before its parent's clone returned (and forget them). */
  protected takeOrphans(child: number): Call[] | undefined {
    const o = this.orphans.get(child);
    if (o !== undefined) this.orphans.delete(child);
    return o;
  }

  /** A name only one personality has: switch (and settle) the process's arch. */
  hint(st: PidState, f: number, out: Observation[]): void {
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
  checkNumber(st: PidState, name: string, nr: number, out: Observation[]): string {
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
  finish(st: PidState, call: Call, out: Observation[]): void {
    if (st.tentative) {
      st.held.push(call);
      if (st.held.length >= HOLD_LIMIT) this.confirm(st, out);
      return;
    }
    this.observe(call, st.arch, out);
  }

  observe(call: Call, arch: ArchId, out: Observation[]): void {
    const o: Observation = call.name !== undefined ? { arch, name: call.name } : { arch, nr: call.nr! };
    if (call.pid !== undefined) o.pid = call.pid;
    if (call.name !== undefined) {
      if (call.args !== undefined) {
        const a = decodeArgs(call.name, call.args, arch);
        if (a !== undefined) o.args = a;
      }
      out.push(o);
      if (!call.exact) {
        // strace names socketcall(2)/ipc(2) subcalls after the subcall (socket, connect, semop, …).
        // On an arch that has the multiplexer, without -n the entry point the kernel saw is
        // unknown: the multiplexer is recorded too.
        const via = multiplexed(this.fam.flags, call.name, arch);
        if (via !== undefined) {
          const v: Observation = { arch, name: via };
          if (call.pid !== undefined) v.pid = call.pid;
          out.push(v);
        }
      }
    } else out.push(o);
  }

  /** The process's arch is now known: held calls get it. */
  setArch(st: PidState, arch: ArchId, out: Observation[]): void {
    st.arch = arch;
    st.inherit = false;
    this.confirm(st, out);
  }

  /** The arch is settled: turn held calls into observations. */
  confirm(st: PidState, out: Observation[]): void {
    st.tentative = false;
    if (st.held.length === 0) return;
    const held = st.held;
    st.held = [];
    for (const c of held) this.observe(c, st.arch, out);
  }

  /** `[ Process PID=n runs in … mode. ]` on a line of `pid`: the state it is about. */
  bannerState(n: number, pid: number): PidState {
    const st = this.get(n, 'blank');
    if (st !== undefined) return st;
    if (pid !== NO_PID) return this.stateOf(pid);
    if (this.filePid !== undefined) return this.stateOf(NO_PID);
    const first = this.states.get(NO_PID);
    if (first && !this.unprefixedLinked) {
      this.link(n, first);
      return first;
    }
    return this.stateOf(n);
  }

  /** Forget a process (it exited): every key that names its state. */
  remove(st: PidState): void {
    for (const [k, v] of this.states) if (v === st) this.states.delete(k);
    this.lastState = undefined;
  }

  /** Is any call in flight? (Program output reaches a shared log only while one of its writes is.) */
  anyPending(): boolean {
    return this.anyPendingHere();
  }

  /** anyPending() over the states this table holds. */
  protected anyPendingHere(): boolean {
    for (const st of this.states.values()) if (st.pending !== undefined) return true;
    return false;
  }
}
