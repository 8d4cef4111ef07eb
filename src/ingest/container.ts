/**
 * pid → container id, from /proc/<pid>/cgroup (cgroup v1 and v2 spellings of
 * containerd/CRI, CRI-O and Docker). Cached per pid + process start time
 * (field 22 of /proc/<pid>/stat) so a recycled pid is not misattributed.
 * A process that has exited has no attribution (undefined).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const HEX64 = /(?:^|[/\-:])(?:cri-containerd-|crio-|docker-|libpod-)?([0-9a-f]{64})(?:\.scope)?(?:$|\/)/;

/** The container id named by a cgroup file's content (the innermost match), or undefined. */
export function containerIdFromCgroup(text: string): string | undefined {
  let found: string | undefined;
  for (const line of text.split('\n')) {
    // "hierarchy-ID:controllers:path"
    const c2 = line.indexOf(':', line.indexOf(':') + 1);
    if (c2 < 0) continue;
    const path = line.slice(c2 + 1);
    for (const seg of path.split('/').reverse()) {
      const m = HEX64.exec(seg);
      if (m) {
        found ??= m[1];
        break;
      }
    }
    if (found) return found;
  }
  return found;
}

/** Start time (clock ticks since boot) from /proc/<pid>/stat, field 22. */
export function startTimeFromStat(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after ")" start at field 3.
  const rest = stat.slice(close + 2).split(' ');
  return rest[22 - 3];
}

export class ContainerResolver {
  private readonly cache = new Map<string, string | null>();
  constructor(readonly procRoot = '/proc') {}

  /** Container id of a running pid, or undefined (not in a container, or gone). */
  idOf(pid: number | undefined): string | undefined {
    if (pid === undefined) return undefined;
    let start: string | undefined;
    try {
      start = startTimeFromStat(readFileSync(join(this.procRoot, String(pid), 'stat'), 'utf8'));
    } catch {
      start = undefined;
    }
    const key = `${pid}:${start ?? '?'}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    let id: string | undefined;
    try {
      id = containerIdFromCgroup(readFileSync(join(this.procRoot, String(pid), 'cgroup'), 'utf8'));
    } catch {
      id = undefined;
    }
    if (start !== undefined) this.cache.set(key, id ?? null);
    return id;
  }
}
