/**
 * How many audit records a log says were dropped, from its loss signals.
 * The signals do not simply add up:
 *  - `kauditd_printk_skb: N callbacks suppressed`: N kernel messages were not
 *    printed (printk rate limit): N is added.
 *  - `audit: backlog limit exceeded` / `rate limit exceeded` / `printk limit
 *    exceeded`: at least one record was dropped.
 *  - `audit: audit_lost=N …` (printed by the kernel's audit_log_lost() right
 *    before the limit line of the same event) and auditd's `audit_lost=N`:
 *    N is the kernel's counter since boot, cumulative. Within one log the
 *    records lost are (last − first + 1) of the values seen — summing them
 *    would count the same losses again and again.
 * When counters are present the limit lines are the same events, so the
 * larger of the two estimates is taken, not their sum.
 */
import type { LineResult } from '../types.js';

export interface LossCounts {
  /** Sum of `callbacks suppressed` counts. */
  suppressed: number;
  /** Limit-exceeded lines. */
  limitLines: number;
  /** Smallest and largest audit_lost counter seen (Infinity / -Infinity when none). */
  counterMin: number;
  counterMax: number;
  /** Loss-signal lines seen. */
  signals: number;
}

export function noLoss(): LossCounts {
  return { suppressed: 0, limitLines: 0, counterMin: Infinity, counterMax: -Infinity, signals: 0 };
}

/** Count one line's loss signal, if it has one. */
export function addLoss(c: LossCounts, res: LineResult): void {
  if (res.lost === undefined && res.lostCounter === undefined) return;
  c.signals++;
  if (res.lostCounter !== undefined) {
    if (res.lostCounter < c.counterMin) c.counterMin = res.lostCounter;
    if (res.lostCounter > c.counterMax) c.counterMax = res.lostCounter;
  } else if (res.limit) c.limitLines++;
  else c.suppressed += res.lost!;
}

export function mergeLoss(into: LossCounts, o: LossCounts): void {
  into.suppressed += o.suppressed;
  into.limitLines += o.limitLines;
  into.counterMin = Math.min(into.counterMin, o.counterMin);
  into.counterMax = Math.max(into.counterMax, o.counterMax);
  into.signals += o.signals;
}

/** Records lost, as well as the signals tell. */
export function lostRecords(c: LossCounts): number {
  const span = c.counterMax >= c.counterMin ? c.counterMax - c.counterMin + 1 : 0;
  return c.suppressed + Math.max(span, c.limitLines);
}
