/**
 * collect: resolve observations (arch + number → name) and count them per
 * arch, plus the per-line bookkeeping every input reports
 * (parsed / ignored / malformed, unknown numbers, loss signals).
 * Memory is bounded by the number of distinct syscalls, not by input size.
 */
import { type Arch, type ArchId, archById } from '../arch.js';
import { canonicalName, syscallName } from '../resolve.js';
import type { LineResult, Observation } from '../types.js';
import { type LossCounts, addLoss, lostRecords, mergeLoss, noLoss } from './loss.js';
import { OVERLONG_LINE } from '../sources/split-lines.js';

/** Distinct argument tuples kept per syscall (for condition checks); more are counted, not kept. */
export const MAX_ARG_TUPLES = 64;
export const MAX_MALFORMED_SAMPLES = 5;

export interface SyscallStat {
  count: number;
  /** Distinct decoded argument tuples seen (at most MAX_ARG_TUPLES). */
  args: Array<Array<bigint | undefined>>;
  /** Calls seen without decoded arguments (audit input, or strace output we could not decode). */
  noArgs: number;
  /** True when more distinct tuples were seen than kept. */
  argsTruncated: boolean;
}

export interface UnknownSyscall {
  arch: ArchId;
  /** The number as reported, or the name no table knows. */
  nr?: number;
  /** A number a double cannot hold exactly, as printed. */
  nrText?: string;
  name?: string;
  count: number;
}

export interface MalformedSample {
  source: string;
  line: number;
  text: string;
  reason: string;
}

export interface LineCounts {
  parsed: number;
  ignored: number;
  malformed: number;
}

export interface Observed {
  arches: Map<ArchId, Map<string, SyscallStat>>;
  unknown: UnknownSyscall[];
  lines: LineCounts;
  malformed: MalformedSample[];
  /** Records the kernel/auditd said it dropped (callbacks suppressed, backlog limit, audit_lost): lostRecords(loss). */
  lost: number;
  /** The loss signals as counted (collect/loss.ts). */
  loss: LossCounts;
  /** Loss-signal lines seen. */
  lossSignals: number;
}

export class Collector {
  readonly arches = new Map<ArchId, Map<string, SyscallStat>>();
  private readonly argKeys = new Map<string, Set<string>>();
  private readonly unknownMap = new Map<string, UnknownSyscall>();
  readonly lines: LineCounts = { parsed: 0, ignored: 0, malformed: 0 };
  readonly malformed: MalformedSample[] = [];
  readonly loss: LossCounts = noLoss();
  private lastId: ArchId | undefined;
  private lastArch: Arch | undefined;
  private lastMap: Map<string, SyscallStat> | undefined;

  /** Account for one input line and add what it observed. */
  line(res: LineResult, lineNo: number, text: string, source = '-'): void {
    if (text === OVERLONG_LINE) text = '(not shown)';
    const kind = res.kind;
    if (kind === 'parsed') this.lines.parsed++;
    else if (kind === 'ignored') this.lines.ignored++;
    else this.lines.malformed++;
    if (kind === 'malformed' && this.malformed.length < MAX_MALFORMED_SAMPLES) {
      this.malformed.push({ source, line: lineNo, text: text.length > 200 ? `${text.slice(0, 200)}…` : text, reason: res.reason ?? 'not understood' });
    }
    if (res.lost !== undefined || res.lostCounter !== undefined) addLoss(this.loss, res);
    if (res.obs) for (const o of res.obs) this.add(o);
  }

  /** A parsed line that observed one call of `name` (no arguments): line() with { kind: 'parsed', obs: [{ arch, name }] }, no objects made. */
  parsedCall(arch: ArchId, name: string): void {
    this.lines.parsed++;
    const seen = arch === this.lastId ? this.lastMap?.get(name) : undefined;
    if (seen !== undefined) {
      seen.count++;
      seen.noArgs++;
    } else this.add({ arch, name });
  }

  /** Add one observation: resolve its name, or record it as unknown. Returns the canonical name or undefined. */
  add(o: Observation): string | undefined {
    // Inputs are runs of one arch: keep its arch record and map at hand.
    if (o.arch !== this.lastId) {
      this.lastId = o.arch;
      this.lastArch = archById(o.arch);
      this.lastMap = this.arches.get(o.arch);
    }
    const arch = this.lastArch!;
    const count = o.count ?? 1;
    let name: string | undefined;
    // Most observations repeat a name already counted under its canonical spelling: no table lookup.
    const seen = o.name !== undefined ? this.lastMap?.get(o.name) : undefined;
    if (seen !== undefined) {
      seen.count += count;
      if (o.args === undefined) seen.noArgs += count;
      else this.addArgs(`${o.arch}:${o.name}`, seen, o.args);
      return o.name;
    }
    if (o.name !== undefined) {
      name = canonicalName(o.name, arch);
      if (name === undefined) {
        this.addUnknown(`${o.arch}:name:${o.name}`, { arch: o.arch, name: o.name, count });
        return undefined;
      }
    } else if (o.nr !== undefined) {
      name = syscallName(arch, o.nr);
      if (name === undefined) {
        this.addUnknown(`${o.arch}:nr:${o.nr}`, { arch: o.arch, nr: o.nr, count });
        return undefined;
      }
    } else if (o.nrText !== undefined) {
      this.addUnknown(`${o.arch}:nr:${o.nrText}`, { arch: o.arch, nrText: o.nrText, count });
      return undefined;
    } else {
      return undefined;
    }
    let perArch = this.lastMap;
    if (!perArch) {
      perArch = new Map();
      this.arches.set(o.arch, perArch);
      this.lastMap = perArch;
    }
    let st = perArch.get(name);
    if (!st) {
      st = { count: 0, args: [], noArgs: 0, argsTruncated: false };
      perArch.set(name, st);
    }
    st.count += count;
    if (o.args === undefined) st.noArgs += count;
    else this.addArgs(`${o.arch}:${name}`, st, o.args);
    return name;
  }

  private addArgs(key: string, st: SyscallStat, args: Array<bigint | undefined>): void {
    let keys = this.argKeys.get(key);
    if (!keys) {
      keys = new Set();
      this.argKeys.set(key, keys);
    }
    const k = args.map((a) => (a === undefined ? '?' : a.toString())).join(',');
    if (keys.has(k)) return;
    if (keys.size >= MAX_ARG_TUPLES) {
      st.argsTruncated = true;
      return;
    }
    keys.add(k);
    st.args.push(args);
  }

  private addUnknown(key: string, u: UnknownSyscall): void {
    const cur = this.unknownMap.get(key);
    if (cur) cur.count += u.count;
    else this.unknownMap.set(key, u);
  }

  /** Fold another collector's results into this one (several files, several sources). */
  absorb(o: Observed): void {
    for (const k of ['parsed', 'ignored', 'malformed'] as const) this.lines[k] += o.lines[k];
    for (const m of o.malformed) if (this.malformed.length < MAX_MALFORMED_SAMPLES) this.malformed.push(m);
    mergeLoss(this.loss, o.loss);
    for (const u of o.unknown) this.addUnknown(`${u.arch}:${u.nr !== undefined || u.nrText !== undefined ? `nr:${u.nr ?? u.nrText}` : `name:${u.name}`}`, { ...u });
    for (const [arch, m] of o.arches) {
      for (const [name, st] of m) {
        if (st.noArgs > 0) this.add({ arch, name, count: st.noArgs });
        const withArgs = st.count - st.noArgs;
        st.args.forEach((a, i) => this.add({ arch, name, args: a, count: i === 0 ? withArgs - (st.args.length - 1) : 1 }));
        if (st.argsTruncated) {
          const mine = this.arches.get(arch)?.get(name);
          if (mine) mine.argsTruncated = true;
        }
      }
    }
  }

  result(): Observed {
    const unknown = [...this.unknownMap.values()].sort((a, b) =>
      a.arch === b.arch ? (a.nr ?? -1) - (b.nr ?? -1) || (a.name ?? '').localeCompare(b.name ?? '') : a.arch.localeCompare(b.arch),
    );
    return { arches: this.arches, unknown, lines: { ...this.lines }, malformed: [...this.malformed], lost: lostRecords(this.loss), loss: { ...this.loss }, lossSignals: this.loss.signals };
  }
}

/** Every observed name on an arch, sorted. */
export function observedNames(o: Observed, arch: ArchId): string[] {
  return [...(o.arches.get(arch)?.keys() ?? [])].sort();
}
