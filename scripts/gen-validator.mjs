#!/usr/bin/env node
// Generates src/profile/validate.generated.ts: the profile validator compiled at build time
// (ajv standalone code) from SECCOMP_SCHEMA. Reads the schema from dist/ (run tsc first:
// `npm run gen` and `npm run gen:check` do).
// --check: generate in memory and fail (exit 1) when the committed file differs.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit } from './gen-output.mjs';
import { validatorSource } from './validator-code.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const { SECCOMP_SCHEMA } = await import(pathToFileURL(join(root, 'dist', 'profile', 'schema.js')).href);
const text = validatorSource(SECCOMP_SCHEMA);
emit(join(root, 'src', 'profile', 'validate.generated.ts'), text, { check, root, summary: `${text.length} bytes of validator code` });
