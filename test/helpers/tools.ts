import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Path of a tool on PATH (plus the sbin dirs), or undefined. */
export function which(tool: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Fail (never skip) when a system tool the test needs is missing. */
export function requireTool(tool: string, pkg = tool): string {
  const p = which(tool);
  if (!p) throw new Error(`required tool '${tool}' is not installed: apt-get install -y ${pkg} (.ci/run installs it)`);
  return p;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
