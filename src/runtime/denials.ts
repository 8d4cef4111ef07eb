/**
 * Read the seccomp records a container produced: from the audit log when
 * auditd runs, else from the kernel log (dmesg). A mark taken before the run
 * says where to start reading, so only new records are looked at; the log is
 * streamed from there, never read whole.
 *
 * The audit log is shared by everything on the host: callers filter records
 * by the pids and comms they control. Without auditd the kernel prints audit
 * records rate-limited (printk), so records can be lost; the loss signals
 * ("callbacks suppressed", audit_lost=) are counted and handed back.
 */
import { createReadStream, existsSync, promises as fsp } from 'node:fs';
import { loadExeca } from '../util/exec.js';
import { Collector } from '../collect/collector.js';
import { addLoss, lostRecords, noLoss } from '../collect/loss.js';
import { parseAuditLine } from '../ingest/audit/index.js';
import { eachLine } from '../sources/lines.js';
import type { Observation } from '../types.js';

export const AUDIT_LOG = '/var/log/audit/audit.log';

export type Mark =
  | { source: 'audit'; path: string; offset: number; ino: number }
  | { source: 'dmesg'; lines: number };

export async function auditdRunning(): Promise<boolean> {
  try {
    const pid = (await fsp.readFile('/var/run/auditd.pid', 'utf8')).trim();
    if (pid && existsSync(`/proc/${pid}`)) return true;
  } catch {
    /* no pid file: ask pgrep */
  }
  const r = await (await loadExeca())('pgrep', ['-x', 'auditd'], { reject: false });
  return r.exitCode === 0;
}

/** Where the log ends now. */
export async function markLog(path = AUDIT_LOG): Promise<Mark> {
  if ((await auditdRunning()) && existsSync(path)) {
    const st = await fsp.stat(path);
    return { source: 'audit', path, offset: st.size, ino: st.ino };
  }
  const r = await (await loadExeca())('dmesg', [], { reject: false, encoding: 'utf8' });
  return { source: 'dmesg', lines: String(r.stdout ?? '').split('\n').length };
}

export interface LogRecords {
  /** Records that satisfied `keep`, in log order. */
  records: Observation[];
  /** Loss signals seen since the mark (records the kernel or auditd dropped). */
  lost: number;
  source: Mark['source'];
  /** The sentinel (see writeSentinel) was read: every record made before it is in. */
  sentinelSeen?: boolean;
}

/**
 * Put a marker record into the audit stream now (`auditctl -m`, a USER record) and return its text.
 * The kernel queues it behind every record already made, and auditd writes in queue order, so once it is
 * in the log, so are all records made before this call: no guessing how long auditd takes under load.
 * Undefined when it cannot be written (no auditd, no auditctl): callers then wait by time.
 */
export async function writeSentinel(mark: Mark): Promise<string | undefined> {
  if (mark.source !== 'audit') return undefined;
  const text = `syscribe-sentinel-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2, 10)}`;
  const r = await (await loadExeca())('auditctl', ['-m', text], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0 ? text : undefined;
}

async function readSince(mark: Mark, keep: (o: Observation) => boolean, sentinel?: string): Promise<LogRecords> {
  const out: LogRecords = { records: [], lost: 0, source: mark.source };
  const loss = noLoss();
  const take = (line: string) => {
    if (sentinel !== undefined && line.includes(sentinel)) out.sentinelSeen = true;
    const res = parseAuditLine(line);
    addLoss(loss, res);
    for (const o of res.obs ?? []) if (keep(o)) out.records.push(o);
  };
  if (mark.source === 'audit') {
    const st = await fsp.stat(mark.path).catch(() => undefined);
    if (!st) return out;
    let start = mark.offset;
    if (st.ino !== mark.ino) {
      // auditd rotated the log since the mark (max_log_file_action = ROTATE): the marked file is now PATH.N —
      // N = 1 after one rotation, more on a busy host. Read its rest, then the newer PATH.N-1 … PATH.1 whole.
      const olds: Array<{ path: string; ino: number }> = [];
      for (let i = 1; i <= 99; i++) {
        const ost = await fsp.stat(`${mark.path}.${i}`).catch(() => undefined);
        if (!ost) break;
        olds.push({ path: `${mark.path}.${i}`, ino: ost.ino });
        if (ost.ino === mark.ino) break;
      }
      const at = olds.findIndex((o) => o.ino === mark.ino);
      if (at >= 0) {
        await eachLine(createReadStream(olds[at]!.path, { start: mark.offset }), take);
        for (let i = at - 1; i >= 0; i--) await eachLine(createReadStream(olds[i]!.path), take);
      }
      start = 0;
    } else if (st.size < mark.offset) {
      start = 0; // truncated
    }
    if (st.size > start) await eachLine(createReadStream(mark.path, { start }), take);
  } else {
    const r = await (await loadExeca())('dmesg', [], { reject: false, encoding: 'utf8', buffer: true });
    String(r.stdout ?? '').split('\n').slice(Math.max(0, mark.lines - 1)).forEach(take);
  }
  out.lost = lostRecords(loss);
  return out;
}

export interface WaitOptions {
  /** Stop waiting as soon as this holds for the records read. */
  done?: (records: Observation[]) => boolean;
  /** Without `done`: stop when no new record came for this long (ms). Default 400. */
  quietMs?: number;
  /** Give up after this long (ms). Default 3000. */
  maxMs?: number;
  /** Text of a sentinel record (writeSentinel): done as soon as it is read (`done` and `quietMs` are then not used). */
  sentinel?: string;
}

/**
 * The seccomp records since the mark that satisfy `keep`. auditd writes
 * asynchronously (flush = INCREMENTAL_ASYNC), so this polls: until `done`
 * holds, or until nothing new arrived for `quietMs`, at most `maxMs`.
 */
export async function recordsSince(mark: Mark, keep: (o: Observation) => boolean, wait: WaitOptions = {}): Promise<LogRecords> {
  const quiet = wait.quietMs ?? 400;
  const max = wait.maxMs ?? 3000;
  const t0 = Date.now();
  const sentinel = wait.sentinel;
  let last = await readSince(mark, keep, sentinel);
  let stableSince = Date.now();
  for (;;) {
    if (sentinel !== undefined) {
      if (last.sentinelSeen) return last;
      if (Date.now() - t0 >= max) return last;
      await new Promise((r) => setTimeout(r, 100));
      last = await readSince(mark, keep, sentinel);
      continue;
    }
    if (wait.done?.(last.records)) return last;
    if (!wait.done && Date.now() - stableSince >= quiet) return last;
    if (Date.now() - t0 >= max) return last;
    await new Promise((r) => setTimeout(r, 100));
    const next = await readSince(mark, keep, sentinel);
    if (next.records.length !== last.records.length) stableSince = Date.now();
    last = next;
  }
}

/** Resolve records to canonical names, sorted; unknown numbers are kept as "arch:number", never dropped. */
export function namesOf(obs: Observation[]): string[] {
  const c = new Collector();
  const names = new Set<string>();
  for (const o of obs) {
    const n = c.add(o);
    names.add(n ?? `${o.arch}:${o.nr ?? o.name}`);
  }
  return [...names].sort();
}

/** Host pids of processes started after `lo` and by `hi` (inclusive), allowing for pid wrap-around. */
export function pidWindow(lo: number, hi: number | undefined): (pid: number | undefined) => boolean {
  if (hi === undefined) return (p) => p !== undefined && p >= lo;
  return lo <= hi ? (p) => p !== undefined && p >= lo && p <= hi : (p) => p !== undefined && (p >= lo || p <= hi);
}
