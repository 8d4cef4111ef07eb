/**
 * Lines from a command's stdout (dmesg, journalctl), run without a shell.
 */
import { loadExeca } from '../util/exec.js';
import { UserError } from '../errors.js';
import { type LineHandler, eachLine } from './lines.js';

/** The kernel ring buffer: `dmesg` (printk audit records appear here when auditd is not running). */
export const DMESG_ARGV = ['dmesg'] as const;
/**
 * This boot's audit records in the journal: `_TRANSPORT=audit` (journald's
 * audit socket: `audit[PID]: SECCOMP …`) and `_TRANSPORT=kernel` (the printk
 * copy the kernel makes when auditd is not running). Two matches on one field
 * are alternatives. With auditd stopped a record can come through both: that
 * only counts it twice, the profile (a set) is the same.
 */
export function journalArgv(json: boolean): string[] {
  return ['journalctl', '-b', '--no-pager', '-o', json ? 'json' : 'short-precise', '_TRANSPORT=audit', '_TRANSPORT=kernel'];
}

/** Run argv, feed every stdout line to onLine; fail with one clear line when the command fails. */
export async function eachLineOfCommand(argv: readonly string[], onLine: LineHandler): Promise<void> {
  const execa = await loadExeca();
  const [file, ...args] = argv as [string, ...string[]];
  const child = execa(file, args, { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore', reject: false, buffer: { stdout: false, stderr: true } });
  const lines = eachLine(child.stdout!, onLine);
  const res = await child;
  await lines;
  if (res.failed) {
    const code = (res as { code?: string }).code;
    if (code === 'ENOENT') throw new UserError(`${file}: not installed`);
    const err = String(res.stderr ?? '').trim().split('\n')[0] ?? '';
    throw new UserError(`${argv.join(' ')} failed (exit ${res.exitCode ?? res.signal})${err ? `: ${err}` : ''}${file === 'dmesg' && /denied|not permitted/i.test(err) ? ' (reading the kernel log needs root or kernel.dmesg_restrict=0)' : ''}`);
  }
}
