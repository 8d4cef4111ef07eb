/**
 * app/merge.ts: the merge use-case without the CLI — typed options in, the
 * profile, its bytes and the warnings out; -o written; nothing printed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runMerge } from '../../src/app/merge.js';
import { OptionError } from '../../src/errors.js';
import { profileToJson } from '../../src/profile/serialize.js';

const dir = mkdtempSync(join(tmpdir(), `syscribe-app-merge-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, p: object) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(p));
  return f;
};

describe('runMerge', () => {
  it('two profiles → the union, written to -o, nothing printed; the warnings returned', async () => {
    const a = file('a.json', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] });
    const b = file('b.json', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ALLOW' }] });
    const out = join(dir, 'out.json');
    const so = vi.spyOn(process.stdout, 'write');
    const se = vi.spyOn(process.stderr, 'write');
    try {
      const r = await runMerge({ inputs: [a, b], output: out, format: 'oci' });
      const want = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
      expect(r.profile).toEqual(want);
      expect(r.text).toBe(profileToJson(want));
      expect(readFileSync(out, 'utf8')).toBe(r.text);
      expect([r.written, r.inputs, r.observations]).toEqual([true, 2, 0]);
      expect(r.warnings.map((w) => w.kind)).toEqual(['errno']);
      expect(so).not.toHaveBeenCalled();
      expect(se).not.toHaveBeenCalled();
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
  });

  it('format crd needs a name: an OptionError in the use-case\'s words', async () => {
    const a = file('c.json', { defaultAction: 'SCMP_ACT_ERRNO' });
    const e = await runMerge({ inputs: [a], format: 'crd' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OptionError);
    expect((e as OptionError).message).toBe('format crd needs name (the SeccompProfile metadata.name)');
  });
});
