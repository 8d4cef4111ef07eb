/** strace -c/-C summary tables (any -U column order, one table per personality) → counted observations. */
import type { ArchId } from '../../arch.js';
import type { LineResult, Observation } from '../../types.js';
import { hashOf, nameAt, unknownNumber } from './scanner.js';
import { type Family, multiplexed } from './tables.js';

const IGNORED: LineResult = Object.freeze({ kind: 'ignored' }) as LineResult;
const malformed = (reason: string): LineResult => ({ kind: 'malformed', reason });

/** Summary table column headings (strace -c/-C, any -U selection). */
const TABLE_WORDS = new Set(['%time', 'seconds', 'usecs/call', 'msecs/call', 'nsecs/call', 'secs/call', 'calls', 'errors', 'syscall', 'shortest', 'longest']);

export interface SummaryState { table: number; cols: string[]; arch: ArchId; next: ArchId | undefined; dup: boolean }

export class SummaryTables {
  /** 0 none, 1 header seen, 2 rows, 3 closing separator seen. */
  table = 0;
  private tableCols: string[] = [];
  private tableArch: ArchId;
  private nextTableArch: ArchId | undefined;
  private tableDup = false;

  constructor(private readonly fam: Family, private readonly def: ArchId) {
    this.tableArch = def;
  }

  /** Between tables, no personality heading waiting for its table: what a parser starting mid-file assumes. */
  get idle(): boolean {
    return this.table === 0 && this.nextTableArch === undefined;
  }

  /** The whole state (structured-clonable), for carrying a range's end state to the next range. */
  snapshot(): SummaryState {
    return { table: this.table, cols: this.tableCols, arch: this.tableArch, next: this.nextTableArch, dup: this.tableDup };
  }

  restore(s: SummaryState): void {
    this.table = s.table;
    this.tableCols = s.cols;
    this.tableArch = s.arch;
    this.nextTableArch = s.next;
    this.tableDup = s.dup;
  }

  /** A table heading or a personality banner before one; undefined: not a table heading. `callLines`: call lines seen so far. */
  header(text: string, callLines: number): LineResult | undefined {
    const t = text.trim();
    if (t.startsWith('System call usage summary for ')) {
      const m = /for (.+?) mode/.exec(t);
      const mode = m?.[1];
      this.nextTableArch = mode === '32 bit' ? this.fam.alt32 : mode === 'x32' ? 'x32' : mode === '64 bit' ? this.fam.native : undefined;
      return this.nextTableArch === undefined ? malformed(`unknown personality "${mode}"`) : IGNORED;
    }
    const cols = t.replace(/^%\s+time\b/, '%time').replace(/\s%\s+time\b/, ' %time').split(/\s+/);
    if (!cols.includes('syscall') || !cols.every((w) => TABLE_WORDS.has(w))) return undefined;
    this.tableCols = cols;
    this.table = 1;
    this.tableArch = this.nextTableArch ?? this.def;
    this.nextTableArch = undefined;
    // -C prints the calls and then their summary: the calls were counted already.
    this.tableDup = callLines > 0;
    return IGNORED;
  }

  /** A line while a summary table is open; undefined: not a table line, parse it normally. */
  line(text: string): LineResult | undefined {
    const t = text.trim();
    const sep = t.length > 0 && t.charCodeAt(0) === 45 && /^[-\s]+$/.test(t);
    if (this.table === 1) {
      if (sep) {
        this.table = 2;
        return IGNORED;
      }
      this.table = 0;
      return undefined;
    }
    if (sep) {
      this.table = this.table === 2 ? 3 : 0;
      return IGNORED;
    }
    const tok = t.split(/\s+/);
    let cols = this.tableCols;
    if (tok.length === cols.length - 1 && cols.includes('errors')) cols = cols.filter((c) => c !== 'errors');
    const ni = cols.indexOf('syscall');
    const name = tok.length === cols.length ? tok[ni] : undefined;
    if (this.table === 3 || name === 'total') {
      this.table = 0;
      return name === 'total' ? IGNORED : undefined;
    }
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || nameAt(this.fam.names, name, 0, name.length, hashOf(name, 0, name.length)) === undefined) {
      this.table = 0;
      return undefined;
    }
    const ci = cols.indexOf('calls');
    const count = ci >= 0 ? Number(tok[ci]) : 1;
    if (!Number.isInteger(count) || count < 0) return malformed('summary row: calls is not a number');
    if (this.tableDup || count === 0) return IGNORED;
    const nr = unknownNumber(name);
    if (nr !== undefined) return { kind: 'parsed', obs: [{ arch: this.tableArch, nr, count }] };
    const obs: Observation[] = [{ arch: this.tableArch, name, count }];
    const via = multiplexed(this.fam.flags, name, this.tableArch);
    if (via !== undefined) obs.push({ arch: this.tableArch, name: via, count });
    return { kind: 'parsed', obs };
  }
}
