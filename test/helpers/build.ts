/**
 * vitest globalSetup: compile src/ to dist/ before any test runs, so a test that spawns
 * bin/syscribe.js (spawnCli, test/helpers/cli.ts) runs the code under test, never a stale build.
 * - Skipped when the content of src/ (and tsconfig.json) and of dist/ is byte for byte what it was
 *   after the last build made here (a SHA-256 over every file, kept in node_modules/.cache): tens
 *   of milliseconds. Content, not mtimes: a touched file changes nothing, an edit anywhere rebuilds.
 * - Only the sources changed: incremental tsc (its build info also in node_modules/.cache), about
 *   3 s. dist/ changed by anything else, or no stamp: a full build (about 9 s).
 *   A type error fails the whole run. Every src/**.ts must have its dist/**.js afterwards.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** SHA-256 over the paths and contents of every file under `dirs` (and the files in `files`). */
function digest(dirs: string[], files: string[]): string {
  const h = createHash('sha256');
  const add = (p: string): void => {
    h.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
  };
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) add(p);
    }
  };
  for (const d of dirs) walk(join(ROOT, d));
  for (const f of files) if (existsSync(join(ROOT, f))) add(join(ROOT, f));
  return h.digest('hex');
}

const STAMP = join(ROOT, 'node_modules/.cache/syscribe-test-build.json');
const sources = (): string => digest(['src'], ['tsconfig.json', 'package.json']);
const outputs = (): string => digest(['dist'], []);

export default function setup(): void {
  // Each vitest project runs its globalSetup (both inherit it), in one process: build once.
  const g = globalThis as { [DONE]?: boolean };
  if (g[DONE]) return;
  g[DONE] = true;
  const src = sources();
  let last: { src?: string; dist?: string } = {};
  try {
    last = JSON.parse(readFileSync(STAMP, 'utf8')) as typeof last;
  } catch { /* no stamp yet */ }
  const distSame = last.dist === outputs();
  if (last.src === src && distSame) return;
  // dist/ as this setup left it: only the sources changed, an incremental build does. Anything else
  // (no stamp, dist/ written by someone else) gets a full build: incremental tsc trusts its build
  // info and would not rewrite an output changed behind its back.
  if (distSame) tsc(['--incremental', '--tsBuildInfoFile', join(ROOT, 'node_modules/.cache/syscribe-test.tsbuildinfo')]);
  else tsc([]);
  if (missing().length > 0) tsc([]);
  const still = missing();
  if (still.length > 0) throw new Error(`dist/ incomplete after tsc: ${still.slice(0, 3).join(', ')}`);
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  writeFileSync(STAMP, `${JSON.stringify({ src, dist: outputs() })}\n`);
}
