/**
 * Start-up: the argv of `syscribe resolve` in its simple forms needs no parser.
 * yargs (with string-width, wrap-ansi, y18n) costs as much as starting node
 * itself, and `resolve` is the command a user runs to look one number up.
 * Only argv whose meaning is unambiguous is taken here; everything else
 * (--help, repeated or unknown flags, `--no-json`, `--`, values that start with
 * '-') goes to yargs. test/unit/fast-path.test.ts checks that both paths answer
 * the same.
 */
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
