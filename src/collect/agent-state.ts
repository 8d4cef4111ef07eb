/**
 * The node agent's on-disk state (`audit --follow --split-by …`): where the
 * log was read up to, and per group (workload, pod or container) the distinct
 * syscalls seen and who they came from. Small (groups × distinct syscalls),
 * written atomically, so a restarted agent resumes at the position the saved
 * sets correspond to: it loses nothing and, the profile being a set, counts
 * nothing twice.
 */
import { promises as fsp } from 'node:fs';
import type { ArchId } from '../arch.js';
import type { MemberInfo } from '../attribution/group.js';
import { OptionError } from '../errors.js';
import type { FollowPosition } from '../sources/follow.js';
import { writeOutput } from '../write/output.js';
import { Collector } from './collector.js';

export const STATE_VERSION = 1;
/** Members kept per group (their container names label SPO partials); more are counted, not kept. */
export const MAX_MEMBERS = 64;

export interface AgentGroup {
  collector: Collector;
  records: number;
  /** One entry per container name (or id when no name is known). */
  members: Map<string, MemberInfo>;
}

export interface AgentState {
  log?: FollowPosition & { path: string };
  groups: Map<string, AgentGroup>;
}

interface StateFile {
  version: number;
  log?: FollowPosition & { path: string };
  groups: Record<string, { records: number; syscalls: Record<string, string[]>; members: MemberInfo[] }>;
}

export function emptyState(): AgentState {
  return { groups: new Map() };
}

/** Fold one group's observations of the last interval into the state. */
export function absorbGroup(s: AgentState, key: string, c: Collector, records: number, members: readonly MemberInfo[]): void {
  let g = s.groups.get(key);
  if (!g) s.groups.set(key, (g = { collector: new Collector(), records: 0, members: new Map() }));
  g.collector.absorb(c.result());
  g.records += records;
  for (const m of members) {
    const k = m.container ?? m.id;
    const had = g.members.get(k);
    if (had) had.records += m.records;
    else if (g.members.size < MAX_MEMBERS) g.members.set(k, { ...m });
  }
}

export function stateToText(s: AgentState): string {
  const f: StateFile = { version: STATE_VERSION, groups: {} };
  if (s.log) f.log = s.log;
  for (const [k, g] of [...s.groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const syscalls: Record<string, string[]> = {};
    for (const [arch, m] of g.collector.arches) syscalls[arch] = [...m.keys()].sort();
    f.groups[k] = { records: g.records, syscalls, members: [...g.members.values()] };
  }
  return `${JSON.stringify(f)}\n`;
}

export async function saveState(path: string, s: AgentState): Promise<void> {
  await writeOutput(path, stateToText(s));
}

/** The saved state, or an empty one when the file does not exist. A damaged file is an error (exit 2), not a silent restart. */
export async function loadState(path: string): Promise<AgentState> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new OptionError((n) => `${n('state')} ${path}: ${(e as Error).message}`, { cause: e });
  }
  let f: StateFile;
  try {
    f = JSON.parse(text) as StateFile;
  } catch (e) {
    throw new OptionError((n) => `${n('state')} ${path}: not a syscribe agent state (not JSON); move it away to start afresh`, { cause: e });
  }
  if (f?.version !== STATE_VERSION || typeof f.groups !== 'object' || f.groups === null) throw new OptionError((n) => `${n('state')} ${path}: not a syscribe agent state (version ${String(f?.version)}, want ${STATE_VERSION})`);
  const s = emptyState();
  if (f.log && typeof f.log.path === 'string' && [f.log.ino, f.log.dev, f.log.pos].every((n) => Number.isSafeInteger(n) && n >= 0)) s.log = f.log;
  for (const [k, g] of Object.entries(f.groups)) {
    const c = new Collector();
    for (const [arch, names] of Object.entries(g.syscalls ?? {})) for (const name of names) c.add({ arch: arch as ArchId, name });
    s.groups.set(k, { collector: c, records: Number(g.records) || 0, members: new Map((g.members ?? []).map((m) => [m.container ?? m.id, m])) });
  }
  return s;
}
