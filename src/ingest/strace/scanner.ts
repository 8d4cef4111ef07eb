/** Character scanning of one strace line: character classes, name hashing (names without slicing), the ` = ` result, numbers. */
/** Character classes of the ASCII range: 1 digit, 2 letter or underscore. */
export const CLS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLS[c] = 1;
for (let c = 65; c <= 90; c++) CLS[c] = 2;
for (let c = 97; c <= 122; c++) CLS[c] = 2;
CLS[95] = 2;
export const isDigit = (c: number) => c >= 48 && c <= 57;
export const isIdent = (c: number) => c < 128 && CLS[c] !== 0;

/**
 * Known syscall names by a hash of their characters: the scan computes the
 * hash as it goes and gets the interned name string without slicing the line.
 */
export function hashNames(names: Iterable<string>): Map<number, string | string[]> {
  const m = new Map<number, string | string[]>();
  for (const n of names) {
    const h = hashOf(n, 0, n.length);
    const cur = m.get(h);
    if (cur === undefined) m.set(h, n);
    else if (typeof cur === 'string') { if (cur !== n) m.set(h, [cur, n]); }
    else if (!cur.includes(n)) cur.push(n);
  }
  return m;
}

export function hashOf(text: string, i: number, j: number): number {
  let h = 0;
  for (let k = i; k < j; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) | 0;
  return h;
}

/** The known name spelled at text[i, j) (hash h), or `syscall_0x1d6`/`syscall_470`; undefined for anything else. */
export function nameAt(names: Map<number, string | string[]>, text: string, i: number, j: number, h: number): string | undefined {
  const hit = names.get(h);
  if (hit !== undefined) {
    if (typeof hit === 'string') {
      if (hit.length === j - i && text.startsWith(hit, i)) return hit;
    } else {
      for (const n of hit) if (n.length === j - i && text.startsWith(n, i)) return n;
    }
  }
  if (text.startsWith('syscall_', i)) {
    const n = text.slice(i, j);
    if (unknownNumber(n) !== undefined) return n;
  }
  return undefined;
}

/** Index of the ` = ` that starts the result (`…) = 3`), searching from `from`, or -1. */
export function resultAt(text: string, from: number): number {
  let eq = text.length - 2;
  for (; eq >= from; eq--) {
    if (text.charCodeAt(eq + 1) === 61 /* = */ && text.charCodeAt(eq) === 32 && text.charCodeAt(eq + 2) === 32) break;
  }
  if (eq < from) return -1;
  let j = eq - 1;
  while (j >= from && text.charCodeAt(j) === 32) j--;
  if (j >= from) return text.charCodeAt(j) === 41 ? eq : -1;
  return -1;
}

/** A positive decimal at `i` (a child pid after ` = `), or 0. */
export function leadingInt(text: string, i: number): number {
  let v = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** `syscall_0x1d6` / `syscall_470` → the number, or undefined. */
export function unknownNumber(name: string): number | undefined {
  if (!name.startsWith('syscall_') || name.length < 9) return undefined;
  const t = name.slice(8);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return parseInt(t, 10);
  return undefined;
}
