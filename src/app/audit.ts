/**
 * audit, the use-cases' parts (./audit-run.ts, ./audit-follow.ts,
 * ./audit-agent.ts, ./audit-ranges.ts): the sink the audit lines go through
 * (parse, filter, per-key collectors for --split-by) and the writer of one
 * --split-by group's profile. Typed options in, no flags, no printing
 * (cli/audit.ts does those).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Collector, type Observed } from '../collect/collector.js';
import { UserError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import { D_ACTION, D_COMM, D_EXE, D_PID, D_TIME, D_UID, parseAuditFields } from '../ingest/audit/index.js';
import { type AuditFilter, type FilterCounts, rejectedBy } from '../ingest/audit-filter.js';
import { ContainerResolver } from '../ingest/container.js';
import type { MemberInfo } from '../attribution/group.js';
import { NO_CONTAINER } from '../attribution/options.js';
import type { LineResult, Observation } from '../types.js';
import type { AuditPart } from './audit-ranges.js';
import type { ProfileOutput } from './emit.js';

/** The bookkeeping result of a parsed line whose records are added one by one (never mutated). */
const PARSED: LineResult = Object.freeze({ kind: 'parsed' });

/** What --split-by groups by. */
export const SPLIT_KEYS = ['container', 'pod', 'workload', 'exe', 'comm'] as const;
export type SplitKey = (typeof SPLIT_KEYS)[number];

/** The pipeline state: line bookkeeping, the kept observations, and per-key collectors for --split-by. */
export class AuditSink {
  readonly all = new Collector();
  readonly byKey = new Map<string, Collector>();
  /** Per --split-by key: records kept, and the pod UID the cgroup named (pod/workload attribution). */
  readonly perKey = new Map<string, { records: number; podUid?: string }>();
  filtered = 0;
  /** Records each filter removed (the first it failed). */
  readonly removedBy: FilterCounts = {};
  /** Records kept (all records when no filter is given). */
  kept = 0;
  private readonly containers: ContainerResolver;
  /** The observation fields something needs besides arch + number (parser D_* bits: a filter, --split-by, the follow messages); 0 = none. */
  private readonly detail: number;
  constructor(readonly filter: AuditFilter, readonly splitBy: SplitKey | undefined, procRoot = '/proc', readonly onNew?: (name: string, o: Observation) => void) {
    this.containers = new ContainerResolver(procRoot);
    this.detail = fieldsNeeded(filter, splitBy, onNew !== undefined);
  }

  private readonly containerOf = (o: Observation): string | undefined => this.containers.idOf(o.pid, o.time);

  keyOf(o: Observation): string {
    switch (this.splitBy) {
      case 'container': case 'pod': case 'workload': return this.containerOf(o) ?? NO_CONTAINER;
      case 'exe': return o.exe ?? 'unknown-exe';
      case 'comm': return o.comm ?? 'unknown-comm';
      default: return '';
    }
  }

  line(text: string, lineNo: number, source: string): void {
    const res: LineResult = parseAuditFields(text, this.detail);
    if (res.kind !== 'parsed' || !res.obs || !this.detail) {
      if (res.kind === 'parsed' && res.obs) this.kept += res.obs.length;
      this.all.line(res, lineNo, text, source);
      return;
    }
    this.all.line(PARSED, lineNo, text, source);
    // (an audit line holds one record: filtering and adding it in one loop allocates nothing per line)
    for (const o of res.obs) {
      const why = rejectedBy(o, this.filter, this.containerOf);
      if (why !== undefined) {
        this.removedBy[why] = (this.removedBy[why] ?? 0) + 1;
        this.filtered++;
        continue;
      }
      this.kept++;
      const before = this.onNew ? this.distinct() : 0;
      const name = this.all.add(o);
      if (this.onNew && name !== undefined && this.distinct() > before) this.onNew(name, o);
      if (this.splitBy) {
        const k = this.keyOf(o);
        let c = this.byKey.get(k);
        if (!c) this.byKey.set(k, (c = new Collector()));
        c.add(o);
        let n = this.perKey.get(k);
        if (!n) {
          this.perKey.set(k, (n = { records: 0 }));
          const uid = k !== NO_CONTAINER ? this.containers.attributionOf(o.pid, o.time)?.podUid : undefined;
          if (uid) n.podUid = uid;
        }
        n.records++;
      }
    }
  }

  /**
   * Fold in one range's part (app/audit-ranges.ts), in file order: `lineOffset`
   * is the number of lines of the file before the range (its malformed samples
   * are numbered from the range's start).
   */
  absorb(part: AuditPart, lineOffset: number): void {
    this.all.absorb(shiftLines(part.all, lineOffset));
    this.filtered += part.filtered;
    this.kept += part.kept;
    for (const [k, n] of Object.entries(part.removedBy) as Array<[keyof FilterCounts, number]>) this.removedBy[k] = (this.removedBy[k] ?? 0) + n;
    for (const [k, o] of part.byKey) {
      let c = this.byKey.get(k);
      if (!c) this.byKey.set(k, (c = new Collector()));
      c.absorb(o);
    }
    for (const [k, p] of part.perKey) {
      const n = this.perKey.get(k);
      if (!n) this.perKey.set(k, { ...p });
      else {
        n.records += p.records;
        if (n.podUid === undefined && p.podUid !== undefined) n.podUid = p.podUid;
      }
    }
  }

  /** Forget pids not seen for `idleMs` (the node agent calls this at each flush). */
  prunePids(idleMs: number): void {
    this.containers.prune(idleMs);
  }

  /** Distinct (arch, syscall) pairs so far. */
  distinct(): number {
    let n = 0;
    for (const m of this.all.arches.values()) n += m.size;
    return n;
  }
}

function shiftLines(o: Observed, by: number): Observed {
  return by === 0 ? o : { ...o, malformed: o.malformed.map((m) => ({ ...m, line: m.line + by })) };
}

/** The parser's D_* fields a run needs: only those are decoded (a --comm filter: comm alone). */
export function fieldsNeeded(f: AuditFilter, splitBy: SplitKey | undefined, follow: boolean): number {
  let m = 0;
  if (f.pids) m |= D_PID;
  if (f.uids) m |= D_UID;
  if (f.comms) m |= D_COMM;
  if (f.exes) m |= D_EXE;
  if (f.since !== undefined || f.until !== undefined) m |= D_TIME;
  if (f.actions) m |= D_ACTION;
  if (f.containers || splitBy === 'container' || splitBy === 'pod' || splitBy === 'workload') m |= D_PID | D_TIME;
  if (splitBy === 'exe') m |= D_EXE;
  if (splitBy === 'comm') m |= D_COMM;
  // the follow messages name comm and pid; any other consumer gets everything
  if (follow) m |= D_COMM | D_PID;
  return m;
}

/** A key → a file name that stays inside the output directory. */
export function safeFileName(key: string, ext: string): string {
  let s = key.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_').slice(0, 80);
  if (!s || s === '_') s = 'key';
  const clean = s === key;
  return `${s}${clean ? '' : `-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`}.${ext}`;
}

/**
 * One --split-by group's profile (generated, validated, rendered), written as <dir>/<key>.json|yaml; returns the file.
 * --format crd --split-by workload: an SPO partial profile (src/attribution/spo.ts); other groups are named [--name-]<key>.
 */
export async function writeSplitProfile(dir: string, key: string, c: Collector, members: MemberInfo[] | undefined, out: ProfileOutput, opts: GenerateOptions, split: string): Promise<string> {
  const file = join(dir, safeFileName(key, out.format === 'crd' ? 'yaml' : 'json'));
  if (!file.startsWith(dir + '/')) throw new UserError(`refusing to write outside ${dir}`);
  // Loaded here, not at the top: the parse (also in a worker thread, app/audit-range-worker.ts) does not need the generator.
  const [{ generateProfile }, { writeProfileTo }] = await Promise.all([import('../generate/index.js'), import('./emit.js')]);
  const { profile } = generateProfile(c.result(), opts);
  const spo = out.format === 'crd' && split === 'workload' && members ? (await import('../attribution/spo.js')).spoPartialMeta(members, nodeName()) : undefined;
  const stem = safeFileName(key, 'x').slice(0, -2).toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const name = spo?.name ?? (out.name || out.format === 'crd' ? `${out.name ? `${out.name}-` : ''}${stem}`.replace(/^[-.]+/, '').slice(0, 253).replace(/[-.]+$/, '') : undefined);
  await writeProfileTo(profile, { ...out, output: file, ...(name ? { name } : {}) }, spo);
  return file;
}

/** The node a partial profile comes from: $NODE_NAME (a DaemonSet sets it from spec.nodeName), else the host name. */
function nodeName(): string {
  return process.env.NODE_NAME || hostname();
}
