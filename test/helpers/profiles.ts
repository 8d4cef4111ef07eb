import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';
import { type LoadOptions, parseProfileText } from '../../src/profile/load.js';

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

/** The one-line message of a profile text the loader must refuse as bad input (a UserError, exit 2). */
export function refusal(text: string, name = 'bad.json', opts: LoadOptions = {}): string {
  try {
    parseProfileText(text, name, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(2);
    return (e as UserError).message;
  }
  throw new Error('expected a UserError');
}
