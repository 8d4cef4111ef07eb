/**
 * app/check.ts: the check use-case without the CLI — typed options in, a result
 * out, nothing printed (notes through onNote).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../src/app/check.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), `syscribe-app-check-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const MOBY = join(__dirname, '..', 'fixtures', 'profiles', 'moby-default.excerpt.json');

describe('runCheck', () => {
  it('a strace log: verdicts per baseline, blocked, nothing printed', async () => {
    const log = file('app.strace', '100 read(3, "", 4096) = 0\n100 mount("none", "/mnt", "tmpfs", 0, NULL) = 0\n100 exit_group(0) = ?\n');
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    try {
      const r = await runCheck({ inputs: [log], baselines: ['containerd', 'docker'], kernel: '6.1' });
      expect(r.seen).toBe(3);
      expect(r.results.map((x) => x.baseline)).toEqual(['containerd', 'docker']);
      expect(r.results.map((x) => x.findings.filter((f) => f.verdict === 'blocked').map((f) => f.name))).toEqual([['mount'], ['mount']]);
      expect([r.blocked, r.cannotTell]).toEqual([true, false]);
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('a moby-format profile: flattened for the target, the note handed to onNote', async () => {
    const notes: string[] = [];
    const r = await runCheck({
      inputs: [MOBY], baselines: ['containerd'], kernel: '6.1',
      load: { target: { arch: 'x86_64', caps: ['CAP_CHOWN'], kernel: '6.1' } },
      onNote: (n) => notes.push(n),
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/flattened a moby-format profile for x86_64, caps CAP_CHOWN, kernel 6\.1/);
    expect(r.seen).toBeGreaterThan(0);
  });

  it('an empty input: nothing seen, no results (the CLI makes that exit 1); an unknown capability is an error before any input is read', async () => {
    const r = await runCheck({ inputs: [file('empty.strace', '100 +++ exited with 0 +++\n')], baselines: ['containerd'] });
    expect([r.seen, r.results.length]).toEqual([0, 0]);
    await expect(runCheck({ inputs: [join(dir, 'missing')], baselines: ['docker'], caps: { add: ['CAP_BOGUS'] } })).rejects.toThrow(/^caps\.add CAP_BOGUS: not a Linux capability/);
    await expect(runCheck({ inputs: [join(dir, 'missing')], baselines: ['docker'] })).rejects.toThrow(UserError);
  });
});
