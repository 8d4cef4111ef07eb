/**
 * The yaml package, loaded on first use. Importing it costs a third of node's
 * own start-up (≈170 M instructions here), and most runs read and write JSON
 * only: only a CRD written (`--format crd`) or a YAML profile read pays for it.
 * Its CommonJS build is the one `import` gives on node too (package exports).
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
