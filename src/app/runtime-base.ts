/**
 * runtime-base --save, the use-case's writer: a proven measurement becomes the
 * stored set `--runtime` uses (src/data/runtime-base.json, or another data
 * file). Typed options in, no flags, no printing (cli/runtime-base.ts).
 */
import { type Measurement, runtimeBaseData, runtimeBaseKey, toRuntimeBase } from '../runtime/runtime-base.js';
import { writeOutput } from '../write/output.js';

/** Store the measurement under its runtime and privilege mode in the data file `target` (keys sorted; the others kept). */
export async function saveRuntimeBase(target: string, m: Measurement): Promise<void> {
  const data = { ...runtimeBaseData(target), [runtimeBaseKey(m.runtime, m.noNewPrivileges)]: toRuntimeBase(m) };
  const sorted = Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
  await writeOutput(target, `${JSON.stringify(sorted, null, 2)}\n`);
}
