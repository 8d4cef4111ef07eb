// Reading the audit log from a mark when auditd rotated it more than once in between (a busy host:
// 8 MiB files, rotated every ~30 s while other tests log). Real files, renamed as auditd's ROTATE does.
import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { namesOf, recordsSince } from '../../src/runtime/denials.js';

const line = (serial: number, pid: number, nr: number) =>
  `type=SECCOMP msg=audit(1795419507.593:${serial}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=${pid} comm="t" exe="/t" sig=0 arch=c000003e syscall=${nr} compat=0 ip=0x7f7f85d5f011 code=0x7ffc0000\n`;

const dir = mkdtempSync(join(tmpdir(), 'syscribe-rotation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** auditd's ROTATE: PATH.(n) → PATH.(n+1) …, PATH → PATH.1, a new empty PATH. */
function rotate(path: string, keep: number): void {
  for (let i = keep - 1; i >= 1; i--) {
    try { renameSync(`${path}.${i}`, `${path}.${i + 1}`); } catch { /* not there yet */ }
  }
  renameSync(path, `${path}.1`);
  writeFileSync(path, '');
}

describe('records since a mark across rotations', () => {
  it.each([[0], [1], [2], [3]])('%i rotation(s) after the mark: every record after the mark, none before', async (rotations) => {
    const path = join(dir, `audit-${rotations}.log`);
    writeFileSync(path, line(1, 10, 0)); // before the mark: read (0)
    const st = statSync(path);
    const mark = { source: 'audit' as const, path, offset: st.size, ino: st.ino };
    const nrs = [1, 2, 3, 9]; // write, open, close, mmap: one per file
    appendFileSync(path, line(2, 11, nrs[0]!));
    for (let r = 0; r < rotations; r++) {
      rotate(path, 5);
      appendFileSync(path, line(3 + r, 11, nrs[r + 1]!));
    }
    const got = await recordsSince(mark, (o) => o.pid === 11, { quietMs: 50, maxMs: 500 });
    expect(namesOf(got.records)).toEqual(['write', 'open', 'close', 'mmap'].slice(0, rotations + 1).sort());
  });
});
