/**
 * The error model. Exit codes, as documented in the README:
 * - UserError: input or usage the user can fix (exit 2 unless it says otherwise);
 *   its message is one line meant for the user as is. `cause` keeps what went wrong below.
 * - OptionError: a UserError about the value of a use-case option, raised by domain
 *   code in the domain's own words (`timeoutSec 0: …`); the CLI names the flag
 *   instead (`--timeout 0: …`, cli/flags.ts).
 * - anything else thrown (TypeError, RangeError, a plain Error) is a bug in syscribe:
 *   the CLI says "internal error", asks for a report and exits EXIT_INTERNAL.
 *   Failures of the system and of the tools syscribe runs (errors with an errno
 *   `code`, execa errors) are input/environment errors, exit 2 (cli/main.ts exitFor).
 */
export const EXIT_OK = 0;
/** A finding: verification failed, blocked syscalls found, profiles differ. */
export const EXIT_FINDING = 1;
/** Usage or input error (bad flag, unreadable file, unknown syscall, invalid profile). */
export const EXIT_USAGE = 2;
/** An internal error: a bug in syscribe (sysexits.h EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** An error whose message is meant for the user as is (one line, no stack). */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_USAGE, opts: { cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** Names an option: the domain uses the option's own name, the CLI its flag. */
export type OptionNamer = (option: string) => string;

/**
 * A bad option value (or combination), said without CLI wording: `say` builds
 * the message given how to name an option. `message` names the options as the
 * use-case's typed options do; `messageFor(flag)` as the caller does.
 */
export class OptionError extends UserError {
  constructor(private readonly say: (name: OptionNamer) => string, opts: { cause?: unknown; exitCode?: number } = {}) {
    super(say((o) => o), opts.exitCode ?? EXIT_USAGE, opts);
    this.name = 'OptionError';
  }

  messageFor(name: OptionNamer): string {
    return this.say(name);
  }
}
