/**
 * Start-up: the argv of `syscribe resolve` in its simple forms needs no parser.
 * yargs (with string-width, wrap-ansi, y18n) costs as much as starting node
 * itself, and `resolve` is the command a user runs to look one number up.
 * Only argv whose meaning is unambiguous is taken here; everything else
 * (--help, repeated or unknown flags, `--no-json`, `--`, values that start with
 * '-') goes to yargs. test/unit/fast-path.test.ts checks that both paths answer
 * the same.
 */
import type { recordCommand } from './record.js';

export interface SimpleResolveArgs {
  syscall: string;
  arch?: string;
  json?: boolean;
}

/** `resolve SYSCALL [--arch A | --arch=A] [--json]`, in any order; undefined for any other argv. */
export function simpleResolveArgs(argv: readonly string[]): SimpleResolveArgs | undefined {
  if (argv[0] !== 'resolve') return undefined;
  let syscall: string | undefined;
  let arch: string | undefined;
  let json = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      if (json) return undefined;
      json = true;
    } else if (a === '--arch' || a.startsWith('--arch=')) {
      const v = a === '--arch' ? argv[++i] : a.slice('--arch='.length);
      if (arch !== undefined || v === undefined || v === '' || v.startsWith('-')) return undefined;
      arch = v;
    } else if (a.startsWith('-') || a === '' || syscall !== undefined) {
      return undefined;
    } else {
      syscall = a;
    }
  }
  if (syscall === undefined) return undefined;
  return { syscall, ...(arch !== undefined ? { arch } : {}), ...(json ? { json } : {}) };
}

/** What the record handler is given. */
type RecordArgs = Parameters<(typeof recordCommand)['handler']>[0];

/**
 * `record [--backend B] [--baseline B] [--runtime R] [-o FILE] [-q] [--json] [--allow-empty] -- CMD ...`:
 * the argv a user (and the bench) types to record a command, without yargs: record's fixed cost is
 * mostly start-up, and yargs is a third of it. The result is exactly the argv object yargs hands the
 * record handler (defaults and aliases included); anything else — another flag, a flag given twice,
 * a value that is not one of the choices, no `--` — returns undefined and goes to yargs, which also
 * words every error. test/unit/fast-path.test.ts compares both paths.
 */
export async function simpleRecordArgs(argv: readonly string[]): Promise<RecordArgs | undefined> {
  if (argv[0] !== 'record') return undefined;
  const end = argv.indexOf('--');
  if (end < 0 || end === argv.length - 1) return undefined;
  const given: Record<string, string | true> = {};
  const VALUED: Record<string, string> = { '--backend': 'backend', '--baseline': 'baseline', '--runtime': 'runtime', '-o': 'output', '--output': 'output' };
  const FLAGS: Record<string, string> = { '-q': 'quiet', '--quiet': 'quiet', '--json': 'json', '--allow-empty': 'allow-empty' };
  for (let i = 1; i < end; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const key = VALUED[flag] ?? FLAGS[flag];
    if (key === undefined || key in given) return undefined;
    if (FLAGS[flag]) {
      if (eq > 0) return undefined;
      given[key] = true;
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : i + 1 < end ? argv[++i]! : undefined;
    if (v === undefined || v === '' || (v.startsWith('-') && v !== '-')) return undefined;
    if (v === '-' && key !== 'output') return undefined;
    given[key] = v;
  }
  // The choices live with the command (loaded now: record needs them anyway).
  const [{ RECORD_BACKENDS }, { BASELINE_NAMES }, { RUNTIME_NAMES }, { DEFAULT_ROOT, DEFAULT_DIR }] = await Promise.all([
    import('./record.js'), import('../generate/flatten.js'), import('../generate/index.js'), import('../install/install.js'),
  ]);
  const ok = (v: string | true | undefined, choices: readonly string[]) => v === undefined || (typeof v === 'string' && choices.includes(v));
  if (!ok(given.backend, RECORD_BACKENDS) || !ok(given.baseline, BASELINE_NAMES) || !ok(given.runtime, RUNTIME_NAMES)) return undefined;
  // The object yargs builds (test/unit/fast-path.test.ts compares the two), so it has the handler's type.
  const args: Record<string, unknown> = {
    _: ['record'],
    ...(given.baseline !== undefined ? { baseline: given.baseline } : {}),
    ...(given.runtime !== undefined ? { runtime: given.runtime } : {}),
    ...(given.quiet ? { q: true, quiet: true } : {}),
    ...(given.json ? { json: true } : {}),
    ...(given['allow-empty'] ? { 'allow-empty': true, allowEmpty: true } : {}),
    ...(given.output !== undefined ? { o: given.output, output: given.output } : {}),
    cmd: [],
    backend: given.backend ?? 'strace',
    root: DEFAULT_ROOT,
    dir: DEFAULT_DIR,
    baseline: given.baseline ?? 'containerd',
    runtime: given.runtime ?? 'any',
    'default-action': 'errno',
    defaultAction: 'errno',
    format: 'oci',
    'crd-version': 'v1beta1',
    crdVersion: 'v1beta1',
    '--': argv.slice(end + 1),
    $0: 'syscribe',
  };
  return args as RecordArgs;
}
