import { defineCommand } from './command.js';
import { DEFAULT_DIR, DEFAULT_ROOT, installProfile, usageSnippet } from '../install/install.js';
import { loadProfile } from '../profile/load.js';
import { loadOptionsFrom, withTargetOptions } from './target-options.js';

export const installCommand = defineCommand({
  command: 'install <name> <profile>',
  describe: "Install a profile under the kubelet's seccomp root and print the securityContext to paste",
  builder: (y) =>
    withTargetOptions(y)
      .positional('name', { type: 'string', demandOption: true, describe: 'Profile name (file NAME.json)' })
      .positional('profile', { type: 'string', demandOption: true, describe: 'OCI JSON or SeccompProfile YAML' })
      .option('root', { type: 'string', default: DEFAULT_ROOT, describe: "The kubelet's seccomp root" })
      .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'Sub-directory under the root' })
      .option('force', { type: 'boolean', describe: 'Replace an existing, different profile' })
      .example('$0 install my-app my-app.json', '→ /var/lib/kubelet/seccomp/profiles/my-app.json, localhostProfile: profiles/my-app.json')
      .example('$0 install my-app my-app.yaml --root /tmp/seccomp --dir apps --force', 'another root and directory, replacing what is there'),
  handler: async (argv) => {
    const loaded = await loadProfile(argv.profile, loadOptionsFrom(argv));
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
    // A moby-format file is installed flattened (plain OCI): containerd would drop its conditions and apply every rule.
    for (const n of loaded.notes) process.stderr.write(`note: ${n}\n`);
    const r = await installProfile(argv.name, loaded.profile, { root: argv.root, dir: argv.dir, force: !!argv.force });
    process.stderr.write(`${r.status === 'unchanged' ? 'unchanged' : r.status}: ${r.path} (mode 0644)\n`);
    process.stdout.write(usageSnippet(r));
  },
});
