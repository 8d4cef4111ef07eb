/**
 * execa, loaded on first use. It is the heaviest import (≈110 ms of the CLI's
 * start-up here) and strace, audit, merge, diff and check never run a command,
 * so only the code paths that do pay for it.
 */
import type { execa as Execa } from 'execa';

let loading: Promise<typeof Execa> | undefined;

export function loadExeca(): Promise<typeof Execa> {
  loading ??= import('execa').then((m) => m.execa);
  return loading;
}
