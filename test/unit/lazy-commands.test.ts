// Start-up: only the command that runs is loaded (src/cli/commands.ts). The registry repeats each
// command's name and description so that listing commands loads nothing; they must stay equal.
// Spawned (spawnCli): what a fresh node process loads at start-up is the thing measured.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';
import { commands } from '../../src/cli/commands.js';
import { straceCommand } from '../../src/cli/strace.js';
import { auditCommand } from '../../src/cli/audit.js';
import { recordCommand } from '../../src/cli/record.js';
import { auditProfileCommand } from '../../src/cli/audit-profile.js';
import { makeMergeCommand } from '../../src/cli/merge.js';
import { diffCommand } from '../../src/cli/diff.js';
import { checkCommand } from '../../src/cli/check.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { runtimeBaseCommand } from '../../src/cli/runtime-base.js';
import { installCommand } from '../../src/cli/install.js';
import { resolveCommand } from '../../src/cli/resolve.js';

const register = new URL('../helpers/loads-register.mjs', import.meta.url).href;

/** The module URLs node loads for `syscribe ...args` (a resolve hook reports each one on stderr). */
async function loadedModules(args: string[]): Promise<string[]> {
  const r = await spawnCli(args, { node: ['--import', register] });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
}

describe('lazy command registry', () => {
  it('names and describes every command exactly as its module does', () => {
    const modules = [straceCommand, auditCommand, recordCommand, auditProfileCommand, makeMergeCommand(), diffCommand, checkCommand, verifyCommand, runtimeBaseCommand, installCommand, resolveCommand];
    expect(commands.map((c) => [c.command, c.describe])).toEqual(modules.map((c) => [c.command, c.describe]));
  });

  it('`--version` loads neither yargs nor any command', async () => {
    const mods = await loadedModules(['--version']);
    expect(mods.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(mods.filter((u) => /node_modules|\/dist\/(cli\/(?!main|commands|fast-path|flags)|ingest|generate|profile|collect|runtime|record|data|sources|algebra)/.test(u))).toEqual([]);
  });

  it('`resolve` loads its own module and the tables, not the schema validator, YAML, execa or the parsers', async () => {
    const mods = await loadedModules(['resolve', '43', '--arch', 'x86_64']);
    expect(mods.some((u) => u.endsWith('/dist/cli/resolve.js'))).toBe(true);
    expect(mods.filter((u) => /node_modules\/(ajv|yaml|execa)\/|\/dist\/(ingest|generate|profile|collect|runtime|record)\//.test(u))).toEqual([]);
  });

  it('`record` with strace starts strace without loading execa (record -- /bin/true is mostly start-up)', async () => {
    requireTool('strace');
    const mods = await loadedModules(['record', '--baseline', 'none', '--runtime', 'none', '-q', '-o', '/dev/null', '--', '/bin/true']);
    expect(mods.some((u) => u.endsWith('/dist/record/strace-backend.js'))).toBe(true);
    expect(mods.filter((u) => /node_modules\/execa\//.test(u))).toEqual([]);
    // What only --verify, --in-container or --backend bpftrace use is loaded when used.
    expect(mods.filter((u) => /\/dist\/(runtime\/(verify|bundle|denials|server)|record\/(in-container|after-install|bpftrace-backend|bpftrace-session)|ingest\/audit)/.test(u))).toEqual([]);
    // `record [simple flags] -- CMD` is parsed without yargs (cli/fast-path.ts).
    expect(mods.filter((u) => /node_modules\/(yargs|yargs-parser|cliui)\//.test(u))).toEqual([]);
  });

  it('`strace` writing OCI JSON loads neither yaml nor execa', async () => {
    const f = fileURLToPath(new URL('../fixtures/strace/f.strace', import.meta.url));
    const mods = await loadedModules(['strace', f, '--baseline', 'none', '--runtime', 'none', '-q', '-o', '/dev/null']);
    expect(mods.some((u) => u.endsWith('/dist/ingest/strace/index.js'))).toBe(true);
    expect(mods.filter((u) => /node_modules\/(yaml|execa|ajv)\//.test(u))).toEqual([]);
  });

  it('a command that writes a profile validates it without loading the ajv compiler', async () => {
    const mods = await loadedModules(['audit-profile', '-o', '/dev/null']);
    expect(mods.some((u) => u.endsWith('/dist/profile/validate.generated.js'))).toBe(true);
    expect(mods.filter((u) => /node_modules\/ajv\/dist\/(ajv|core|compile)/.test(u))).toEqual([]);
  });
});
