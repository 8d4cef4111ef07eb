/**
 * One command module: `defineCommand({ command, describe, builder, handler })`.
 * The handler's argument type is inferred from what the builder declares
 * (yargs's own inference from each `.option()` / `.positional()`), so the
 * options are typed once: a flag added to the builder is what the handler
 * sees, and a flag the builder does not declare is a compile error (no index
 * signature). The handler returns its exit status (main() returns it).
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';

/**
 * The parsed flags of a builder that declares U: kebab-case and camelCase keys,
 * as yargs gives them (ArgumentsCamelCase), without its `[argName: string]: unknown`.
 */
export type CommandArgs<U> = { [K in keyof ArgumentsCamelCase<U> as string extends K ? never : K]: ArgumentsCamelCase<U>[K] } & {
  /** What follows `--` (with the parser configuration `populate--`). */
  '--'?: Array<string | number>;
  /** The global --debug (main.ts declares it for every command). */
  debug?: boolean;
};

/** A command whose handler returns its exit status (0, EXIT_FINDING, …); nothing returned: 0. */
export interface StatusCommand<U> {
  command: string;
  describe: string;
  /** Declares the flags (a lazily loaded command's builder returns a promise: commands.ts). */
  builder: ((y: Argv) => Argv<U>) | ((y: Argv) => PromiseLike<Argv<U>>);
  // A method, so a StatusCommand<U> is a StatusCommand<any> (parameters compared both ways).
  handler(argv: CommandArgs<U>): Promise<number | void> | number | void;
}

/** A command module; U, the parsed flags, is inferred from the builder. */
export function defineCommand<U>(c: StatusCommand<U>): StatusCommand<U> {
  return c;
}

/** What a builder (or a helper that adds shared flags) declares: `Declared<typeof withCapOptions>`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Declared<B extends (...a: any[]) => Argv<unknown>> = ReturnType<B> extends Argv<infer U> ? U : never;

/** The parsed flags of a builder: what a handler's helpers take. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArgsOf<B extends (...a: any[]) => Argv<unknown>> = CommandArgs<Declared<B>>;
