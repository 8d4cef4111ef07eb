/**
 * Kernel seccomp audit records → observations. One line in, one LineResult
 * out, no I/O. Every form is detected per line:
 *  - auditd raw (`type=SECCOMP msg=audit(T:S): … arch=c000003e syscall=63 …`),
 *    auditd enriched (raw + 0x1D + interpreted fields, ignored), `node=… type=…`,
 *    old auditd's `type=UNKNOWN[1326]`,
 *  - kernel printk (`audit: type=1326 audit(T:S): …`) behind dmesg
 *    (`[ 12.3]`, `-T`, `-r`, /dev/kmsg) and syslog (RFC 3164/5424, ISO) prefixes,
 *  - journald: `audit[PID]: SECCOMP auid=…` (every `-o short*`), `-o cat`
 *    (`SECCOMP auid=…`), the `MESSAGE=SECCOMP …` line of `-o verbose`/`export`,
 *    and `-o json`,
 *  - `ausearch --raw` and `ausearch -i` (arch and syscall as names, values decoded).
 * The record type is the line's own: the `type=` that directly precedes the
 * line's first `audit(` (or journald's `TYPE` after `audit[PID]: `), so a USER
 * message quoting a SECCOMP record, or a `type=` in a syslog prefix, is not one.
 * The number is resolved later with the record's own arch (collect).
 *
 * Hot path: a prefilter (the auditd type at the start of the line, else
 * indexOf SECCOMP/1326) before any real work; no regular expression and no
 * allocation besides the result for the raw/printk/journald forms. Fields are
 * located by a walk along the kernel's own field order (kernelOrder) or, when
 * a line departs from it, by a general quote-aware key=value scan
 * (scanFields); both record value positions, and numbers are read from the
 * characters in place.
 *
 * Files: loss.ts (lost-record signals), decode.ts (values), fields.ts (the
 * scanner and its per-parser scratch state), time.ts (timestamps, per-parser
 * date cache), record.ts (fields → observation), forms.ts (auditd, printk,
 * ausearch, journald text and JSON); this file: the per-line dispatch, the
 * AuditParser (one per stream: its scratch state is its own) and
 * parseAuditLine (one module-level parser; synchronous, so callers that
 * never interleave may share it).
 */
import type { LineResult } from '../../types.js';
import { OVERLONG_LINE, OVERLONG_REASON } from '../../sources/split-lines.js';
import { IGNORED } from './decode.js';
import { Fields } from './fields.js';
import { type ParserState, isSeccompType, journalRecord, parseJournalJson, typedRecord } from './forms.js';
import { lossSignal } from './loss.js';
import { D_ALL } from './record.js';
import { DateCache } from './time.js';

export { actionOf } from './decode.js';
export { D_ACTION, D_ALL, D_AUID, D_COMM, D_EXE, D_GID, D_PID, D_TIME, D_UID } from './record.js';

/** An audit log parser with its own scratch state (field positions, date cache). */
export class AuditParser implements ParserState {
  readonly fields = new Fields();
  readonly dates = new DateCache();

  /** One line of any audit log form → parsed / ignored (with any loss signal) / malformed. See parseAuditLine. */
  line(text: string, detail = true): LineResult {
    return parseLine(this, text, detail ? D_ALL : 0);
  }

  /** The same, decoding only the D_* fields in `want` (record.ts) besides arch and number. See parseAuditFields. */
  lineWith(text: string, want: number): LineResult {
    return parseLine(this, text, want);
  }
}

const shared = new AuditParser();

/**
 * One line of any audit log form → parsed (one observation) / ignored (with
 * any loss signal) / malformed (with reason).
 * `detail` false: the caller needs arch and number only (no filter, no
 * split): kernel-printed records skip comm/exe/pid/uid/action decoding. The
 * line's kind, arch and number are the same either way (tested).
 * Uses one module-level AuditParser; a stream that may interleave with
 * another uses its own `new AuditParser()`.
 */
export function parseAuditLine(text: string, detail = true): LineResult {
  return shared.line(text, detail);
}

/**
 * parseAuditLine decoding only the observation fields in `want` (D_* bits of
 * record.ts; 0 = arch and number only, D_ALL = every field): a --comm filter
 * needs comm alone. The others are undefined; kind, arch and number are the
 * same for every mask (tested).
 */
export function parseAuditFields(text: string, want: number): LineResult {
  return shared.lineWith(text, want);
}

/** The per-line dispatch over the forms, on one parser's state; `want`: D_* fields to decode (0: arch and number only). */
function parseLine(st: ParserState, text: string, want: number): LineResult {
  let c0 = text.charCodeAt(0);
  if (c0 === 0 || c0 === 0x1e) {
    // NUL padding (a copytruncate'd log whose writer kept its offset), json-seq's RS (RFC 7464): the record follows.
    if (text === OVERLONG_LINE) return { kind: 'malformed', reason: OVERLONG_REASON };
    let i = 1;
    while (i < text.length && ((c0 = text.charCodeAt(i)) === 0 || c0 === 0x1e)) i++;
    text = text.slice(i);
  }
  // auditd lines name their type first: no need to look for SECCOMP anywhere else.
  if (text.charCodeAt(0) === 116 /* t */ && text.startsWith('type=')) {
    if (!isSeccompType(text, 5)) return text.indexOf('audit_lost=') < 0 ? IGNORED : lossSignal(text);
    const a = text.indexOf('audit(', 5);
    return a < 0 ? { kind: 'malformed', reason: 'seccomp record without audit(time:serial)' } : typedRecord(st, text, 0, a, want);
  }
  // Cheap prefilter: nearly every line of a busy log is something else. 1326 first: in a printk
  // record it comes early (`audit: type=1326`), where a search for SECCOMP would run to the end.
  let j = -1;
  if (text.indexOf('1326') < 0) {
    j = text.indexOf('SECCOMP');
    if (j < 0) {
      // journald JSON keeps a MESSAGE with control or non-UTF-8 bytes as an array of bytes: the text is not there to find.
      if (text.charCodeAt(0) === 123 && text.includes('"MESSAGE":[')) return parseJournalJson(st, text, want);
      return lossSignal(text);
    }
  }
  if (text.charCodeAt(0) === 123 /* { */) return parseJournalJson(st, text, want);
  // type=SECCOMP msg=audit( / type=1326 audit( (printk), behind any prefix; the type= is the one just before the first audit(.
  const a = text.indexOf('audit(');
  if (a > 0) {
    const t = text.lastIndexOf('type=', a);
    if (t >= 0 && (t === 0 || text.charCodeAt(t - 1) === 32)) {
      const sp = text.indexOf(' ', t);
      if (sp + 1 === a || (sp + 5 === a && text.startsWith('msg=', sp + 1))) {
        const r = typedRecord(st, text, t, a, want);
        return r === IGNORED ? lossSignal(text) : r;
      }
    }
  }
  // journald: audit[PID]: SECCOMP … (AUDIT1326 when journald has no name for the type).
  if (j < 0) j = text.indexOf('SECCOMP');
  if (j >= 0) {
    const r = journalRecord(st, text, j, 7, want);
    if (r !== IGNORED) return r;
  }
  const k = text.indexOf('AUDIT1326');
  if (k >= 0) {
    const r = journalRecord(st, text, k, 9, want);
    if (r !== IGNORED) return r;
  }
  return lossSignal(text);
}
