/**
 * The CLI: one yargs command module per command under src/cli/, each thin.
 * Exit codes: 0 success, 1 a finding, 2 usage or input error, 70 an internal
 * error (a bug: "please report"), 141 stdout's reader went away.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { StatusCommand } from './command.js';
import { createRequire } from 'node:module';
import { EXIT_INTERNAL, EXIT_USAGE, OptionError, UserError } from '../errors.js';
import { flagFor } from './flags.js';
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

/** The yargs parser with these commands (each command's module is loaded only when it runs: commands.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function buildCli(argv: string[], cmds: CommandModule<any, any>[]): Promise<Argv> {
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
    .epilog('Exit codes: 0 success, 1 a finding (verification failed, blocked syscalls found, profiles differ), 2 usage or input error, 70 internal error (a bug: please report it).')
    .fail((msg, err) => {
      if (err) throw err;
      let line = (msg ?? 'invalid usage').split(STDIN_TOKEN).join('-');
      if (line.startsWith('Did you mean')) line = `Unknown command '${argv[0] ?? ''}'. ${line}`;
      const m = /^Unknown arguments?: (.*)$/.exec(line);
      if (m) {
        // getOptions() is yargs's, but not in @types/yargs: the one cast left here, typed to what is used.
        const known = Object.keys((cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
        const hints = m[1]!.split(', ').map((u) => {
          const s = suggest(u.replace(/^-+/, ''), known);
          return s ? `${u} (did you mean --${s}?)` : u;
        });
        line = `Unknown argument${hints.length > 1 ? 's' : ''}: ${hints.join(', ')}`;
      }
      throw new UserError(`${line}\nRun 'syscribe --help' (or 'syscribe <command> --help') for usage.`);
    });
  for (const c of cmds) cli = cli.command(c);
  // yargs lays out the running command's help text before calling its handler, in case the handler
  // fails later; our .fail() never prints help, and that layout (string-width, wrap-ansi) costs more
  // than the whole of `syscribe resolve`. `--help` still lays it out when asked.
  // yargs internals (not in @types/yargs), each step optional: a yargs without them lays the help out as before.
  const usage = (cli as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  return cli;
}

/**
 * The exit code for an error (README "Exit codes"): a UserError's own; a failure of the
 * system or of a tool syscribe ran (an errno `code` such as ENOENT, an execa or yargs
 * error) 2; anything else is a bug in syscribe, EXIT_INTERNAL.
 */
export function exitFor(e: unknown): number {
  if (e instanceof UserError) return e.exitCode;
  const x = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; name?: unknown };
  if (typeof x.code === 'string' && /^E[A-Z0-9]+$/.test(x.code)) return EXIT_USAGE;
  if (x.name === 'ExecaError' || x.name === 'YError') return EXIT_USAGE;
  return EXIT_INTERNAL;
}

/** The error as stderr lines: one line (a UserError may add lines of its own); an internal error asks for a report. */
export function errorLines(e: unknown, debug: boolean): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = err instanceof OptionError ? err.messageFor(flagFor) : err.message;
  const [first, ...rest] = message.split('\n');
  const code = exitFor(err);
  let out = code === EXIT_INTERNAL
    ? `syscribe: internal error: ${escapeControl(first ?? '')}\nsyscribe: this is a bug in syscribe; please report it with the command line and what \`--debug\` prints\n`
    : `syscribe: ${escapeControl(first ?? '')}\n${err instanceof UserError ? rest.map((l) => `${escapeControl(l)}\n`).join('') : ''}`;
  if (debug) {
    // The stack, then each cause's.
    for (let c: unknown = err; c !== undefined; c = (c as { cause?: unknown }).cause) {
      out += `${c === err ? '' : 'caused by: '}${c instanceof Error ? (c.stack ?? String(c)) : String(c)}\n`;
      if (!(c instanceof Error)) break;
    }
  }
  return out;
}

/** Run the CLI; returns the exit code. `cmds`: the command modules (tests add their own). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function main(argv: string[] = process.argv.slice(2), cmds: StatusCommand<any>[] = commands): Promise<number> {
  guardStdio(); // EPIPE on stdout: quiet exit 141; ENOSPC & co.: one line, exit 2
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  try {
    // `resolve N --arch A` needs no parser (fast-path.ts); SYSCRIBE_NO_FAST_PATH=1 always parses with yargs (tests).
    const simple = cmds !== commands || process.env.SYSCRIBE_NO_FAST_PATH === '1' ? undefined : simpleResolveArgs(argv);
    if (simple) {
      const { printResolve } = await import('./resolve.js');
      printResolve(simple);
      return 0;
    }
    // yargs drops what a handler returns: each handler is wrapped to keep its exit status (commands.ts StatusCommand).
    let status: number | undefined;
    const keep = cmds.map((c) => ({ ...c, handler: async (a: ArgumentsCamelCase) => {
      const r = await c.handler(a);
      if (typeof r === 'number') status = r;
    } }));
    await (await buildCli(argv, keep)).parseAsync();
    return status ?? 0;
  } catch (e) {
    process.stderr.write(errorLines(e, isDebug(argv)));
    return exitFor(e);
  }
}
