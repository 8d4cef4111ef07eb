/** Why ptrace might be refused here, in words (Yama, missing CAP_SYS_PTRACE in a container). */
import { readFile } from 'node:fs/promises';

const CAP_SYS_PTRACE = 19n;

export async function ptraceDiagnosis(): Promise<string | undefined> {
  const reasons: string[] = [];
  try {
    const scope = (await readFile('/proc/sys/kernel/yama/ptrace_scope', 'utf8')).trim();
    if (scope === '3') reasons.push('Yama ptrace_scope is 3: ptrace is disabled until reboot');
    else if (scope !== '0') reasons.push(`Yama ptrace_scope is ${scope}: attaching to non-children needs CAP_SYS_PTRACE (sysctl kernel.yama.ptrace_scope=0, or run as root)`);
  } catch {
    /* no Yama */
  }
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
    if (m && (BigInt(`0x${m[1]}`) & (1n << CAP_SYS_PTRACE)) === 0n && process.getuid?.() !== 0) {
      reasons.push('this process lacks CAP_SYS_PTRACE (in a container: add it, e.g. securityContext.capabilities.add: [SYS_PTRACE])');
    } else if (m && (BigInt(`0x${m[1]}`) & (1n << CAP_SYS_PTRACE)) === 0n) {
      reasons.push('root here lacks CAP_SYS_PTRACE (a container without SYS_PTRACE, or a seccomp/LSM policy blocking ptrace)');
    }
  } catch {
    /* not Linux */
  }
  return reasons.length ? reasons.join('; ') : undefined;
}
