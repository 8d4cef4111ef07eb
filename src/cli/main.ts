/**
 * The CLI: one yargs command module per command under src/cli/, each thin.
 * Exit codes: 0 success, 1 a finding, 2 usage or input error.
 */
import type { Argv } from 'yargs';
import { createRequire } from 'node:module';
import { UserError, EXIT_USAGE } from '../errors.js';
import { commands } from './commands.js';
import { simpleResolveArgs } from './fast-path.js';
import { escapeControl } from '../util/escape.js';
import { guardStdio } from '../write/stdio.js';
import { closest } from '../util/suggest.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

/** The flag a mistyped one was meant to be. */
export function suggest(word: string, known: string[]): string | undefined {
  return closest(word, known, Math.max(2, Math.floor(word.length / 3)));
}

/**
 * `-` (stdin) as an argument. yargs drops a bare `-` from a positional list
 * and turns `--profile -` into ''. Before parsing, every `-` before a `--`
 * becomes STDIN_TOKEN (a NUL cannot occur in a real argument); a middleware
 * turns it back into '-' in every parsed value, before validation and
 * handlers. Stdin can be read once: `-` given twice as an input is refused
 * here (`-o -`, stdout, is an output).
 */
export const STDIN_TOKEN = '\0-';
const OUTPUT_FLAGS = new Set(['-o', '--output']);

export function protectStdin(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const upto = end < 0 ? argv.length : end;
  let inputs = 0;
  const out = argv.map((a, i) => {
    if (i >= upto || a !== '-') return a;
    if (!OUTPUT_FLAGS.has(argv[i - 1] ?? '')) inputs++;
    return STDIN_TOKEN;
  });
  if (inputs > 1) throw new UserError('stdin (-) given twice: it can be read once only');
  return out;
}

function restoreStdin(v: unknown): unknown {
  if (v === STDIN_TOKEN) return '-';
  if (Array.isArray(v) && v.includes(STDIN_TOKEN)) return v.map((x) => (x === STDIN_TOKEN ? '-' : x));
  return v;
}

export function isDebug(argv: string[]): boolean {
  return argv.includes('--debug') || process.env.SYSCRIBE_DEBUG === '1';
}

/** The yargs parser with every command (each command's module is loaded only when it runs: commands.ts). */
export async function buildCli(argv: string[]): Promise<Argv> {
  // Imported here, not at the top: `--version` needs no parser, and yargs alone costs about as much as starting node.
  const { default: yargs } = await import('yargs');
  let cli = yargs(protectStdin(argv))
    .scriptName('syscribe')
    .usage('syscribe <command> [options]\n\nWrite Linux seccomp profiles from what an application really does.')
    .option('debug', { type: 'boolean', describe: 'Print stack traces on errors', global: true })
    .middleware((a) => {
      for (const k of Object.keys(a)) a[k] = restoreStdin(a[k]);
    }, true)
    .strict()
    .recommendCommands()
    .demandCommand(1, 'Name a command (see syscribe --help).')
    .version(pkg.version)
    .help()
    // --help/--version return instead of exiting, so a failed write of the text is seen (write/stdio.ts).
    .exitProcess(false)
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilog('Exit codes: 0 success, 1 a finding (verification failed, blocked syscalls found, profiles differ), 2 usage or input error.')
    .fail((msg, err) => {
      if (err) throw err;
      let line = (msg ?? 'invalid usage').split(STDIN_TOKEN).join('-');
      if (line.startsWith('Did you mean')) line = `Unknown command '${argv[0] ?? ''}'. ${line}`;
      const m = /^Unknown arguments?: (.*)$/.exec(line);
      if (m) {
        const known = Object.keys((cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
        const hints = m[1]!.split(', ').map((u) => {
          const s = suggest(u.replace(/^-+/, ''), known);
          return s ? `${u} (did you mean --${s}?)` : u;
        });
        line = `Unknown argument${hints.length > 1 ? 's' : ''}: ${hints.join(', ')}`;
      }
      throw new UserError(`${line}\nRun 'syscribe --help' (or 'syscribe <command> --help') for usage.`);
    });
  for (const c of commands) cli = cli.command(c);
  // yargs lays out the running command's help text before calling its handler, in case the handler
  // fails later; our .fail() never prints help, and that layout (string-width, wrap-ansi) costs more
  // than the whole of `syscribe resolve`. `--help` still lays it out when asked.
  const usage = (cli as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  return cli;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  guardStdio(); // EPIPE on stdout: quiet exit 141; ENOSPC & co.: one line, exit 2
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  try {
    // `resolve N --arch A` needs no parser (fast-path.ts); SYSCRIBE_NO_FAST_PATH=1 always parses with yargs (tests).
    const simple = process.env.SYSCRIBE_NO_FAST_PATH === '1' ? undefined : simpleResolveArgs(argv);
    if (simple) {
      const { resolveCommand } = await import('./resolve.js');
      await resolveCommand.handler(simple as never);
      return 0;
    }
    await (await buildCli(argv)).parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const err = e as Error & { exitCode?: number };
    if (isDebug(argv)) process.stderr.write(`${err.stack ?? String(err)}\n`);
    else process.stderr.write(`syscribe: ${escapeControl(err.message.split('\n')[0]!)}\n${err instanceof UserError ? err.message.split('\n').slice(1).map((l) => `${escapeControl(l)}\n`).join('') : ''}`);
    return err instanceof UserError ? err.exitCode : EXIT_USAGE;
  }
}
