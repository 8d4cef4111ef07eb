/**
 * Command lines given as one string (`--probe 'curl -fsS http://127.0.0.1:8080/'`)
 * are split into argv here and run without a shell. The rules are the
 * shell's quoting rules and nothing else: words split on blanks; '…' keeps
 * everything literally; "…" keeps everything, with \" \\ \$ \` as escapes;
 * a backslash outside quotes escapes the next character. There is no
 * expansion of any kind ($VAR, ~, globs, $(…)), so characters that would mean
 * something to a shell — | & ; < > ( ) $ ` * ? [ { } ~ # — are refused when
 * unquoted, instead of being passed on literally where the user expected a
 * pipe or a variable. Quote them to pass them literally, or run
 * `sh -c '…'` explicitly.
 */
import { UserError } from '../errors.js';
import { escapeControl } from './escape.js';

export { escapeControl };

const SPECIAL = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', '{', '}', '~', '#']);

/** Split `s` into argv (see above). Throws a UserError naming `what` on unbalanced quotes or shell syntax. */
export function splitCommand(s: string, what = 'command'): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new UserError(`${what} ${escapeControl(JSON.stringify(s))}: unbalanced '`);
      cur += s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        else if (s[j] === '$' || s[j] === '`') throw new UserError(`${what} ${escapeControl(JSON.stringify(s))}: no shell runs it, so $ and \` inside "…" would not expand; use '…' to pass them literally or sh -c`);
        cur += s[j];
      }
      if (j >= s.length) throw new UserError(`${what} ${escapeControl(JSON.stringify(s))}: unbalanced "`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new UserError(`${what} ${escapeControl(JSON.stringify(s))}: ends with a backslash`);
      cur += s[++i];
    } else if (SPECIAL.has(c)) {
      throw new UserError(`${what} ${escapeControl(JSON.stringify(s))}: '${c}' is shell syntax and no shell runs the command; quote it to pass it literally, or write sh -c '…'`);
    } else {
      cur += c;
    }
  }
  if (inWord) out.push(cur);
  if (!out.length) throw new UserError(`${what}: empty`);
  return out;
}


/** The first `n` non-empty lines of `s`, each cut to `width` characters and escaped. */
export function firstLines(s: string, n = 5, width = 200): string[] {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    const t = line.replace(/\r$/, '');
    if (!t.trim()) continue;
    out.push(escapeControl(t.length > width ? `${t.slice(0, width)}…` : t, { tabs: true }));
    if (out.length >= n) break;
  }
  return out;
}

/** argv as one line a user can read (and paste): words with blanks or quotes are single-quoted; escaped. */
export function showArgv(argv: readonly string[]): string {
  return escapeControl(argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '));
}
