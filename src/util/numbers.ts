/** Parse a decimal or 0x-hex integer (optionally negative); undefined when it is not one. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  return undefined;
}
