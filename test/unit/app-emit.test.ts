/**
 * app/emit.ts: generate → validate → render → write without the CLI — typed
 * options in, the profile, report and bytes out; -o written; nothing printed;
 * a note (what a SeccompProfile cannot say) told through onNote.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { observedCount, runEmit } from '../../src/app/emit.js';
import { Collector } from '../../src/collect/collector.js';

const dir = mkdtempSync(join(tmpdir(), `syscribe-app-emit-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function observed() {
  const c = new Collector();
  c.add({ arch: 'x86_64', name: 'read' });
  c.add({ arch: 'x86_64', name: 'write' });
  return c.result();
}

describe('runEmit', () => {
  it('writes -o, returns profile, report and the bytes; prints nothing', async () => {
    const out = join(dir, 'p.json');
    const so = vi.spyOn(process.stdout, 'write');
    const se = vi.spyOn(process.stderr, 'write');
    try {
      const o = observed();
      expect(observedCount(o)).toBe(2);
      const r = await runEmit(o, { baseline: 'none', runtime: 'none', runtimeSyscalls: [] }, { output: out, format: 'oci', crdVersion: 'v1beta1' });
      expect(r.written).toBe(true);
      expect(readFileSync(out, 'utf8')).toBe(r.text);
      expect(r.profile.syscalls?.flatMap((s) => s.names)).toEqual(['read', 'write']);
      expect(r.report.baseline).toBe('none');
      expect(so).not.toHaveBeenCalled();
      expect(se).not.toHaveBeenCalled();
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
  });

  it('no file (undefined or -): nothing written, the bytes returned; a CRD dropping defaultErrnoRet is a note', async () => {
    const notes: string[] = [];
    const r = await runEmit(observed(), { baseline: 'none', runtime: 'none', runtimeSyscalls: [], errnoRet: 38 }, { output: '-', format: 'crd', name: 'app', crdVersion: 'v1beta1', onNote: (n) => notes.push(n) });
    expect(r.written).toBe(false);
    expect(r.text).toMatch(/^kind: SeccompProfile$/m);
    expect(notes).toEqual(['a SeccompProfile has no defaultErrnoRet; the operator answers unlisted calls with EPERM, not errno 38']);
  });
});
