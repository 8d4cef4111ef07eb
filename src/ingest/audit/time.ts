/** Record timestamps: `audit(SECONDS.FRAC:SERIAL)` and ausearch -i's local-time form. */
import { intIn } from './decode.js';


export interface Stamp {
  time?: number;
  serial?: number;
}

/** `audit(1795356307.397:4)` (p just after the parenthesis) → stamp; returns the index of `)`, or -1. */
export function rawStamp(s: string, p: number, out: Stamp): number {
  let sec = 0;
  let c = s.charCodeAt(p);
  if (c < 48 || c > 57) return -1;
  for (; c >= 48 && c <= 57; c = s.charCodeAt(++p)) sec = sec * 10 + (c - 48);
  let frac = 0;
  let scale = 1;
  if (c === 46) {
    for (c = s.charCodeAt(++p); c >= 48 && c <= 57; c = s.charCodeAt(++p)) {
      if (scale < 1e9) {
        frac = frac * 10 + (c - 48);
        scale *= 10;
      }
    }
  }
  if (c !== 58) return -1;
  let serial = 0;
  for (c = s.charCodeAt(++p); c >= 48 && c <= 57; c = s.charCodeAt(++p)) serial = serial * 10 + (c - 48);
  if (c !== 41) return -1;
  // (sec·10^k + frac) / 10^k is exact in both operands, so this is the double nearest the printed decimal.
  out.time = scale === 1 ? sec : (sec * scale + frac) / scale;
  out.serial = serial;
  return p;
}

const DATE_STAMP = /^(\d\d)\/(\d\d)\/(\d{2}|\d{4}) (\d\d):(\d\d):(\d\d)$/;
/** The last `MM/DD/YY HH:MM:SS` seen and its epoch seconds (a log holds many records per second); one per parser. */
export class DateCache {
  lastDate = '';
  lastEpoch: number | undefined;
}

/** ausearch -i: `audit(11/23/2026 06:05:01.137:3)` in local time (C/en_US %x); other locales leave time unset. */
export function interpretedStamp(t: DateCache, s: string, p: number, out: Stamp): number {
  const close = s.indexOf(')', p);
  if (close < 0) return -1;
  const colon = s.lastIndexOf(':', close);
  if (colon <= p) return -1;
  const serial = intIn(s, colon + 1, close);
  if (serial >= 0) out.serial = serial;
  const dot = s.lastIndexOf('.', colon);
  const date = s.slice(p, dot > p ? dot : colon);
  if (date !== t.lastDate) {
    t.lastDate = date;
    const m = DATE_STAMP.exec(date);
    t.lastEpoch = m
      ? new Date(m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() / 1000
      : undefined;
  }
  if (t.lastEpoch !== undefined) {
    const frac = dot > p ? intIn(s, dot + 1, colon) : NaN;
    const scale = 10 ** (colon - dot - 1);
    out.time = frac === frac && scale <= 1e9 ? (t.lastEpoch * scale + frac) / scale : t.lastEpoch;
  }
  return close;
}

