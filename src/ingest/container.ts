/**
 * pid → container id, from /proc/<pid>/cgroup (cgroup v1 and v2 spellings of
 * containerd/CRI, CRI-O, Docker and Podman). Cached per pid + process start
 * time (field 22 of /proc/<pid>/stat) so a recycled pid is not misattributed.
 * A process that has exited has no attribution (undefined).
 *
 * Cost: a record costs no file read while its pid was checked less than
 * `recheckMs` ago; then stat is read again (a changed start time means a new
 * process: its cgroup is read afresh). Given the record's own time, a process
 * that started after the record (the pid was reused since) is not
 * attributed either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CgroupAttribution, attributeCgroupFile } from '../attribution/cgroup.js';

/**
 * The container id (or, for runc/crun/LXC named containers, the name) named
 * by a cgroup file's content, or undefined. Layouts: src/attribution/cgroup.ts.
 */
export function containerIdFromCgroup(text: string): string | undefined {
  return attributeCgroupFile(text)?.containerId;
}

/** Start time (clock ticks since boot) from /proc/<pid>/stat, field 22. */
export function startTimeFromStat(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after ")" start at field 3.
  const rest = stat.slice(close + 2).split(' ');
  return rest[22 - 3];
}

/** Boot time (epoch seconds) from /proc/stat's `btime` line, or undefined. */
export function bootTimeFromProcStat(text: string): number | undefined {
  const m = /^btime (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

interface Entry {
  start: string | undefined;
  at: CgroupAttribution | undefined;
  checkedAt: number;
}

export interface ContainerResolverOptions {
  /** Re-read /proc/<pid>/stat after this many ms (default 1000). */
  recheckMs?: number;
  /** USER_HZ, the unit of the start time (100 on every arch syscribe supports). */
  clockTicks?: number;
  /** Clock for tests (ms). */
  now?: () => number;
}

export class ContainerResolver {
  private readonly cache = new Map<number, Entry>();
  private bootTime: number | undefined | null = null;
  private readonly recheckMs: number;
  private readonly clockTicks: number;
  private readonly now: () => number;

  constructor(readonly procRoot = '/proc', opts: ContainerResolverOptions = {}) {
    this.recheckMs = opts.recheckMs ?? 1000;
    this.clockTicks = opts.clockTicks ?? 100;
    this.now = opts.now ?? Date.now;
  }

  private read(...parts: string[]): string | undefined {
    try {
      return readFileSync(join(this.procRoot, ...parts), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** When the process now holding `pid` started (epoch seconds), if /proc/stat says when the machine booted. */
  private startedAt(start: string | undefined): number | undefined {
    if (start === undefined) return undefined;
    if (this.bootTime === null) {
      const st = this.read('stat');
      this.bootTime = st === undefined ? undefined : bootTimeFromProcStat(st);
    }
    return this.bootTime === undefined ? undefined : this.bootTime + Number(start) / this.clockTicks;
  }

  /** Forget pids not looked up for `idleMs` (a long-running follower: the cache stays as big as the pids recently seen). */
  prune(idleMs: number): void {
    const t = this.now();
    for (const [pid, e] of this.cache) if (t - e.checkedAt >= idleMs) this.cache.delete(pid);
  }

  /** Pids cached (for tests). */
  get size(): number {
    return this.cache.size;
  }

  /**
   * Container id of a running pid, or undefined (not in a container, gone, or
   * — when `time`, the record's epoch seconds, is given — started after the record).
   */
  idOf(pid: number | undefined, time?: number): string | undefined {
    return this.attributionOf(pid, time)?.containerId;
  }

  /** Container id, and the pod UID / QoS class when the kubelet placed it (same rules as idOf). */
  attributionOf(pid: number | undefined, time?: number): CgroupAttribution | undefined {
    if (pid === undefined) return undefined;
    const t = this.now();
    let e = this.cache.get(pid);
    if (!e || t - e.checkedAt >= this.recheckMs) {
      const stat = this.read(String(pid), 'stat');
      const start = stat === undefined ? undefined : startTimeFromStat(stat);
      if (start === undefined) {
        // Gone (or unreadable): nothing to attribute, and nothing worth keeping.
        this.cache.delete(pid);
        return undefined;
      }
      if (!e || e.start !== start) {
        const cg = this.read(String(pid), 'cgroup');
        e = { start, at: cg === undefined ? undefined : attributeCgroupFile(cg), checkedAt: t };
        this.cache.set(pid, e);
      } else e.checkedAt = t;
    }
    if (time !== undefined && e.at !== undefined) {
      const began = this.startedAt(e.start);
      // 1 s of slack: btime has whole seconds, the start time 1/USER_HZ.
      if (began !== undefined && time < began - 1) return undefined;
    }
    return e.at;
  }
}
