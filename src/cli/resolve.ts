import { defineCommand } from './command.js';
import { ARCHES, findArch, type Arch, X32_SYSCALL_BIT } from '../arch.js';
import { archOption } from './arch-option.js';
import { canonicalName, syscallName, syscallNumber } from '../resolve.js';
import { UserError } from '../errors.js';
import { parseNumber } from '../util/numbers.js';

export interface ResolveRow { arch: string; scmp: string; number: number; name: string }

/** Pure: the rows `syscribe resolve` prints. Throws UserError when nothing matches. */
export function resolveQuery(query: string, archName?: string): ResolveRow[] {
  let arch: Arch | undefined;
  if (archName !== undefined) {
    arch = archOption(archName);
  }
  const nr = parseNumber(query);
  if (nr !== undefined) {
    if (!arch) throw new UserError(`a syscall number needs --arch (numbers differ per architecture: accept is 43 on x86_64, 202 on aarch64)`);
    // x32 calls arrive with the x86_64 audit code and bit 0x40000000 in the number.
    // Only a 32-bit value can carry that bit: -1 or 2^32+2^30 are x86_64's own (unknown) numbers.
    if (arch.id === 'x86_64' && nr >= 0 && nr <= 0xffffffff && (nr & X32_SYSCALL_BIT) !== 0) arch = findArch('x32')!;
    const name = syscallName(arch, nr);
    if (name === undefined) throw new UserError(`syscall number ${query} is not known on ${arch.id} (libseccomp table); not guessing`);
    return [{ arch: arch.id, scmp: arch.scmp, number: syscallNumber(arch, name)!, name }];
  }
  const canon = canonicalName(query, arch);
  if (canon === undefined) throw new UserError(`unknown syscall '${query}'${arch ? ` on ${arch.id}` : ''}`);
  const rows: ResolveRow[] = [];
  for (const a of arch ? [arch] : ARCHES) {
    const n = syscallNumber(a, canon);
    if (n !== undefined) rows.push({ arch: a.id, scmp: a.scmp, number: n, name: canon });
  }
  return rows;
}

/** Print what `syscribe resolve` answers (the handler, and main()'s fast path: fast-path.ts). */
export function printResolve(a: { syscall: string; arch?: string | undefined; json?: boolean | undefined }): void {
  const rows = resolveQuery(a.syscall, a.arch);
  if (a.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (parseNumber(a.syscall) !== undefined) process.stdout.write(`${rows[0]!.name}\n`);
  else for (const r of rows) process.stdout.write(`${r.arch.padEnd(12)} ${r.scmp.padEnd(22)} ${r.number}\n`);
}

export const resolveCommand = defineCommand({
  command: 'resolve <syscall>',
  describe: 'Map a syscall number to its name on an architecture, or a name to its number on every architecture',
  builder: (y) =>
    y
      .positional('syscall', { type: 'string', demandOption: true, describe: 'A number (decimal or 0x hex, as the kernel reports it) or a name' })
      .option('arch', { type: 'string', describe: 'Architecture: x86_64, aarch64, SCMP_ARCH_X86, amd64, …' })
      .option('json', { type: 'boolean', describe: 'Print JSON rows' })
      .example('$0 resolve 43 --arch x86_64', 'accept')
      .example('$0 resolve 202 --arch aarch64', 'accept')
      .example('$0 resolve 0x40000000 --arch x86_64', 'read (an x32 call)')
      .example('$0 resolve accept', 'one row per architecture that has accept'),
  handler: (argv) => {
    printResolve({ syscall: String(argv.syscall), arch: argv.arch, json: argv.json });
  },
});
