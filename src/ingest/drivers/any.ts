/**
 * Recordings of either kind, told apart by content: a file whose first lines
 * hold a kernel seccomp record (type=SECCOMP, type=1326, journald's SECCOMP)
 * is read with the audit parser, anything else with the strace parser.
 * The first lines are buffered while deciding; the rest streams. File I/O: a
 * driver over the pure parsers (one parser instance per recording).
 */
import type { ArchId } from '../../arch.js';
import type { Collector } from '../../collect/collector.js';
import { eachLineOfFile } from '../../sources/lines.js';
import { AuditParser } from '../audit/index.js';
import { StraceParser } from '../strace/index.js';

const SNIFF_LINES = 200;
// journald JSON (any _TRANSPORT: a kernel-transport MESSAGE may be a byte array with no readable mark) is never strace output.
const AUDIT_MARK = /type=SECCOMP|type=1326|audit\[\d+\]: SECCOMP|"_AUDIT_TYPE"\s*:\s*"1326"|^\x1e?\{.*"_TRANSPORT"\s*:/;

export type RecordingKind = 'audit' | 'strace';

export function isAuditLine(line: string): boolean {
  return AUDIT_MARK.test(line);
}

/** Feed one recording (strace log or audit log, '-' = stdin, .gz ok) into the collector. Returns its kind. */
export async function ingestRecording(path: string, collector: Collector, opts: { defaultArch?: ArchId } = {}): Promise<RecordingKind> {
  let kind: RecordingKind | undefined;
  let strace: StraceParser | undefined;
  let audit: AuditParser | undefined;
  const held: Array<[string, number]> = [];
  const feed = (line: string, n: number) => {
    if (kind === 'audit') collector.line(audit!.line(line), n, line, path);
    else collector.line(strace!.line(line), n, line, path);
  };
  const decide = (k: RecordingKind) => {
    kind = k;
    if (k === 'strace') strace = new StraceParser(opts.defaultArch ? { defaultArch: opts.defaultArch } : {});
    else audit = new AuditParser();
    for (const [l, n] of held) feed(l, n);
    held.length = 0;
  };
  await eachLineOfFile(path, (line, n) => {
    if (kind) return feed(line, n);
    held.push([line, n]);
    if (isAuditLine(line)) decide('audit');
    else if (held.length >= SNIFF_LINES) decide('strace');
  });
  if (!kind) decide(held.some(([l]) => isAuditLine(l)) ? 'audit' : 'strace');
  if (strace) for (const o of strace.end()) collector.add(o);
  return kind!;
}
