#!/usr/bin/env node
// Builds the benchmark inputs from the real fixtures, as bench/mix.json seeds them:
//   node bench/gen-mix.mjs strace|audit|auditd [--bytes N | --lines N] [-o FILE]
// prints the path written (default bench/out/mix-<name>.log; reused when it exists with the same recipe).
// The inputs are generated, never committed: the fixtures and this recipe are.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { once } from 'node:events';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mix = JSON.parse(readFileSync(join(root, 'bench', 'mix.json'), 'utf8'));

/** Deterministic PRNG (mulberry32) for the shuffle. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fixture files of a recipe, sorted, with their content (gzip decompressed). */
export function recipeFiles(name) {
  const r = mix[name];
  if (!r) throw new Error(`no recipe '${name}' in bench/mix.json`);
  const dir = join(root, r.dir);
  const files = readdirSync(dir, { recursive: true })
    .map((f) => String(f))
    .filter((f) => statSync(join(dir, f)).isFile())
    .filter((f) => (r.include ? r.include.includes(f) : !(r.exclude ?? []).some((x) => (x.endsWith('/') ? f.startsWith(x) : f === x))))
    .sort();
  return files.map((f) => {
    let data = readFileSync(join(dir, f));
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
    if (data.length && data[data.length - 1] !== 10) data = Buffer.concat([data, Buffer.from('\n')]);
    return { name: relative(root, join(dir, f)), data };
  });
}

/** Write the input of recipe `name` (size from the recipe unless given) to `out`; returns { path, bytes, lines, files }. */
export async function generate(name, { bytes, lines, out } = {}) {
  const r = mix[name];
  const files = recipeFiles(name);
  const want = bytes !== undefined || lines !== undefined ? { bytes, lines } : { bytes: r.bytes, lines: r.lines };
  const path = out ?? join(root, 'bench', 'out', `mix-${name}.log`);
  const recipe = JSON.stringify({ name, want, seed: r.seed, files: files.map((f) => [f.name, f.data.length]) });
  const stamp = `${path}.recipe`;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === recipe) {
    return { path, bytes: statSync(path).size, lines: JSON.parse(readFileSync(`${path}.lines`, 'utf8')), files: files.map((f) => f.name) };
  }
  mkdirSync(dirname(path), { recursive: true });
  const counts = files.map((f) => { let n = 0; for (const b of f.data) if (b === 10) n++; return n; });
  const rand = rng(r.seed);
  const ws = createWriteStream(path);
  let nb = 0;
  let nl = 0;
  const done = () => (want.bytes !== undefined && nb >= want.bytes) || (want.lines !== undefined && nl >= want.lines);
  while (!done()) {
    // One round: every file once, in a shuffled order (Fisher–Yates).
    const order = files.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      if (!ws.write(files[i].data)) await once(ws, 'drain');
      nb += files[i].data.length;
      nl += counts[i];
      if (done()) break;
    }
  }
  ws.end();
  await once(ws, 'finish');
  writeFileSync(`${path}.lines`, String(nl));
  writeFileSync(stamp, recipe);
  return { path, bytes: nb, lines: nl, files: files.map((f) => f.name) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const a = process.argv.slice(2);
  const opt = (k) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const res = await generate(a[0], {
    ...(opt('--bytes') ? { bytes: Number(opt('--bytes')) } : {}),
    ...(opt('--lines') ? { lines: Number(opt('--lines')) } : {}),
    ...(opt('-o') ? { out: opt('-o') } : {}),
  });
  console.log(`${res.path}: ${(res.bytes / 1e6).toFixed(1)} MB, ${res.lines} lines from ${res.files.length} fixture files`);
}
