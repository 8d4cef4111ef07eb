import { which } from '../../src/util/which.js';

export { which };

/** Fail (never skip) when a system tool the test needs is missing. */
export function requireTool(tool: string, pkg = tool): string {
  const p = which(tool);
  if (!p) throw new Error(`required tool '${tool}' is not installed: apt-get install -y ${pkg} (.ci/run installs it)`);
  return p;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
