import { defineCommand } from './command.js';
import { runAuditProfile } from '../app/audit-profile.js';
import { checkOutputArgs, generatorOptionsFrom, printEmitted, profileOutputFrom, withProfileOptions } from './generator-options.js';

export const auditProfileCommand = defineCommand({
  command: 'audit-profile',
  describe: 'Write the audit-mode profile: the chosen RuntimeDefault with default action SCMP_ACT_LOG',
  builder: (y) =>
    withProfileOptions(y)
      .example('$0 audit-profile -o /var/lib/kubelet/seccomp/profiles/audit.json', 'containerd RuntimeDefault, but log instead of deny')
      .example('$0 audit-profile --baseline crio --arch aarch64 -o audit.json', 'CRI-O\'s, for an arm64 node')
      .example('$0 audit-profile --baseline none -o audit.json', 'log every call: the audit route to a tight profile')
      .example('$0 audit-profile --log-denials -o audit.json', 'also log the baseline\'s own ERRNO answers (SECCOMP_FILTER_FLAG_LOG; runc < 1.2 refuses flags)'),
  handler: async (argv) => {
    await checkOutputArgs(argv);
    await printEmitted(await runAuditProfile(generatorOptionsFrom(argv), profileOutputFrom(argv)), argv);
    return 0;
  },
});
