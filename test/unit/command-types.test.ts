// Options typed once (src/cli/command.ts defineCommand): the handler's argument type is what the
// builder declares. A flag the builder does not declare is a compile error; a declared one has the
// type yargs infers from its .option() (a string option is not a number). Checked by compiling small
// command modules with the TypeScript compiler (in memory, against the real src/cli/command.ts).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const probe = join(root, 'test/unit/command-types.probe.ts');

/** The compiler's errors for `code` as a module at test/unit/ (2339/2551: no such property, 2322: wrong type). */
function errorsOf(code: string): Array<{ code: number; text: string }> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (f, lang, ...rest) => (f === probe ? ts.createSourceFile(f, code, lang) : getSourceFile.call(host, f, lang, ...rest));
  host.fileExists = (f) => f === probe || fileExists.call(host, f);
  host.readFile = (f) => (f === probe ? code : readFile.call(host, f));
  const program = ts.createProgram([probe], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(probe)).map((d) => ({ code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') }));
}

const module = (handler: string) => `
import type { Argv } from 'yargs';
import { defineCommand } from '../../src/cli/command.js';
export const probeCommand = defineCommand({
  command: 'probe <file>',
  describe: 'a probe',
  builder: (y: Argv) => y
    .positional('file', { type: 'string', demandOption: true })
    .option('flush-interval', { type: 'number', default: 1 })
    .option('split-by', { choices: ['container', 'exe'] as const }),
  handler: (argv) => {
    ${handler}
    return 0;
  },
});
`;

describe('defineCommand: the handler sees what the builder declares', () => {
  it('declared flags, kebab and camel case, with their inferred types: compiles', () => {
    expect(errorsOf(module(`
      const f: string = argv.file;
      const n: number = argv['flush-interval'] + argv.flushInterval;
      const s: 'container' | 'exe' | undefined = argv['split-by'];
      void f; void n; void s;`))).toEqual([]);
  }, 30_000);

  it('a flag the builder does not declare (a typo) is a compile error', () => {
    const e = errorsOf(module(`if (argv['flush-intervall']) return 1;`));
    expect(e.length).toBe(1);
    expect([2339, 2551]).toContain(e[0]!.code); // "does not exist" (2551: "… Did you mean 'flush-interval'?")
    expect(e[0]!.text).toMatch(/Property 'flush-intervall' does not exist/);
  }, 30_000);

  it('a declared flag used as another type is a compile error', () => {
    expect(errorsOf(module(`const n: number = argv.file; void n;`)).map((x) => x.code)).toEqual([2322]);
    expect(errorsOf(module(`const s: 'pod' | undefined = argv['split-by']; void s;`)).map((x) => x.code)).toEqual([2322]);
  }, 30_000);
});
