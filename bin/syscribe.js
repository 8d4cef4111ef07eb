#!/usr/bin/env node
// Entry point. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('syscribe: dist/ is missing; run `npm install` (or `npm run build`) in the syscribe checkout first.\n');
  process.exit(2);
}
// `record --backend bpftrace`: bpftrace starts now and compiles its script while the CLI loads (dist/cli/prestart.js).
const early = process.argv[2] === 'record' ? await import('../dist/cli/prestart.js') : undefined;
await early?.prestart(process.argv.slice(2));
const { main } = await import(entry.href);
process.exitCode = await main();
early?.discardPrestarted();
