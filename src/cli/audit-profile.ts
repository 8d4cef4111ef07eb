import { defineCommand } from './command.js';
import { type ArchId, archById } from '../arch.js';
import { Collector } from '../collect/collector.js';
import { generateProfile, nativeArchFor } from '../generate/index.js';
import { formatReport, quietly } from './report.js';
import { checkOutputArgs, generatorOptionsFrom, withProfileOptions, writeProfile } from './generator-options.js';

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
    const opts = generatorOptionsFrom(argv);
    // Log every call the baseline would deny, and list the native arch's whole family so
    // 32-bit and x32 calls are logged too (instead of hitting the bad-arch action).
    opts.defaultAction = 'SCMP_ACT_LOG';
    delete opts.errnoRet;
    // SCMP_ACT_LOG needs no SECCOMP_FILTER_FLAG_LOG to be logged; the flag only logs the baseline's own
    // ERRNO rules, and runc before 1.2 refuses any profile with flags. So: only when asked.
    opts.logDenials = !!argv['log-denials'];
    const native: ArchId = nativeArchFor(opts.arches ?? []);
    if (!opts.arches?.length) opts.arches = [...archById(native).family];
    const { profile, report } = generateProfile(new Collector().result(), opts);
    await writeProfile(profile, argv);
    if (argv.json) process.stdout.write(`${JSON.stringify({ ...report, output: argv.output }, null, 2)}\n`);
    else process.stderr.write(quietly(formatReport(report, argv.output), argv.quiet));
  },
});
