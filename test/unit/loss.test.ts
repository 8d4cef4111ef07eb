import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import { addLoss, lostRecords, noLoss } from '../../src/collect/loss.js';
import { parseAuditLine } from '../../src/ingest/audit/index.js';

/** What the kernel prints per lost-record event (audit_log_lost(): the counter, then audit_panic's message). */
const event = (n: number) => [
  `[ 90.${n}] audit: audit_lost=${n} audit_rate_limit=0 audit_backlog_limit=64`,
  `[ 90.${n}] audit: backlog limit exceeded`,
];

function tally(lines: string[]) {
  const c = noLoss();
  for (const l of lines) addLoss(c, parseAuditLine(l));
  return c;
}

describe('loss signals', () => {
  it('audit_lost is a cumulative counter: the span of the values seen, not their sum', () => {
    const c = tally([...event(5), ...event(6), ...event(9)]);
    expect(c.signals).toBe(6);
    expect(lostRecords(c)).toBe(5); // records 5..9 were lost (the sum 5+6+9 would say 20)
  });

  it('limit lines without counters count one each; suppressed messages add', () => {
    expect(lostRecords(tally(['[ 1.0] audit: backlog limit exceeded', '[ 1.1] audit: rate limit exceeded']))).toBe(2);
    expect(lostRecords(tally(['[ 1.0] kauditd_printk_skb: 15 callbacks suppressed', ...event(3)]))).toBe(16);
  });

  it('the larger estimate wins when limit lines outnumber the counter span (counter lines rate-limited away)', () => {
    expect(lostRecords(tally([...event(4), '[ 1.0] audit: backlog limit exceeded', '[ 1.1] audit: backlog limit exceeded']))).toBe(3);
  });

  it('collectors of several files merge the counters, not the estimates', () => {
    const a = new Collector();
    const b = new Collector();
    for (const [i, l] of event(10).entries()) a.line(parseAuditLine(l), i + 1, l);
    for (const [i, l] of event(14).entries()) b.line(parseAuditLine(l), i + 1, l);
    a.absorb(b.result());
    expect(a.result().lost).toBe(5); // 10..14; each alone says 1, 1 + 1 would be wrong as well
    expect(a.result().lossSignals).toBe(4);
  });

  it('no signal, no loss', () => {
    expect(lostRecords(tally(['type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=1', 'hello']))).toBe(0);
  });
});
