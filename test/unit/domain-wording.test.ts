// Domain code never names a CLI flag: it words a message with the use-case's own option names, and the
// CLI (cli/flags.ts flagFor) turns them into flags — through OptionError, or a namer the caller passes.
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { flagFor } from '../../src/cli/flags.js';
import { waitReady } from '../../src/runtime/server.js';
import { runtimeMeasuredSyscalls } from '../../src/runtime/runtime-base.js';
import { errorLines } from '../../src/cli/main.js';
import { parseProfileText } from '../../src/profile/load.js';

describe('domain wording', () => {
  it('verify: a ready command that does not exist is named as the option, or as the caller names it', async () => {
    const r = { cmd: ['/nonexistent/syscribe-ready-probe'], timeoutSec: 5 };
    expect((await waitReady(r, () => false)).why).toBe('readyCmd /nonexistent/syscribe-ready-probe: command not found');
    expect((await waitReady(r, () => false, flagFor)).why).toBe('--ready-cmd /nonexistent/syscribe-ready-probe: command not found');
  });

  it('a runtime with no measured set: an OptionError naming the runtime option; the CLI says --runtime', () => {
    let e: unknown;
    try {
      runtimeMeasuredSyscalls('youki' as never);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(OptionError);
    expect((e as Error).message).toMatch(/, or use runtime none$/);
    expect(errorLines(e, false)).toBe('syscribe: no measured post-filter syscall set for youki (measure it with: syscribe runtime-base --runtime youki --save), or use --runtime none\n');
  });

  it('moby-format conditions in a SeccompProfile: the error names the target options; the CLI says --arch/--cap/--kernel', () => {
    const crd = 'apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: x\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n    - names: [read]\n      action: SCMP_ACT_ALLOW\n      includes: {caps: [CAP_SYS_ADMIN]}\n';
    let e: unknown;
    try {
      parseProfileText(crd, 'x.yaml');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(OptionError);
    expect((e as Error).message).toContain('(syscribe flattens it for target.arch/target.caps/target.kernel)');
    expect(errorLines(e, false)).toContain('(syscribe flattens it for --arch/--cap/--kernel)');
  });
});
