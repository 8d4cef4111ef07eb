/**
 * Read the seccomp records a container produced: from audit.log when auditd
 * runs, else from the kernel log (dmesg). A mark taken before the run says
 * where to start reading, so only new records are looked at.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { execa } from 'execa';
import { Collector } from '../collect/collector.js';
import { parseAuditLine } from '../ingest/audit.js';
import type { Observation } from '../types.js';

export const AUDIT_LOG = '/var/log/audit/audit.log';

export type Mark = { source: 'audit'; offset: number } | { source: 'dmesg'; lines: number };

async function auditdRunning(): Promise<boolean> {
  try {
    const pid = (await fsp.readFile('/var/run/auditd.pid', 'utf8')).trim();
    return existsSync(`/proc/${pid}`);
  } catch {
    const r = await execa('pgrep', ['-x', 'auditd'], { reject: false });
    return r.exitCode === 0;
  }
}

export async function markLog(): Promise<Mark> {
  if ((await auditdRunning()) && existsSync(AUDIT_LOG)) return { source: 'audit', offset: (await fsp.stat(AUDIT_LOG)).size };
  const r = await execa('dmesg', [], { reject: false });
  return { source: 'dmesg', lines: String(r.stdout ?? '').split('\n').length };
}

/** The seccomp records since the mark that satisfy `keep`. Waits briefly for auditd to flush. */
export async function recordsSince(mark: Mark, keep: (o: Observation) => boolean): Promise<Observation[]> {
  await new Promise((r) => setTimeout(r, 300));
  let lines: string[];
  if (mark.source === 'audit') {
    const fh = await fsp.open(AUDIT_LOG, 'r');
    try {
      const size = (await fh.stat()).size;
      const start = size >= mark.offset ? mark.offset : 0; // rotated: read the new file from the start
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      lines = buf.toString('utf8').split('\n');
    } finally {
      await fh.close();
    }
  } else {
    const r = await execa('dmesg', [], { reject: false });
    lines = String(r.stdout ?? '').split('\n').slice(Math.max(0, mark.lines - 1));
  }
  const out: Observation[] = [];
  for (const l of lines) {
    const res = parseAuditLine(l);
    for (const o of res.obs ?? []) if (keep(o)) out.push(o);
  }
  return out;
}

/** Resolve records to canonical names (unknown numbers kept as "arch:number"). */
export function namesOf(obs: Observation[]): string[] {
  const c = new Collector();
  const names = new Set<string>();
  for (const o of obs) {
    const n = c.add(o);
    names.add(n ?? `${o.arch}:${o.nr ?? o.name}`);
  }
  return [...names].sort();
}
