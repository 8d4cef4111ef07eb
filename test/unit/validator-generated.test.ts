// The profile validator is compiled at build time (ajv standalone code, scripts/gen-validator.mjs):
// the committed module must be exactly what the generator makes from the schema today.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECCOMP_SCHEMA } from '../../src/profile/schema.js';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { validatorSource } from '../../scripts/validator-code.mjs';
import { validateProfile } from '../../src/profile/validate.js';

describe('generated validator', () => {
  it('is up to date with src/profile/schema.ts (else: npm run gen)', () => {
    const committed = readFileSync(new URL('../../src/profile/validate.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe((validatorSource as (s: unknown) => string)(SECCOMP_SCHEMA));
  });

  it('checks what the schema says (closed objects, enums, uniqueItems, minLength)', () => {
    expect(validateProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }).ok).toBe(true);
    const bad = (p: unknown) => {
      const r = validateProfile(p);
      return r.ok ? [] : r.errors;
    };
    expect(bad({ defaultAction: 'SCMP_ACT_ERRNO', archMap: [] }).join()).toMatch(/unknown key 'archMap'/);
    expect(bad({ defaultAction: 'SCMP_ACT_NOPE' }).join()).toMatch(/must be one of/);
    expect(bad({ defaultAction: 'SCMP_ACT_ERRNO', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_LOG'] }).length).toBeGreaterThan(0);
    expect(bad({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [''], action: 'SCMP_ACT_ALLOW' }] }).length).toBeGreaterThan(0);
  });
});
