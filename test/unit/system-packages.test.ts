/**
 * A fresh machine: every Debian package a test requires (requireTool(tool, pkg) in test/) is in the
 * list scripts/test-system.sh installs (the README's test command), and .ci/run installs the same
 * list. A tool installed by hand would make CI green here and red on a new machine.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs|js)$/.test(f) ? [p] : [];
  });
}

function testSystemPackages(): string[] {
  const m = /^PACKAGES=\(\n([\s\S]*?)^\)\n/m.exec(readFileSync(join(root, 'scripts/test-system.sh'), 'utf8'));
  expect(m, 'PACKAGES=( … ) in scripts/test-system.sh').not.toBeNull();
  return m![1]!.split('\n').flatMap((l) => l.split('#')[0]!.split(/\s+/)).filter(Boolean);
}

function ciPackages(): string[] {
  const m = /apt-get install -y -qq --no-install-recommends \\\n([\s\S]*?) >\/dev\/null/.exec(readFileSync(join(root, '.ci/run'), 'utf8'));
  expect(m, 'the apt-get install line of .ci/run').not.toBeNull();
  return m![1]!.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
}

const essential = (pkg: string) => spawnSync('dpkg-query', ['-W', '-f=${Essential}', pkg], { encoding: 'utf8' }).stdout.trim() === 'yes';

describe('system packages', () => {
  it('.ci/run installs exactly the list scripts/test-system.sh installs', () => {
    expect([...ciPackages()].sort()).toEqual([...testSystemPackages()].sort());
  });

  it('every requireTool(...) package of the tests is in the list (or is Essential on Debian)', () => {
    const list = new Set(testSystemPackages());
    const wanted = new Set<string>();
    for (const f of files(join(root, 'test'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/requireTool\(\s*['"]([\w.+-]+)['"](?:\s*,\s*['"]([\w.+-]+)['"])?/g)) wanted.add(m[2] ?? m[1]!);
    }
    expect(wanted.size).toBeGreaterThan(10);
    const missing = [...wanted].filter((p) => !list.has(p) && !essential(p)).sort();
    expect(missing).toEqual([]);
  });
});
