/**
 * audit, the use-cases' parts (./audit-run.ts, ./audit-follow.ts,
 * ./audit-agent.ts): the sink the audit lines go through (parse, filter,
 * per-key collectors for --split-by) and the writer of one --split-by group's
 * profile. Typed options in, no flags, no printing (cli/audit.ts does those).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../collect/collector.js';
import { UserError } from '../errors.js';
import { type GenerateOptions, generateProfile } from '../generate/index.js';
import { parseAuditLine } from '../ingest/audit/index.js';
import { type AuditFilter, type FilterCounts, rejectedBy } from '../ingest/audit-filter.js';
import { ContainerResolver } from '../ingest/container.js';
import type { MemberInfo } from '../attribution/group.js';
import { NO_CONTAINER } from '../attribution/options.js';
import type { LineResult, Observation } from '../types.js';
import { type ProfileOutput, writeProfileTo } from './emit.js';

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
  /** Something needs more than arch + number (a filter, --split-by, the follow messages). */
  private readonly detail: boolean;
  constructor(readonly filter: AuditFilter, readonly splitBy: SplitKey | undefined, procRoot = '/proc', readonly onNew?: (name: string, o: Observation) => void) {
    this.containers = new ContainerResolver(procRoot);
    this.detail = Object.values(filter).some((v) => v !== undefined) || splitBy !== undefined || onNew !== undefined;
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
    const res: LineResult = parseAuditLine(text, this.detail);
    if (res.kind !== 'parsed' || !res.obs || !this.detail) {
      if (res.kind === 'parsed' && res.obs) this.kept += res.obs.length;
      this.all.line(res, lineNo, text, source);
      return;
    }
    const kept = res.obs.filter((o) => {
      const why = rejectedBy(o, this.filter, this.containerOf);
      if (why !== undefined) this.removedBy[why] = (this.removedBy[why] ?? 0) + 1;
      return why === undefined;
    });
    this.kept += kept.length;
    this.filtered += res.obs.length - kept.length;
    this.all.line({ kind: 'parsed' }, lineNo, text, source);
    for (const o of kept) {
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
