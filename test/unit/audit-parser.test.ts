import { describe, expect, test } from 'vitest';
import { actionOf, parseAuditLine } from '../../src/ingest/audit/index.js';

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
    expect(parseAuditLine('[ 1.0] audit: backlog limit exceeded')).toEqual({ kind: 'ignored', lost: 1, limit: true });
    expect(parseAuditLine('[ 1.0] audit: rate limit exceeded')).toEqual({ kind: 'ignored', lost: 1, limit: true });
    expect(parseAuditLine('type=DAEMON_ROTATE msg=audit(1.0:0): op=rotate audit_lost=7 res=success')).toEqual({ kind: 'ignored', lostCounter: 7 });
  });


  test('fields out of the kernel order, extra LSM subjects, exe=(null): the general scanner takes over', () => {
    expect(parseAuditLine('type=SECCOMP msg=audit(1.5:9): comm="a b" pid=3 arch=c000003e syscall=2 code=0x7ffc0000').obs![0])
      .toMatchObject({ arch: 'x86_64', nr: 2, pid: 3, comm: 'a b', time: 1.5, serial: 9 });
    const multi = RAW.replace('ses=4294967295', 'ses=4294967295 subj_selinux=system_u:system_r:container_t:s0 subj_apparmor=unconfined');
    expect(parseAuditLine(multi).obs![0]).toMatchObject({ arch: 'x86_64', nr: 63, pid: 2426, comm: 'logtest' });
    expect(parseAuditLine(RAW.replace('exe="/tmp/logtest"', 'exe=(null)')).obs![0]).toMatchObject({ nr: 63, exe: '(null)' });
  });

  test('hex-encoded comm/exe decode as UTF-8; a quoted hex-looking comm stays as it is', () => {
    expect(parseAuditLine(RAW.replace('comm="logtest"', 'comm=C3A96170702022').replace('exe="/tmp/logtest"', 'exe=2F746D702F6D7920617070')).obs![0])
      .toMatchObject({ comm: 'éapp "', exe: '/tmp/my app' });
    expect(parseAuditLine(RAW.replace('comm="logtest"', 'comm="CAFE"')).obs![0]!.comm).toBe('CAFE');
  });

  test('the record type is the one just before audit(, whatever the prefix holds', () => {
    const k = RAW.replace('type=SECCOMP msg=audit', 'audit: type=1326 audit');
    expect(parseAuditLine(`<13>1 2026-11-22T14:05:01Z host kernel - [x type="k"] ${k}`).kind).toBe('parsed');
    expect(parseAuditLine(`node=h1 ${RAW}`).obs![0]).toMatchObject({ nr: 63, serial: 4 });
    expect(parseAuditLine(RAW.replace('type=SECCOMP', 'type=UNKNOWN[1326]')).kind).toBe('parsed');
    expect(parseAuditLine(RAW.replace('type=SECCOMP', 'type=SECCOMPX')).kind).toBe('ignored');
    expect(parseAuditLine(k.replace('type=1326', 'type=1300')).kind).toBe('ignored');
  });

  test('journald without a prefix (-o cat), verbose/export MESSAGE=, AUDIT1326; SECCOMP elsewhere in a line is not a record', () => {
    const body = RAW.slice(RAW.indexOf('auid='));
    for (const l of [`SECCOMP ${body}`, `    MESSAGE=SECCOMP ${body}`, `MESSAGE=SECCOMP ${body}`, `Nov 23 07:38:39 host audit[2426]: AUDIT1326 ${body}`, `Nov 23 07:38:39 host audit: SECCOMP ${body}`]) {
      expect(parseAuditLine(l).obs?.[0], l).toMatchObject({ arch: 'x86_64', nr: 63, pid: 2426 });
    }
    for (const l of [`x MESSAGE=SECCOMP ${body}`, `Nov 23 host sshd[5]: SECCOMP ${body}`, `Nov 23 host audit[x]: SECCOMP ${body}`, '    _AUDIT_TYPE_NAME=SECCOMP', '    _AUDIT_TYPE=1326']) {
      expect(parseAuditLine(l), l).toEqual({ kind: 'ignored' });
    }
  });

  test('journald JSON: the source timestamp and _AUDIT_ID win; MESSAGE with the type name in front', () => {
    const j = {
      _AUDIT_TYPE: '1326', _AUDIT_ID: '77', _SOURCE_REALTIME_TIMESTAMP: '1795356307397000', __REALTIME_TIMESTAMP: '1795356308000000', _PID: '9', _COMM: 'my "app"',
      MESSAGE: 'SECCOMP auid=0 uid=0 gid=0 ses=1 pid=9 comm=6D7920226170702220 exe="/a" sig=0 arch=40000003 syscall=5 compat=1 ip=0x1 code=0x50001',
    };
    expect(parseAuditLine(JSON.stringify(j)).obs![0]).toMatchObject({ arch: 'x86', nr: 5, pid: 9, comm: 'my "app" ', time: 1795356307.397, serial: 77, action: 'errno' });
    expect(parseAuditLine(JSON.stringify({ _AUDIT_TYPE: '1300', MESSAGE: 'SYSCALL arch=c000003e syscall=1' }))).toEqual({ kind: 'ignored' });
  });

  test('garbled records are malformed, with the reason', () => {
    expect(parseAuditLine('type=SECCOMP msg=audit(1.2:3: arch=c000003e syscall=1')).toMatchObject({ kind: 'malformed', reason: 'seccomp record with a garbled audit(time:serial)' });
    expect(parseAuditLine('type=SECCOMP pid=1 arch=c000003e syscall=1')).toMatchObject({ kind: 'malformed', reason: 'seccomp record without audit(time:serial)' });
    expect(parseAuditLine(RAW.replace('arch=c000003e', 'arch=x86_64'))).toMatchObject({ kind: 'malformed', reason: 'arch=x86_64 is not an audit arch code' });
    expect(parseAuditLine(RAW.replace('syscall=63', 'syscall=openat'))).toMatchObject({ kind: 'malformed', reason: 'syscall=openat is not a number' });
    expect(parseAuditLine(RAW.replace('syscall=63', 'syscall=6x3'))).toMatchObject({ kind: 'malformed', reason: 'syscall=6x3 is not a number' });
    expect(parseAuditLine(RAW.replace('pid=2426', 'pid=24z6')).obs![0]).toMatchObject({ nr: 63, pid: undefined });
    // A line cut short mid-record (a log being written).
    expect(parseAuditLine(RAW.slice(0, RAW.indexOf(' syscall=') + 4))).toMatchObject({ kind: 'malformed', reason: 'seccomp record without syscall=' });
  });

  test('more loss signals; a timestamp holding 1326 does not hide one; hold-queue overflow is not a loss', () => {
    expect(parseAuditLine('[ 1326.000001] kauditd_printk_skb: 4 callbacks suppressed')).toEqual({ kind: 'ignored', lost: 4 });
    expect(parseAuditLine('[   12.5] audit: printk limit exceeded')).toEqual({ kind: 'ignored', lost: 1, limit: true });
    expect(parseAuditLine('[   12.5] audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64')).toEqual({ kind: 'ignored', lostCounter: 5 });
    expect(parseAuditLine('[   12.5] audit: kauditd hold queue overflow')).toEqual({ kind: 'ignored' });
    expect(parseAuditLine('[   12.5] foo_printk_skb: 4 callbacks suppressed')).toEqual({ kind: 'ignored' });
  });

  test('ausearch -i: unknown-syscall(-1), x32 by number, local time with its fraction', () => {
    const i = 'type=SECCOMP msg=audit(11/23/2026 06:05:01.137:3) : auid=unset uid=root gid=root ses=unset pid=7 comm=a exe=/a sig=SIG0 arch=x86_64 syscall=unknown-syscall(-1) compat=0 ip=0x1 code=log';
    const o = parseAuditLine(i).obs![0]!;
    expect(o).toMatchObject({ arch: 'x86_64', nr: -1, serial: 3 });
    expect(o.time).toBeCloseTo(new Date(2026, 10, 23, 6, 5, 1).getTime() / 1000 + 0.137, 6);
    expect(parseAuditLine(i.replace('unknown-syscall(-1)', 'unknown-syscall(1073741863)')).obs![0]).toMatchObject({ arch: 'x32', nr: 1073741863 });
    expect(parseAuditLine(i.replace('arch=x86_64', 'arch=ia64'))).toMatchObject({ kind: 'malformed', reason: "unknown arch 'ia64'" });
  });
});
