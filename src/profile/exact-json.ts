/**
 * Exact numbers in profiles. Seccomp compares 64-bit unsigned argument
 * values; a JS double holds integers exactly only up to 2^53, so
 * `"value": 18446744073709551615` must not go through JSON.parse /
 * JSON.stringify as a number (it would come back as 18446744073709552000,
 * which runc refuses, and 2^53+1 would silently become 2^53).
 *
 * The convention everywhere in syscribe: an argument value is a `number`
 * when it is a safe integer (≤ 2^53-1) and a `bigint` above. That keeps the
 * common case cheap and makes equality (===, string keys) exact.
 *
 * Small and dependency-free on purpose (start-up time): JSON.parse does the
 * work unless the text holds an integer literal of 16 or more digits; only
 * then does the small parser below read the text again.
 */
import type { ArgValue } from './types.js';

export const U64_MAX = (1n << 64n) - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The canonical spelling of an integer value: number when safe, bigint above. */
export function argValue(v: bigint | number): ArgValue {
  if (typeof v === 'number') return v;
  return v <= SAFE && v >= -SAFE ? Number(v) : v;
}

/** Compare two argument values exactly. */
export function compareValues(a: ArgValue, b: ArgValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Bigints that fit a double exactly become numbers, recursively (YAML read with intAsBigInt). */
export function canonicalNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return argValue(v);
  if (Array.isArray(v)) return v.map(canonicalNumbers);
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = canonicalNumbers(x);
    return o;
  }
  return v;
}

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  private fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.i}`);
  }

  parse(): unknown {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail('Unexpected non-whitespace character after JSON');
    return v;
  }

  private value(): unknown {
    const s = this.s;
    const c = s[this.i];
    if (c === '{') {
      this.i++;
      const o: Record<string, unknown> = {};
      this.ws();
      if (s[this.i] === '}') { this.i++; return o; }
      for (;;) {
        this.ws();
        if (s[this.i] !== '"') this.fail('Expected a property name');
        const k = this.string();
        this.ws();
        if (s[this.i] !== ':') this.fail("Expected ':'");
        this.i++;
        this.ws();
        const v = this.value();
        // Own property even for "__proto__", as JSON.parse does.
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        this.ws();
        if (s[this.i] === ',') { this.i++; continue; }
        if (s[this.i] === '}') { this.i++; return o; }
        this.fail("Expected ',' or '}'");
      }
    }
    if (c === '[') {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (s[this.i] === ']') { this.i++; return a; }
      for (;;) {
        this.ws();
        a.push(this.value());
        this.ws();
        if (s[this.i] === ',') { this.i++; continue; }
        if (s[this.i] === ']') { this.i++; return a; }
        this.fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return this.string();
    if (s.startsWith('true', this.i)) { this.i += 4; return true; }
    if (s.startsWith('false', this.i)) { this.i += 5; return false; }
    if (s.startsWith('null', this.i)) { this.i += 4; return null; }
    return this.number();
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    for (;;) {
      const j = s.indexOf('"', this.i);
      if (j < 0) this.fail('Unterminated string');
      let bs = 0;
      for (let k = j - 1; k > start && s[k] === '\\'; k--) bs++;
      this.i = j + 1;
      if (bs % 2 === 0) break;
    }
    return JSON.parse(s.slice(start, this.i)) as string;
  }

  private number(): ArgValue {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r || !r[0] || r[0] === '-') this.fail(`Unexpected token '${this.s[this.i] ?? 'end of input'}'`);
    this.i += r[0].length;
    // Integer literals are read exactly; fractions and exponents are doubles (and never valid argument values above 2^53).
    if (!r[1] && !r[2]) return argValue(BigInt(r[0]));
    return Number(r[0]);
  }
}

/**
 * JSON.parse, but integer literals beyond 2^53 come back as exact bigints.
 * Syntax errors are JSON.parse's own.
 */
export function parseJsonExact(text: string): unknown {
  const v: unknown = JSON.parse(text);
  if (!/\d{16}/.test(text)) return v;
  return new ExactParser(text).parse();
}

/** JSON.stringify that writes bigints as integer literals (exactly). */
export function stringifyJsonExact(v: unknown, indent?: number): string {
  let nonce = '';
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x !== 'bigint') return x;
    nonce ||= `\u0001u64-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}:`;
    return `${nonce}${x.toString()}`;
  }, indent);
  if (!nonce) return text;
  const q = JSON.stringify(nonce).slice(1, -1).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return text.replace(new RegExp(`"${q}(-?\\d+)"`, 'g'), '$1');
}
