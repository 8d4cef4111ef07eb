/**
 * Text that came from input (log lines, comm/exe values auditd decoded from
 * hex, strace's malformed lines, names no table knows) on its way to a
 * terminal: control characters become visible escapes, so a log cannot clear
 * the screen, move the cursor, set the window title or hide what follows
 * (`comm=1B5B324A` is ESC[2J). One style everywhere: `\xHH` (C0 controls,
 * DEL, the C1 range U+0080–U+009F), and `\u2028`-style for the Unicode line
 * and paragraph separators and the bidirectional overrides (U+202A–U+202E,
 * U+2066–U+2069) that reorder what a terminal shows. A backslash stays as it
 * is. JSON output needs none of this: JSON.stringify escapes controls itself.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function hex(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every control character escaped (see above); s itself when it has none. With
 * `tabs`, a TAB stays as it is (a program's output lines, where tabs are layout).
 */
export function escapeControl(s: string, o: { tabs?: boolean } = {}): string {
  if (!UNSAFE_TEST.test(s)) return s;
  return s.replace(UNSAFE, (c) => (o.tabs && c === '\t' ? c : hex(c)));
}
