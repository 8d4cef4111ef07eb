/**
 * One byte range of a strace log parsed on its own (issue 14: one large file
 * parsed on several cores), and the exact merge of its results.
 *
 * A range that does not start the file begins in a parser state it cannot
 * know: which processes exist and in which arch, which calls are pending or
 * held, births and orphans of clone/fork, the unprefixed first process, a -c
 * table or a cut line going on across the cut. The range parser runs the
 * same parser code from a *guessed* entry state, built lazily: the first
 * time it looks up a key, the guess is made and written down. The guesses
 * are what a cut inside a recording usually finds:
 *
 *   - a process whose line comes: exists, arch = the default, settled,
 *     nothing pending, nothing held (or: born with the default arch); on a
 *     `<... name resumed>` line, also "or that very call pending";
 *   - a child a clone/fork in the range returned: no state yet;
 *   - a process exiting / a personality banner: nothing pending or held
 *     (its arch does not matter then);
 *   - no births or orphans waiting, no -c table open, no cut line open,
 *     some call line before the cut, the unprefixed first process (if any)
 *     already linked to its pid (its lines use the symbolic key U_KEY);
 *   - "is any call in flight" (program output): no.
 *
 * The parser is deterministic: when the real state at the cut agrees with
 * what the range parser read of its guessed state, the range's results are
 * exactly those of one pass, and the state after it is the real state with
 * the range's writes laid over it.
 *
 * Checkpoints. A guess that was wrong at the cut (a call pending, a process
 * whose arch was not settled yet, a child not born yet) usually stops
 * mattering a few lines later, once that process's state has been rewritten
 * the same way in both runs. So the range is split into segments at
 * checkpoints (after 1000, 2000, 4000, … 64000 lines, then every 64000); at each checkpoint the range parser
 * parks every state it holds, and the first look at a parked state in a
 * later segment writes down a copy of it (its value at that checkpoint).
 * The main thread, holding the real state, tries checkpoint 0 (the cut),
 * and while that fails parses the next segment itself and tries the next
 * checkpoint: every state read after a checkpoint must equal, in the real
 * state there, what the range parser had (a guess, or the copy). From the
 * first checkpoint that holds, the range's segment results are taken;
 * before it, the main thread's own parse counts. No checkpoint holds: the
 * main thread has parsed the whole range itself (slower, never wrong).
 */
import type { ArchId } from '../../arch.js';
import type { Observed } from '../../collect/collector.js';
import { type Call, type Pending, type PidState } from './calls.js';
import { StraceParser, type StraceParserOptions } from './index.js';
import { type LookupCause, NO_PID, Processes } from './processes.js';
import type { SummaryState } from './summary.js';
import type { Family } from './tables.js';

/** The key of unprefixed lines in a range parser: the unprefixed first process of the state before the range, whatever its pid. */
export const U_KEY = -2;

/** Lines of a range after which segment n-1 ends: first, 2·first, 4·first, … up to 64·first, then every 64·first (first: 1000 unless a test says). */
export function checkpointLines(n: number, first = 1000): number {
  return n <= 7 ? first * 2 ** (n - 1) : first * 64 * (n - 6);
}

/** What a range parser assumed a key's state before the range was. */
export type Guess =
  /** a line of this pid came: its state exists, default arch, settled, nothing pending or held — or it was born with the default arch */
  | 'line'
  /** as `line`, but its line was `<... name resumed>`: that call may also have been pending (`call` is what the range made of it) */
  | 'resumed'
  /** looked up outside a line of its own: exists, default arch, settled, nothing pending or held */
  | 'settled'
  /** no state */
  | 'absent'
  /** a line of this pid came, well after the cut: no state, no birth (a new process), or one exactly as new */
  | 'fresh'
  /** exists, nothing pending or held (arch and settledness about to be overwritten: a personality banner) */
  | 'blank'
  /** none, or one with nothing pending or held (the process exits) */
  | 'gone';

/** The first look at a key in a segment: a guess (its first look ever) or the copy of its state then (null: none). */
export interface Look {
  key: number;
  seg: number;
  /** Looked up for a line of that pid (stateOf, a banner, an exit): what could link an unprefixed first process. */
  line: boolean;
  guess?: Guess;
  /** For `resumed`: the call the range made of the resumed half alone. */
  call?: Call;
  value?: PidState | null;
}

const settled = (arch: ArchId): PidState => ({ arch, tentative: false, inherit: false, held: [], pending: undefined });

/** A Map of the range's own writes over an unknown map before the range: what it read before writing is written down per segment. */
class EntryMap<V> extends Map<number, V> {
  seg = 0;
  private readonly lastSeg = new Map<number, number>();
  /** The first access of a key in each segment: [key, segment, was it a read]. */
  readonly firsts: Array<[number, number, boolean]> = [];
  /** key → last segment it was written in. */
  readonly wrote = new Map<number, number>();
  /** Copies of the entries at each checkpoint (index: segment). */
  readonly snaps: Array<Map<number, V>> = [new Map()];

  private touch(k: number, read: boolean): void {
    if (this.lastSeg.get(k) === this.seg) return;
    this.lastSeg.set(k, this.seg);
    this.firsts.push([k, this.seg, read]);
  }

  override get(k: number): V | undefined {
    this.touch(k, true);
    return super.get(k);
  }

  override set(k: number, v: V): this {
    if (this.wrote === undefined) return super.set(k, v); // Map's constructor
    this.touch(k, false);
    this.wrote.set(k, this.seg);
    return super.set(k, v);
  }

  override delete(k: number): boolean {
    this.touch(k, false);
    this.wrote.set(k, this.seg);
    return super.delete(k);
  }

  checkpoint(): void {
    this.seg++;
    this.snaps.push(structuredClone(new Map(this)));
  }
}

/** The process table of a range parser: misses become written-down guesses or copies. */
class RangeProcesses extends Processes {
  seg = 0;
  readonly looks: Look[] = [];
  /** key → last segment it was looked at in. */
  private readonly lastSeg = new Map<number, number>();
  /** States not looked at since the last checkpoint. */
  private readonly parked = new Map<number, PidState>();
  private readonly resumedGuess = new Map<PidState, Look>();
  /** The last segment in which "is any call pending" was answered by a guess (-1: never). */
  anyPendingSeg = -1;
  /** At each checkpoint: the keys with a call pending. */
  readonly pendingAt: Array<Set<number>> = [new Set()];
  readonly birthsLog: EntryMap<ArchId>;
  readonly orphansLog: EntryMap<Call[]>;

  /** Child pids announced (attach notices, clone/fork results) and the segment they were in. */
  readonly announced: Array<[number, number]> = [];
  /** Keys looked up for a line of their own in this segment (after a first look that was not). */
  private readonly lineLooked = new Set<number>();

  constructor(def: ArchId, fam: Family, readonly upid: number | undefined) {
    const births = new EntryMap<ArchId>();
    const orphans = new EntryMap<Call[]>();
    super(def, fam, undefined, births, false, orphans);
    this.birthsLog = births;
    this.orphansLog = orphans;
    this.unprefixedLinked = true;
    this.unprefixedPid = upid ?? U_KEY;
    this.callLines = 1; // "some call line before the cut"
  }

  protected override miss(key: number, cause: LookupCause): PidState | undefined {
    const line = cause !== 'born' && cause !== 'settled';
    const last = this.lastSeg.get(key);
    if (last === this.seg) {
      // looked at in this segment: gone since, or absent
      if (line && !this.lineLooked.has(key)) this.looks.push({ key, seg: this.seg, line, value: null });
      this.lineLooked.add(key);
      return undefined;
    }
    this.lastSeg.set(key, this.seg);
    if (line) this.lineLooked.add(key);
    if (last !== undefined) {
      const st = this.parked.get(key);
      if (st !== undefined) {
        this.parked.delete(key);
        this.states.set(key, st);
      }
      this.looks.push({ key, seg: this.seg, line, value: st === undefined ? null : structuredClone(st) });
      return st;
    }
    if (cause === 'born' || cause === 'line-born') {
      // a child of a clone/fork in the range
      this.looks.push({ key, seg: this.seg, line, guess: 'absent' });
      return undefined;
    }
    if ((cause === 'line' || cause === 'resumed') && this.seg > 0) {
      // a process first seen well after the cut is more likely a new one than one that was silent since
      const st: PidState = { arch: this.def, tentative: true, inherit: true, held: [], pending: undefined };
      this.looks.push({ key, seg: this.seg, line, guess: 'fresh' });
      this.states.set(key, st);
      return st;
    }
    const st = settled(this.def);
    const look: Look = { key, seg: this.seg, line, guess: cause };
    this.looks.push(look);
    if (cause === 'resumed') this.resumedGuess.set(st, look);
    if (cause !== 'gone') this.states.set(key, st);
    return st;
  }

  override trackChild(pid: number): void {
    this.announced.push([pid, this.seg]);
    super.trackChild(pid);
  }

  override resumedAlone(st: PidState, call: Call): void {
    const look = this.resumedGuess.get(st);
    if (look === undefined) return;
    this.resumedGuess.delete(st);
    look.call = { ...call };
  }

  protected override anyPendingHere(): boolean {
    if (super.anyPendingHere()) return true;
    for (const st of this.parked.values()) if (st.pending !== undefined) return true;
    this.anyPendingSeg = this.seg;
    return false;
  }

  checkpoint(): void {
    this.seg++;
    this.resumedGuess.clear();
    this.lineLooked.clear();
    for (const [k, st] of this.states) this.parked.set(k, st);
    this.states.clear();
    this.forgetLast();
    const pending = new Set<number>();
    for (const [k, st] of this.parked) if (st.pending !== undefined) pending.add(k);
    this.pendingAt.push(pending);
    this.birthsLog.checkpoint();
    this.orphansLog.checkpoint();
  }

  /** Every state held at the end (parked or not). */
  all(): Map<number, PidState> {
    const m = new Map(this.parked);
    for (const [k, st] of this.states) m.set(k, st);
    return m;
  }
}

/**
 * A parser for a range that does not start the file (checked by checkRange()).
 * `upid`: the pid unprefixed lines belong to, when the state before was seen
 * to have linked it already (else they use the symbolic U_KEY).
 */
export function rangeParser(opts: Pick<StraceParserOptions, 'defaultArch'> = {}, upid?: number): StraceParser {
  return new StraceParser(opts, (def, fam) => new RangeProcesses(def, fam, upid));
}

/** The parser state at each checkpoint that is not kept in the looks. */
interface CheckpointState {
  /** callLines then (the range counts from 1). */
  callLines: number;
  lastOpenKey: number | undefined;
  summary: SummaryState;
}

/** End a segment of a range parser (at a checkpoint line). */
export function rangeCheckpoint(p: StraceParser, at: CheckpointState[]): void {
  const procs = p.procs as RangeProcesses;
  at.push(checkpointState(p));
  procs.checkpoint();
}

function keyOfState(states: Map<number, PidState>, st: PidState | undefined): number | undefined {
  if (st === undefined) return undefined;
  for (const [k, v] of states) if (v === st) return k;
  return undefined;
}

function checkpointState(p: StraceParser): CheckpointState {
  const procs = p.procs as RangeProcesses;
  return { callLines: procs.callLines, lastOpenKey: keyOfState(procs.all(), p.calls.lastOpen), summary: structuredClone(p.summary.snapshot()) };
}

/** What a range parser leaves (structured-clonable): per segment its results, and what it read and wrote. */
export interface RangeEnd {
  /** Results per segment (segment i: lines (lines[i-1], lines[i]]). */
  segments: Array<{ observed: Observed; lines: number }>;
  looks: Look[];
  checkpoints: CheckpointState[];
  end: CheckpointState;
  states: Map<number, PidState>;
  births: { final: Map<number, ArchId>; firsts: Array<[number, number, boolean]>; wrote: Map<number, number>; snaps: Array<Map<number, ArchId>> };
  orphans: { final: Map<number, Call[]>; firsts: Array<[number, number, boolean]>; wrote: Map<number, number>; snaps: Array<Map<number, Call[]>> };
  anyPendingSeg: number;
  pendingAt: Array<Set<number>>;
  announced: Array<[number, number]>;
  upid: number | undefined;
}

/** The end state of a rangeParser() (instead of end()); `segments` as the caller collected them. */
export function rangeEnd(p: StraceParser, checkpoints: CheckpointState[], segments: RangeEnd['segments']): RangeEnd {
  const procs = p.procs;
  if (!(procs instanceof RangeProcesses)) throw new Error('rangeEnd() of a parser that is not a range parser');
  const b = procs.birthsLog;
  const o = procs.orphansLog;
  return {
    segments,
    looks: procs.looks,
    checkpoints,
    end: checkpointState(p),
    states: procs.all(),
    births: { final: new Map(b), firsts: b.firsts, wrote: b.wrote, snaps: b.snaps },
    orphans: { final: new Map(o), firsts: o.firsts, wrote: o.wrote, snaps: o.snaps },
    anyPendingSeg: procs.anyPendingSeg,
    pendingAt: procs.pendingAt,
    announced: procs.announced,
    upid: procs.upid,
  };
}

const quiet = (s: PidState | undefined) => s !== undefined && s.pending === undefined && s.held.length === 0;

function sameCall(a: Call | Pending, b: Call | Pending, pid: (n: number | undefined) => number | undefined): boolean {
  return a.printed === b.printed && a.name === b.name && a.nr === b.nr && a.args === b.args && a.exact === b.exact && a.pid === pid(b.pid) &&
    (a as Pending).open === (b as Pending).open && (a as Pending).shaped === (b as Pending).shaped;
}

function sameState(real: PidState | undefined, w: PidState | null | undefined, pid: (n: number | undefined) => number | undefined): boolean {
  if (real === undefined || w == null) return real === undefined && w == null;
  // inherit counts only while the arch is not settled (execve clears it before it unsettles the arch)
  if (real.arch !== w.arch || real.tentative !== w.tentative || (real.tentative && real.inherit !== w.inherit) || real.held.length !== w.held.length) return false;
  for (let i = 0; i < real.held.length; i++) if (!sameCall(real.held[i]!, w.held[i]!, pid)) return false;
  if (real.pending === undefined || w.pending === undefined) return real.pending === w.pending;
  return sameCall(real.pending, w.pending, pid);
}

/**
 * Can the range's results from checkpoint `seg` on be taken, given `p`, the
 * real parser state at that checkpoint? undefined: yes; else why not.
 */
export function checkRange(p: StraceParser, w: RangeEnd, seg: number): string | undefined {
  const procs = p.procs;
  const def = procs.def;
  if (procs.filePid !== undefined) return 'a -ff file (its pid comes from the file name)';
  if (procs.callLines === 0) return 'no call line before the range';
  const cp = seg === 0 ? undefined : w.checkpoints[seg - 1]!;
  const sum = p.summary.snapshot();
  if (cp === undefined) {
    if (!p.summary.idle) return 'a -c summary table goes on across the cut';
  } else if (sum.table !== cp.summary.table || sum.next !== cp.summary.next ||
      (sum.table !== 0 && (sum.arch !== cp.summary.arch || sum.dup !== cp.summary.dup || sum.cols.join(' ') !== cp.summary.cols.join(' ')))) {
    return 'a -c summary table differs';
  }
  if (p.calls.lastOpen !== undefined || cp?.lastOpenKey !== undefined) return 'a call line cut by program output goes on across the cut';
  const first = firstLooks(w, seg);
  const u = unprefixed(p, w, seg, first);
  if (typeof u === 'string') return u;
  const real = (k: number) => (k === U_KEY ? u.key! : k);
  const pidOf = (n: number | undefined) => (n === U_KEY ? u.pid : n);
  const upid = u.key;
  for (const [k, l] of first) {
    const key = real(k);
    const st = procs.states.get(key);
    const who = k === U_KEY ? 'the unprefixed process' : `pid ${k}`;
    const guess = l.guess;
    if (guess === undefined) {
      if (!sameState(st, l.value, pidOf)) return `${who}: its state differs (${stateText(st)} here, ${stateText(l.value)} in the range, segment ${l.seg})`;
    } else if (guess === 'line' || guess === 'resumed' || guess === 'settled') {
      if (st === undefined) {
        if (guess !== 'settled' && procs.births.get(key) === def) continue;
        return `${who}: ${procs.births.has(key) ? `born ${procs.births.get(key)}` : "no state"} before (${guess} in segment ${l.seg})`;
      }
      if (st.arch !== def || st.tentative) return `${who}: ${st.tentative ? 'arch not known yet' : st.arch} before`;
      if (st.held.length > 0) return `${who}: calls held`;
      const pend = st.pending;
      if (pend !== undefined) {
        const c = l.call;
        if (guess !== 'resumed' || c === undefined || pend.printed !== c.printed || pend.name !== c.name || pend.nr !== c.nr || pend.exact !== c.exact || pend.args !== undefined || c.args !== undefined) {
          return `${who}: ${pend.printed} pending`;
        }
      }
    } else if (guess === 'absent') {
      if (st !== undefined) return `${who}: a state before`;
    } else if (guess === 'fresh') {
      if (st === undefined ? procs.births.has(key) : !(st.tentative && st.inherit && st.arch === def && quiet(st))) return `${who}: not a new process`;
    } else if (guess === 'blank') {
      if (!quiet(st)) return `${who}: ${st ? 'calls pending or held' : 'no state'}`;
    } else if (st !== undefined && !quiet(st)) {
      return `${who}: calls pending or held`;
    }
  }
  for (const [name, m, mine] of [['birth', procs.births, w.births], ['orphaned calls', procs.orphans, w.orphans]] as const) {
    const snap = mine.snaps[seg]! as Map<number, unknown>;
    const done = new Set<number>();
    for (const [k, s, read] of mine.firsts) {
      if (s < seg || done.has(k)) continue;
      done.add(k);
      if (!read) continue; // written before it was read: what was there before does not matter
      const a = (m as Map<number, unknown>).get(real(k));
      const b = snap.get(k);
      if (a === undefined && b === undefined) continue;
      if (a === undefined || b === undefined) return `pid ${k}: ${name} differ`;
      if (name === 'birth' ? a !== b : !sameCalls(a as Call[], b as Call[], pidOf)) return `pid ${k}: ${name} differ`;
    }
  }
  if (w.anyPendingSeg >= seg) {
    // "is a call pending anywhere" was answered from the range's state: at the checkpoint, the same processes must have had one
    const mine = w.pendingAt[seg]!;
    let n = 0;
    for (const [k, st] of procs.states) {
      if (st.pending === undefined || (k === NO_PID && upid !== NO_PID)) continue;
      n++;
      if (!mine.has(k === upid && w.upid === undefined ? U_KEY : k)) return 'program output in the range while a call before is pending';
    }
    if (n !== mine.size) return 'program output in the range while no call before is pending';
  }
  return undefined;
}

const stateText = (st: PidState | null | undefined): string =>
  st == null ? 'none' : `${st.arch}${st.tentative ? ' tentative' : ''}${st.inherit ? ' inherit' : ''}${st.held.length ? ` ${st.held.length} held` : ''}${st.pending ? ` ${st.pending.printed} pending` : ''}`;

/** The first look at each key from segment `seg` on. */
function firstLooks(w: RangeEnd, seg: number): Map<number, Look> {
  const first = new Map<number, Look>();
  for (const l of w.looks) if (l.seg >= seg && !first.has(l.key)) first.set(l.key, l);
  return first;
}

/**
 * What the range's unprefixed key U_KEY is in the real state (`key`; `pid`:
 * the pid its calls carry), or why it cannot be told. A range given the
 * linked pid used that pid itself.
 */
function unprefixed(p: StraceParser, w: RangeEnd, seg: number, first: Map<number, Look>): { key: number | undefined; pid: number | undefined } | string {
  const procs = p.procs;
  if (w.upid !== undefined) {
    if (!procs.unprefixedLinked || procs.unprefixedPid !== w.upid) return `the unprefixed process is not pid ${w.upid}`;
    return { key: w.upid, pid: w.upid };
  }
  if (!procs.unprefixedLinked && procs.states.has(NO_PID)) {
    // not linked yet: unprefixed lines are NO_PID's, as long as no line of a pid in the range could link them to it
    // (children it announces are added to the real state's by absorbRange())
    for (const l of w.looks) if (l.seg >= seg && l.line && l.key !== U_KEY) return 'the unprefixed first process has no pid yet, and the range has prefixed lines';
    // its calls carry no pid here (the range gave them U_KEY): an execve that handed them to orphans would not have
    if (w.orphans.firsts.some(([k, s]) => k === U_KEY && s >= seg)) return 'the unprefixed first process has no pid yet, and its calls were orphaned in the range';
    return { key: NO_PID, pid: undefined };
  }
  const upid = procs.unprefixedLinked ? procs.unprefixedPid : undefined;
  if (first.has(U_KEY)) {
    if (upid === undefined) return 'unprefixed lines, but no unprefixed process before';
    if (first.has(upid)) return `pid ${upid} is both the unprefixed process and a prefixed one`;
  }
  return { key: upid, pid: upid };
}

function sameCalls(a: Call[], b: Call[], pid: (n: number | undefined) => number | undefined): boolean {
  return a.length === b.length && a.every((c, i) => sameCall(c, b[i]!, pid));
}

/**
 * Lay the range's writes from checkpoint `seg` on over `p` (after checkRange()
 * said yes): `p` is then the state after the range.
 */
export function absorbRange(p: StraceParser, w: RangeEnd, seg: number): void {
  const procs = p.procs;
  const first = firstLooks(w, seg);
  const u = unprefixed(p, w, seg, first);
  if (typeof u === 'string') throw new Error(`absorbRange() after checkRange() said no: ${u}`);
  const real = (k: number) => (k === U_KEY ? u.key! : k);
  const pidOf = (n: number | undefined) => (n === U_KEY ? u.pid : n);
  const fix = (c: Call) => {
    if (c.pid === U_KEY) c.pid = pidOf(c.pid);
  };
  for (const st of w.states.values()) {
    st.held.forEach(fix);
    if (st.pending) fix(st.pending);
  }
  for (const calls of w.orphans.final.values()) calls.forEach(fix);
  for (const [k, l] of first) {
    const key = real(k);
    const old = procs.states.get(key);
    const now = w.states.get(k);
    if (old === undefined) {
      if (l.guess === 'line' || l.guess === 'resumed') procs.births.delete(key); // the line took its birth
      if (now !== undefined) procs.states.set(key, now);
      continue;
    }
    // every key naming the old state (the unprefixed process is also NO_PID) names the new one
    for (const [kk, v] of procs.states) {
      if (v !== old) continue;
      if (now === undefined) procs.states.delete(kk);
      else procs.states.set(kk, now);
    }
  }
  for (const [m, mine] of [[procs.births, w.births], [procs.orphans, w.orphans]] as const) {
    for (const [k, s] of mine.wrote) {
      if (s < seg) continue;
      const v = (mine.final as Map<number, unknown>).get(k);
      if (v === undefined) m.delete(real(k));
      else (m as Map<number, unknown>).set(real(k), v);
    }
  }
  if (u.key === NO_PID) for (const [pid, s] of w.announced) if (s >= seg) procs.trackChild(pid);
  const from = seg === 0 ? 1 : w.checkpoints[seg - 1]!.callLines;
  procs.callLines += w.end.callLines - from;
  p.calls.lastOpen = w.end.lastOpenKey === undefined ? undefined : procs.states.get(real(w.end.lastOpenKey));
  p.summary.restore(w.end.summary);
  procs.forgetLast();
}
