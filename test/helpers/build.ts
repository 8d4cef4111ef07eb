/**
 * vitest globalSetup: compile src/ to dist/ before any test runs, so a test that spawns
 * bin/syscribe.js (spawnCli, test/helpers/cli.ts) runs the code under test, never a stale build.
 * Incremental (the build info sits in node_modules/.cache): about 3 s when nothing changed.
 * A type error fails the whole run. tsc's incremental mode does not notice an output deleted by
 * hand, so every src/**.ts must have its dist/**.js afterwards; if one is missing, a full build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

function tsc(args: string[]): void {
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    throw new Error(`tsc failed: dist/ not built\n${x.stdout ?? ''}${x.stderr ?? ''}`);
  }
}

function missing(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = join(ROOT, 'dist', relative(join(ROOT, 'src'), p)).replace(/\.ts$/, '.js');
        if (!existsSync(js)) out.push(js);
      }
    }
  };
  walk(join(ROOT, 'src'));
  return out;
}

const DONE = Symbol.for('syscribe.test.built');

export default function setup(): void {
  // Each vitest project runs its globalSetup (both inherit it), in one process: build once.
  const g = globalThis as { [DONE]?: boolean };
  if (g[DONE]) return;
  g[DONE] = true;
  tsc(['--incremental', '--tsBuildInfoFile', join(ROOT, 'node_modules/.cache/syscribe-test.tsbuildinfo')]);
  if (missing().length > 0) tsc([]);
  const still = missing();
  if (still.length > 0) throw new Error(`dist/ incomplete after tsc: ${still.slice(0, 3).join(', ')}`);
}
