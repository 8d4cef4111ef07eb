/**
 * Use-case option names → the flags that set them, so that an OptionError
 * raised in the domain's words (`timeoutSec 0: …`) reads in the CLI's
 * (`--timeout 0: …`). An option not listed is its flag in kebab case
 * (expectExit → --expect-exit).
 */
const FLAGS: Readonly<Record<string, string>> = {
  timeoutSec: '--timeout',
  readyTimeoutSec: '--ready-timeout',
  defaultErrnoRet: '--errno',
  'caps.exact': '--cap',
  'caps.add': '--cap-add',
  'caps.drop': '--cap-drop',
  cmd: 'the command after --',
  namespaces: '--namespace',
  workloads: '--workload',
  'target.arch': '--arch',
  'target.caps': '--cap',
  'target.kernel': '--kernel',
};

export function flagFor(option: string): string {
  if (option.startsWith('-')) return option;
  return FLAGS[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
