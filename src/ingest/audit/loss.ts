/** Loss signals: lines saying audit records were dropped. */
import type { LineResult } from '../../types.js';
import { IGNORED } from './decode.js';

function digitsAt(s: string, p: number): number {
  let n = 0;
  let seen = false;
  for (let c = s.charCodeAt(p); c >= 48 && c <= 57; c = s.charCodeAt(++p)) {
    n = n * 10 + (c - 48);
    seen = true;
  }
  return seen ? n : -1;
}

/**
 * Lines saying records were dropped. Every one of them contains "audit":
 * `kauditd_printk_skb: N callbacks suppressed` (printk rate limit: N records
 * not printed), `audit: backlog limit exceeded`, `audit: rate limit exceeded`,
 * `audit: printk limit exceeded` (kernels before 4.10), `audit_lost=N` (the
 * kernel's cumulative counter: see collect/loss.ts for how they add up).
 * Not counted: `audit: kauditd hold queue overflow` (the record was printed,
 * only the copy kept for a later auditd was dropped).
 */
export function lossSignal(text: string): LineResult {
  for (let i = text.indexOf('audit'); i >= 0; i = text.indexOf('audit', i + 5)) {
    const c = text.charCodeAt(i + 5);
    if (c === 95 /* _ */) {
      if (text.startsWith('_lost=', i + 5)) {
        const n = digitsAt(text, i + 11);
        if (n > 0) return { kind: 'ignored', lostCounter: n };
      }
    } else if (c === 100 /* d */ && i > 0 && text.charCodeAt(i - 1) === 107 /* k */ && text.startsWith('d_printk_skb: ', i + 5)) {
      const n = digitsAt(text, i + 19);
      if (n > 0 && text.startsWith(' callbacks suppressed', i + 19 + String(n).length)) return { kind: 'ignored', lost: n };
    } else if (c === 58 /* : */ && (text.startsWith(': backlog limit exceeded', i + 5) || text.startsWith(': rate limit exceeded', i + 5) || text.startsWith(': printk limit exceeded', i + 5))) {
      return { kind: 'ignored', lost: 1, limit: true };
    }
  }
  return IGNORED;
}

