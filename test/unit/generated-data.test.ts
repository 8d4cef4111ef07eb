/**
 * The committed tables are what the generators make from the inputs kept in the repository
 * (src/data/upstream, with provenance): a clone can regenerate them, and a hand edit or a stale
 * table fails here (npm run gen:check runs the same check).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const gen = (script: string, ...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8' });

describe('generated data', () => {
  it('syscalls.generated.ts is what gen-tables makes from src/data/upstream', () => {
    const r = gen('gen-tables.mjs', '--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('baselines.generated.ts is what gen-baselines makes from src/data/upstream', () => {
    const r = gen('gen-baselines.mjs', '--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the check fails when an input changes (it compares, it does not just pass)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syscribe-gen-'));
    try {
      cpSync(join(root, 'src/data/upstream'), dir, { recursive: true });
      const csv = join(dir, 'libseccomp-syscalls.csv');
      writeFileSync(csv, readFileSync(csv, 'utf8').replace(/^accept,PNR,SCMP_KV_UNDEF,43,/m, "accept,PNR,SCMP_KV_UNDEF,9043,"));
      const t = gen('gen-tables.mjs', '--check', csv);
      expect(t.status).toBe(1);
      expect(t.stderr).toMatch(/syscalls\.generated\.ts is not what its generator makes/);
      const moby = join(dir, 'moby-default.json');
      writeFileSync(moby, readFileSync(moby, 'utf8').replace('"accept4",', '"accept4","acct",'));
      const b = gen('gen-baselines.mjs', '--check', dir);
      expect(b.status).toBe(1);
      expect(b.stderr).toMatch(/baselines\.generated\.ts is not what its generator makes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
