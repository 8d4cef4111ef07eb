import { describe, expect, test } from 'vitest';
import { actionOf, parseAuditLine } from '../../src/ingest/audit.js';

const RAW = 'type=SECCOMP msg=audit(1795356307.397:4): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=2426 comm="logtest" exe="/tmp/logtest" sig=0 arch=c000003e syscall=63 compat=0 ip=0x7f1 code=0x7ffc0000';

describe('parseAuditLine', () => {
  test('auditd raw: every field', () => {
    expect(parseAuditLine(RAW)).toEqual({
      kind: 'parsed',
      obs: [{ arch: 'x86_64', nr: 63, pid: 2426, comm: 'logtest', exe: '/tmp/logtest', uid: 0, gid: 0, auid: 4294967295, time: 1795356307.397, serial: 4, action: 'log' }],
    });
  });

  test('enriched: everything after 0x1D is ignored (arch + number win)', () => {
    const r = parseAuditLine(`${RAW}\x1dAUID="unset" UID="root" ARCH=i386 SYSCALL=openat arch=40000003 syscall=5`);
    expect(r.obs![0]).toMatchObject({ arch: 'x86_64', nr: 63 });
  });

  test('actions from code=', () => {
    const codes: Array<[number, string]> = [[0x7ffc0000, 'log'], [0x00050001, 'errno'], [0x00030000, 'trap'], [0, 'kill_thread'], [0x80000000, 'kill_process'], [0x7fc00000, 'user_notif'], [0x7ff00000, 'trace'], [0x7fff0000, 'allow']];
    for (const [c, name] of codes) {
      expect(actionOf(c)).toBe(name);
      expect(parseAuditLine(RAW.replace('code=0x7ffc0000', `code=0x${c.toString(16)}`)).obs![0]!.action).toBe(name);
    }
  });

  test('x32: x86_64 code with the x32 bit', () => {
    expect(parseAuditLine(RAW.replace('syscall=63', 'syscall=1073741863')).obs![0]).toMatchObject({ arch: 'x32', nr: 1073741863 });
  });

  test('negative numbers pass through for collect to report', () => {
    expect(parseAuditLine(RAW.replace('syscall=63', 'syscall=-1')).obs![0]).toMatchObject({ arch: 'x86_64', nr: -1 });
  });

  test('a value that looks like a field is a value', () => {
    const r = parseAuditLine(RAW.replace('comm="logtest"', 'comm="arch=40000028 syscall=5"'));
    expect(r.obs![0]).toMatchObject({ arch: 'x86_64', nr: 63, comm: 'arch=40000028 syscall=5' });
  });

  test('printk behind every dmesg/syslog prefix', () => {
    const k = RAW.replace('type=SECCOMP msg=audit', 'audit: type=1326 audit');
    for (const p of ['[ 1234.567890] ', '[Mon Nov 23 06:05:01 2026] ', '<5>[ 1234.567890] ', '5,123,456,-;', 'Nov 22 14:05:01 host kernel: ',
      '<13>1 2026-11-22T14:05:01.123+00:00 host kernel - - - ', '2026-11-22T14:05:01.123456+00:00 host kernel: ', 'Nov 22 14:05:01 host kernel: [ 1234.5] ']) {
      expect(parseAuditLine(p + k).obs?.[0], p).toMatchObject({ arch: 'x86_64', nr: 63, pid: 2426 });
    }
  });

  test('not records: SYSCALL, EXECVE, AVC, USER quoting SECCOMP, unrelated', () => {
    for (const l of [
      'type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=59 success=yes exit=0 comm="x"',
      'type=AVC msg=audit(1.2:3): avc:  denied  { read } for pid=1 comm="SECCOMP"',
      "type=USER msg=audit(1.2:3): pid=1 uid=0 msg='text=type=SECCOMP arch=c000003e syscall=1'",
      'audit: type=1300 audit(1.2:3): arch=c000003e syscall=44 success=yes',
      'Nov 23 07:38:40 host systemd[1]: Started SECCOMP test.',
      '',
    ]) expect(parseAuditLine(l), l).toEqual({ kind: 'ignored' });
  });

  test('journald short and json (MESSAGE as string or byte array)', () => {
    expect(parseAuditLine('Nov 23 07:38:39 host audit[2426]: SECCOMP auid=0 uid=0 gid=0 ses=1 pid=2426 comm="a" exe="/a" sig=0 arch=40000003 syscall=5 compat=1 ip=0x1 code=0x50000').obs![0])
      .toMatchObject({ arch: 'x86', nr: 5, action: 'errno', pid: 2426 });
    const msg = 'auid=0 uid=0 gid=0 ses=1 pid=2426 comm="a" exe="/a" sig=0 arch=c000003e syscall=1 compat=0 ip=0x1 code=0x7ffc0000';
    const j = { _AUDIT_TYPE: '1326', _PID: '2426', _AUDIT_FIELD_ARCH: 'c000003e', _AUDIT_FIELD_SYSCALL: '1', MESSAGE: [...Buffer.from(msg)], __REALTIME_TIMESTAMP: '1795356307397000' };
    expect(parseAuditLine(JSON.stringify(j)).obs![0]).toMatchObject({ arch: 'x86_64', nr: 1, pid: 2426, comm: 'a', time: 1795356307.397 });
    expect(parseAuditLine('{"_AUDIT_TYPE":"1326",').kind).toBe('malformed');
  });

  test('ausearch -i: names, unknown-syscall(N), interpreted actions', () => {
    const i = 'type=SECCOMP msg=audit(11/23/2026 06:05:01.137:3) : auid=unset uid=root gid=root ses=unset pid=7 comm=my app exe=/tmp/my app sig=SIG0 arch=x86_64 syscall=openat compat=0 ip=0x1 code=log';
    expect(parseAuditLine(i).obs![0]).toMatchObject({ arch: 'x86_64', name: 'openat', comm: 'my app', exe: '/tmp/my app', action: 'log', serial: 3 });
    expect(parseAuditLine(i.replace('syscall=openat', 'syscall=unknown-syscall(999)')).obs![0]).toMatchObject({ nr: 999 });
    expect(parseAuditLine(i.replace('arch=x86_64', 'arch=i386')).obs![0]).toMatchObject({ arch: 'x86' });
  });

  test('loss signals', () => {
    expect(parseAuditLine('[ 5648.688202] kauditd_printk_skb: 15 callbacks suppressed')).toEqual({ kind: 'ignored', lost: 15 });
    expect(parseAuditLine('[ 1.0] audit: backlog limit exceeded')).toEqual({ kind: 'ignored', lost: 1 });
    expect(parseAuditLine('[ 1.0] audit: rate limit exceeded')).toEqual({ kind: 'ignored', lost: 1 });
    expect(parseAuditLine('type=DAEMON_ROTATE msg=audit(1.0:0): op=rotate audit_lost=7 res=success')).toEqual({ kind: 'ignored', lost: 7 });
  });

});
