/** Exit codes, as documented in the README. */
export const EXIT_OK = 0;
/** A finding: verification failed, blocked syscalls found, profiles differ. */
export const EXIT_FINDING = 1;
/** Usage or input error (bad flag, unreadable file, unknown syscall, invalid profile). */
export const EXIT_USAGE = 2;

/** An error whose message is meant for the user as is (one line, no stack). */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'UserError';
  }
}
