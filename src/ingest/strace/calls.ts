/** The data model of calls and processes: a call seen, a call pending (unfinished/cut), a process's state (arch, held calls). */
import type { ArchId } from '../../arch.js';

/** A call seen but not yet turned into an observation. */
export interface Call {
  /** The name as strace printed it (matches `<... name resumed>`). */
  printed: string;
  name: string | undefined;
  nr: number | undefined;
  /** Argument text, kept only for ARG_DECODED_SYSCALLS. */
  args: string | undefined;
  /** The name was checked against a -n number: no socketcall/ipc companion needed. */
  exact: boolean;
  pid: number | undefined;
}

export interface Pending extends Call {
  /** Cut (program output, attach message): the rest may follow on the next line. */
  open: boolean;
  /** Has shown a call's shape (`<unfinished ...>`, resumed): made even if the rest never comes. */
  shaped: boolean;
}

/** A pending call that counts when it is cut short: anything but a cut line whose rest never came. */
export const made = (p: Pending): boolean => !p.open || p.shaped;

export interface PidState {
  arch: ArchId;
  /** The arch is not known yet: calls are held back. */
  tentative: boolean;
  /** May still take its parent's arch (no exec, banner or hint seen yet). */
  inherit: boolean;
  held: Call[];
  pending: Pending | undefined;
}
