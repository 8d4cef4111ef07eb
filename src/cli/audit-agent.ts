/**
 * `audit FILE --follow --split-by container|pod|workload|exe|comm -o DIR`: the
 * node agent. Follows the log (rotation, truncation: src/sources/follow.ts),
 * and every --flush-interval folds what the last interval saw into the
 * per-group state (src/collect/agent-state.ts), rewrites the changed groups'
 * profiles in DIR, and saves the state with the log position those sets
 * correspond to. Memory: the groups' syscall sets plus one interval's
 * per-container sets; records are not kept. A restart resumes at the saved
 * position (--state, default DIR.state.json beside DIR).
 */
import { resolve as resolvePath } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { MemberInfo } from '../attribution/group.js';
import type { PodAttributionOptions } from '../attribution/options.js';
import { absorbGroup, loadState, saveState } from '../collect/agent-state.js';
import type { Collector } from '../collect/collector.js';
import type { AuditFilter } from '../ingest/audit-filter.js';
import { type FollowPosition, followFile } from '../sources/follow.js';
import { escapeControl } from '../util/escape.js';
import { AuditSink, writeSplitProfile } from '../app/audit.js';
import { type GeneratorArgs, type generatorOptionsFrom, profileOutputFrom } from './generator-options.js';

/** Pids not seen for this long are forgotten (the pid → container cache stays bounded). */
const PID_IDLE_MS = 60_000;

export interface AgentArgs extends GeneratorArgs {
  'flush-interval': number;
  'from-start'?: boolean;
  'proc-root': string;
  state?: string;
}

export async function followSplit(
  path: string, argv: AgentArgs, filter: AuditFilter, opts: ReturnType<typeof generatorOptionsFrom>, split: string, pods: PodAttributionOptions | undefined,
): Promise<void> {
  const dir = resolvePath(argv.output!);
  await mkdir(dir, { recursive: true });
  // Beside the output directory, not in it: the directory holds only profiles (kubectl apply -f DIR, merge --by workload DIR).
  const statePath = argv.state ?? `${dir}.state.json`;
  const state = await loadState(statePath);
  const resume = state.log && state.log.path === resolvePath(path) ? state.log : undefined;
  const sink = new AuditSink(filter, pods ? 'container' : (split as never), argv['proc-root']);
  const att = pods ? await import('../attribution/index.js') : undefined;
  let position: FollowPosition | undefined = resume;
  const dirty = new Set<string>(state.groups.keys());
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      // Take this interval's observations and the position they end at in one synchronous step;
      // lines read while the CRI is asked go to the next interval.
      const byKey = new Map(sink.byKey);
      const perKey = new Map(sink.perKey);
      sink.byKey.clear();
      sink.perKey.clear();
      const at = position;
      const folded: Array<[string, Collector, number, MemberInfo[]]> = [];
      if (att && pods && byKey.size) {
        const g = await att.attributeAudit(byKey, perKey, sink.all.result(), pods);
        if (g.notice) process.stderr.write(`syscribe: ${escapeControl(g.notice)}: attributing to container ids only\n`);
        for (const x of g.groups) folded.push([x.key, x.collector, x.records, x.containers]);
      } else for (const [k, c] of byKey) folded.push([k, c, perKey.get(k)?.records ?? 0, []]);
      for (const [k, c, n, members] of folded) {
        const before = state.groups.get(k)?.collector.result().arches;
        const had = before ? [...before.values()].reduce((s, m) => s + m.size, 0) : 0;
        absorbGroup(state, k, c, n, members);
        const g = state.groups.get(k)!;
        const now = [...g.collector.arches.values()].reduce((s, m) => s + m.size, 0);
        if (now !== had || !before) dirty.add(k);
      }
      for (const k of [...dirty].sort()) {
        const g = state.groups.get(k)!;
        if (![...g.collector.arches.values()].some((m) => m.size)) continue;
        const file = await writeSplitProfile(dir, k, g.collector, [...g.members.values()], profileOutputFrom(argv), opts, split);
        process.stderr.write(`wrote ${escapeControl(file)}\n`);
      }
      dirty.clear();
      sink.prunePids(PID_IDLE_MS);
      if (at) state.log = { path: resolvePath(path), ...at };
      await saveState(statePath, state);
    });
    return writing;
  };

  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = setInterval(() => {
    flush().catch((e) => process.stderr.write(`syscribe: ${(e as Error).message}\n`));
  }, argv['flush-interval'] * 1000);
  process.stderr.write(`following ${path}${resume ? ` from byte ${resume.pos} (state ${statePath})` : argv['from-start'] ? ' from its start' : ''}; one profile per ${split} in ${dir} (Ctrl-C to stop)\n`);
  try {
    await followFile(path, (l, n) => sink.line(l, n, path), {
      fromStart: !!argv['from-start'],
      signal: ac.signal,
      onNotice: (m) => process.stderr.write(`${escapeControl(m)}\n`),
      onCheckpoint: (p) => {
        position = p;
      },
      ...(resume ? { resume } : {}),
    });
  } finally {
    clearInterval(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  await flush();
  const t = sink.all.result();
  process.stderr.write(`stopped: ${state.groups.size} group(s) in ${dir}; this run: ${t.lines.parsed} parsed, ${t.lines.ignored} ignored, ${t.lines.malformed} malformed lines${t.lost ? `; the log says ${t.lost} records were lost` : ''}\n`);
}
