// Write a generated file, or with --check compare it with the committed one (exit 1 on a difference).
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { relative } from 'node:path';

export function emit(out, text, { check, root, summary }) {
  const name = relative(root, out);
  if (check) {
    let old = '';
    try { old = readFileSync(out, 'utf8'); } catch { /* missing: a difference */ }
    if (old !== text) {
      const a = old.split('\n');
      const b = text.split('\n');
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      console.error(`${name} is not what its generator makes from its inputs (first difference at line ${i + 1}): run npm run gen and commit the result`);
      process.exit(1);
    }
    console.log(`${name}: up to date (${summary})`);
    return;
  }
  writeFileSync(`${out}.tmp`, text);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${name}: ${summary}`);
}
