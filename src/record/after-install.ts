/**
 * The per-pid stage of `record --in-container`: of an `strace -f
 * --pidns-translation -o` log of an OCI runtime running one container, pass
 * on exactly the lines of the calls the container's seccomp filter sees —
 * those of the thread that installed the filter, from the call after the
 * install on, and of every process and thread it (or one of them) creates
 * afterwards, including what they exec. Everything else (the runtime's calls
 * before the install, its other processes, the Go runtime's other threads of
 * `runc init`, which are not filtered without TSYNC) is dropped.
 *
 * It sits in front of the strace parser, not behind it, because the cut must
 * fall exactly at the install line: the parser holds back the calls of a
 * process whose arch is not known yet and releases them on a later line, so
 * behind it a call made before the install could come out after it.
 *
 * What it reads (strace 6 with -f -o: every line starts with the host pid):
 * - The install: `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {…}) = 0` (runc
 *   1.1) or `seccomp(SECCOMP_SET_MODE_FILTER, FLAGS, {…}) = 0` (crun 1.8),
 *   possibly split into `<unfinished ...>` and `<... prctl resumed>`. The
 *   probes of libseccomp, `seccomp(SECCOMP_SET_MODE_FILTER, FLAG, NULL) = -1
 *   EFAULT`, are not installs. The first successful install is the cut; the
 *   install call itself is not passed on (the filter is not yet in force while
 *   it runs, and a profile needs no rule for it).
 * - Children: the result of clone, clone3, fork and vfork. Inside the
 *   container's pid namespace the result is the namespace's pid; with
 *   --pidns-translation strace adds the host pid: `= 6 /* 11326 in strace's
 *   PID NS *\/`. A child gets its parent's state when the call returns.
 * - An install with SECCOMP_FILTER_FLAG_TSYNC filters every thread of the
 *   installer's process (threads known from CLONE_THREAD clones), not only
 *   the installer. runc 1.1 and crun 1.8 install without it by default.
 * - `L +++ superseded by execve in pid T +++`: thread T exec'd and now has
 *   the leader's pid L, so L takes T's state.
 * A pid first seen after the install whose creating call has not returned
 * yet (the child often runs before its parent's clone is printed) is held
 * until it has; lines of pids whose creator never showed are dropped at the
 * end and counted as unattributed.
 */

export type LineSink = (text: string, n: number) => void;

export interface AfterInstallStats {
  /** The install call as strace printed it, once seen. */
  install?: { pid: number; call: string; line: number };
  /** Lines passed on to the parser. */
  passed: number;
  /** Lines dropped: before the install or of processes the filter does not cover. */
  dropped: number;
  /** Lines dropped at the end because the process that created their pid was never seen. */
  unattributed: number;
  /** A filtered process exec'd successfully (the container's program started). */
  execed: boolean;
}

const KEPT = 1;
const DROPPED = 2;

const FORKS = new Set(['clone', 'clone3', 'fork', 'vfork']);
const UNFINISHED = ' <unfinished ...>';
const SUPERSEDED = /^\+\+\+ superseded by execve in pid (\d+) \+\+\+$/;
const TRANSLATED = /^(-?\d+) \/\* (\d+) in strace's PID NS \*\/$/;

/** Is this completed call (name and the text from its `(` on) a successful filter install? */
export function isFilterInstall(name: string, rest: string): boolean {
  const r = result(rest);
  if (r === undefined || r < 0) return false;
  if (name === 'prctl') return /^\(\s*(PR_SET_SECCOMP|0x16|22)\s*,\s*(SECCOMP_MODE_FILTER|0x2|2)\s*,/.test(rest);
  if (name === 'seccomp') {
    const m = /^\(\s*(SECCOMP_SET_MODE_FILTER|0x1|1)\s*,\s*[^,]*,\s*(.*)\)\s+=/.exec(rest);
    return !!m && !/^NULL\b/.test(m[2]!) && m[2] !== '0';
  }
  return false;
}

/** The numeric result after the last ` = ` (the host pid when strace translated one), or undefined. */
function result(rest: string): number | undefined {
  // strace pads the result of a resumed call: `<... prctl resumed>)              = 0`.
  const at = rest.lastIndexOf(' = ');
  if (at < 0 || !/\)\s*$/.test(rest.slice(0, at))) return undefined;
  let tail = rest.slice(at + 3).trim();
  const t = TRANSLATED.exec(tail);
  if (t) return Number(t[2]);
  const sp = tail.indexOf(' ');
  if (sp >= 0) tail = tail.slice(0, sp);
  if (!/^-?\d+$/.test(tail)) return undefined;
  return Number(tail);
}

export class AfterFilterInstall {
  readonly stats: AfterInstallStats = { passed: 0, dropped: 0, unattributed: 0, execed: false };
  private readonly state = new Map<number, number>();
  /** The start of a call cut by `<unfinished ...>`, per pid: name and text from its `(`. */
  private readonly pending = new Map<number, { name: string; rest: string }>();
  /** Lines of pids seen after the install whose creator has not returned yet. */
  private readonly held = new Map<number, Array<[string, number]>>();
  /** Thread group (leader's pid) of every pid whose creation was seen: CLONE_THREAD children share their creator's. */
  private readonly group = new Map<number, number>();
  /** Children created by a held pid, resolved with it. */
  private readonly links = new Map<number, number[]>();
  private installed = false;

  constructor(private readonly pass: LineSink, private readonly drop: LineSink) {}

  line(text: string, n: number): void {
    // "PID name(…": strace pads the pid to 5 columns ("896   prctl(").
    let sp = text.indexOf(' ');
    const pid = sp > 0 ? Number(text.slice(0, sp)) : NaN;
    while (sp > 0 && text.charCodeAt(sp + 1) === 32) sp++;
    if (!Number.isInteger(pid) || pid <= 0) {
      this.dropLine(text, n); // not a line of a traced process (strace always prefixes the pid with -f -o)
      return;
    }
    let st = this.state.get(pid);
    if (st === undefined) {
      if (!this.installed) this.state.set(pid, (st = DROPPED));
      else {
        const h = this.held.get(pid);
        if (h) h.push([text, n]);
        else this.held.set(pid, [[text, n]]);
        this.watch(pid, text.slice(sp + 1), n); // its calls can still start or finish one, or create a child
        return;
      }
    }
    const installHere = this.watch(pid, text.slice(sp + 1), n);
    st = this.state.get(pid); // `L +++ superseded by execve in pid T +++` hands T's state to L
    if (st === KEPT && !installHere) this.passLine(text, n);
    else this.dropLine(text, n);
  }

  /** End of input: held lines whose creator never showed are dropped. */
  end(): void {
    for (const lines of this.held.values()) {
      for (const [t, n] of lines) {
        this.stats.unattributed++;
        this.dropLine(t, n);
      }
    }
    this.held.clear();
  }

  /** Track calls, installs, children and exec'ing threads. True when this line completes the install. */
  private watch(pid: number, body: string, n: number): boolean {
    let name: string;
    let rest: string;
    if (body.startsWith('<... ')) {
      const e = body.indexOf(' resumed>');
      if (e < 0) return false;
      name = body.slice(5, e);
      const start = this.pending.get(pid);
      this.pending.delete(pid);
      rest = `${start && start.name === name ? start.rest : '('}${body.slice(e + 9)}`;
    } else if (body.startsWith('+++ ')) {
      const m = SUPERSEDED.exec(body);
      if (m) {
        const t = Number(m[1]);
        const st = this.state.get(t);
        if (st !== undefined) this.setState(pid, st);
        const p = this.pending.get(t);
        if (p) this.pending.set(pid, p);
        this.pending.delete(t);
      }
      return false;
    } else {
      const paren = body.indexOf('(');
      if (paren <= 0 || !/^[a-z_0-9]+$/i.test(body.slice(0, paren))) return false;
      name = body.slice(0, paren);
      rest = body.slice(paren);
    }
    if (rest.endsWith(UNFINISHED)) {
      this.pending.set(pid, { name, rest: rest.slice(0, -UNFINISHED.length) });
      return false;
    }
    if ((name === 'execve' || name === 'execveat') && this.state.get(pid) === KEPT && result(rest) === 0) this.stats.execed = true;
    if (FORKS.has(name)) {
      const child = result(rest);
      if (child !== undefined && child > 0) {
        this.group.set(child, /\bCLONE_THREAD\b/.test(rest) ? (this.group.get(pid) ?? pid) : child);
        const st = this.state.get(pid);
        if (st !== undefined) this.setState(child, st);
        else {
          // The creator is itself still waiting for its own creator: the child follows when it is known.
          const l = this.links.get(pid);
          if (l) l.push(child);
          else this.links.set(pid, [child]);
        }
      }
      return false;
    }
    if (!this.installed && (name === 'prctl' || name === 'seccomp') && isFilterInstall(name, rest)) {
      this.installed = true;
      this.stats.install = { pid, call: `${name}${rest}`, line: n };
      // Everything seen so far that is not the installer stays dropped; the installer is kept from its next line.
      this.state.set(pid, KEPT);
      // With SECCOMP_FILTER_FLAG_TSYNC the kernel puts the filter on every thread of the process.
      if (name === 'seccomp' && /\bSECCOMP_FILTER_FLAG_TSYNC\b/.test(rest.slice(0, rest.indexOf('{')))) {
        const leader = this.group.get(pid) ?? pid;
        for (const [t, g] of this.group) if (g === leader) this.setState(t, KEPT);
        this.setState(leader, KEPT);
      }
      return true;
    }
    return false;
  }

  private setState(pid: number, st: number): void {
    this.state.set(pid, st);
    const h = this.held.get(pid);
    if (h) {
      this.held.delete(pid);
      for (const [t, n] of h) {
        if (st === KEPT) this.passLine(t, n);
        else this.dropLine(t, n);
      }
    }
    const l = this.links.get(pid);
    if (l) {
      this.links.delete(pid);
      for (const c of l) this.setState(c, st);
    }
  }

  private passLine(t: string, n: number): void {
    this.stats.passed++;
    this.pass(t, n);
  }

  private dropLine(t: string, n: number): void {
    this.stats.dropped++;
    this.drop(t, n);
  }
}
