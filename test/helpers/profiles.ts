import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/** A copy of the profile file minus one unconditionally allowed call (written next to it); its path. */
export function without(profile: string, name: string): string {
  const p = JSON.parse(readFileSync(profile, 'utf8'));
  const allow = p.syscalls.find((r: { action: string; args?: unknown }) => r.action === 'SCMP_ACT_ALLOW' && !r.args);
  expect(allow.names).toContain(name);
  allow.names = allow.names.filter((n: string) => n !== name);
  const out = profile.replace(/\.json$/, `-no-${name}.json`);
  writeFileSync(out, JSON.stringify(p));
  return out;
}
