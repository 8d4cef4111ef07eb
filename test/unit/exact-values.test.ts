// 64-bit argument values are read, compared and written exactly (never through a double).
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as yamlStringify } from 'yaml';
import { diffProfiles } from '../../src/algebra/diff.js';
import { evaluator } from '../../src/algebra/evaluate.js';
import { mergeProfiles } from '../../src/algebra/merge.js';
import { normalizeProfile } from '../../src/algebra/normalize.js';
import { argHolds, argInWords } from '../../src/generate/conditions.js';
import { parseJsonExact, stringifyJsonExact } from '../../src/profile/exact-json.js';
import { parseProfileText } from '../../src/profile/load.js';
import { profileToCrd, profileToJson } from '../../src/profile/serialize.js';
import { validateProfile } from '../../src/profile/validate.js';
import { refusal } from '../helpers/profiles.js';

const U64_MAX = '18446744073709551615'; // 2^64-1
const P63 = '9223372036854775808'; // 2^63
const P53_1 = '9007199254740993'; // 2^53+1 (a double reads it as 2^53)
const MASK = '18446744069414584320'; // 0xffffffff00000000

/** A profile text with integer literals spliced in as written. */
function profileText(v: Record<string, string>): string {
  return `{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": ${v.a ?? U64_MAX}, "op": "SCMP_CMP_EQ" } ] },
    { "names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 1, "value": ${v.b ?? P53_1}, "op": "SCMP_CMP_EQ" } ] },
    { "names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 3, "value": ${v.c ?? MASK}, "valueTwo": ${v.d ?? P63}, "op": "SCMP_CMP_MASKED_EQ" } ] }
  ]
}`;
}

const load = (text: string, name = 'p.json') => parseProfileText(text, name)[0]!.profile;

const bad = (text: string, name = 'p.json'): string => refusal(text, name);

describe('parseJsonExact / stringifyJsonExact', () => {
  it('integer literals beyond 2^53 come back as exact bigints, the rest as JSON.parse gives them', () => {
    const t = `{"a": ${U64_MAX}, "b": [${P63}, ${P53_1}, 9007199254740991, -12345678901234567890], "c": "${U64_MAX} \\" ${P63}", "d": 1.5e300, "e": 0.1, "__proto__": 1}`;
    const v = parseJsonExact(t) as Record<string, unknown>;
    expect(v.a).toBe(18446744073709551615n);
    expect(v.b).toEqual([9223372036854775808n, 9007199254740993n, 9007199254740991, -12345678901234567890n]);
    expect(v.c).toBe(`${U64_MAX} " ${P63}`);
    expect(v.d).toBe(1.5e300);
    expect(v.e).toBe(0.1);
    expect(Object.keys(v)).toEqual(Object.keys(JSON.parse(t)));
    expect(stringifyJsonExact(v)).toBe(`{"a":${U64_MAX},"b":[${P63},${P53_1},9007199254740991,-12345678901234567890],"c":"${U64_MAX} \\" ${P63}","d":1.5e+300,"e":0.1,"__proto__":1}`);
  });
  it('syntax errors are still errors', () => {
    expect(() => parseJsonExact(`{"a": ${U64_MAX},}`)).toThrow(SyntaxError);
  });
});

describe('profiles with 64-bit values', () => {
  it('load → write keeps 2^64-1, 2^63, 2^53+1 and a 64-bit mask digit for digit', () => {
    const p = load(profileText({}));
    expect(p.syscalls!.map((r) => r.args![0]!.value)).toEqual([18446744073709551615n, 9007199254740993n, 18446744069414584320n]);
    expect(p.syscalls![2]!.args![0]!.valueTwo).toBe(9223372036854775808n);
    const out = profileToJson(p);
    for (const n of [U64_MAX, P63, P53_1, MASK]) expect(out).toContain(`: ${n}`);
    expect(out).not.toMatch(/18446744073709552000|9007199254740992|e\+/);
    // And again: a fixed point.
    expect(profileToJson(load(out))).toBe(out);
    expect(profileToJson(normalizeProfile(p))).toContain(`"value": ${U64_MAX}`);
  });

  it('small values stay numbers (one spelling per value: equality is exact)', () => {
    const p = load(profileText({ a: '4294967295', b: '9007199254740991' }));
    expect(p.syscalls![0]!.args![0]!.value).toBe(4294967295);
    expect(p.syscalls![1]!.args![0]!.value).toBe(9007199254740991);
  });

  it('SeccompProfile YAML: 64-bit values exact in and out (also hex)', () => {
    const crd = `apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: big}
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - names: [personality]
    action: SCMP_ACT_ALLOW
    args: [{index: 0, value: ${U64_MAX}, op: SCMP_CMP_EQ}]
  - names: [mmap]
    action: SCMP_ACT_ALLOW
    args: [{index: 3, value: 0xffffffff00000000, valueTwo: ${P63}, op: SCMP_CMP_MASKED_EQ}]
`;
    const p = load(crd, 'big.yaml');
    expect(p.syscalls![0]!.args![0]!.value).toBe(18446744073709551615n);
    expect(p.syscalls![1]!.args![0]).toEqual({ index: 3, value: 18446744069414584320n, valueTwo: 9223372036854775808n, op: 'SCMP_CMP_MASKED_EQ' });
    const y = profileToCrd(p, { name: 'big' });
    expect(y).toContain(`value: ${U64_MAX}`);
    expect(y).toContain(`valueTwo: ${P63}`);
    expect(parseYaml(y, { intAsBigInt: true }).spec.syscalls[0].args[0].value).toBe(18446744073709551615n);
    expect(profileToJson(load(y, 'again.yaml'))).toBe(profileToJson(p));
    // Small YAML ints are numbers again (index, errnoRet).
    expect(typeof p.syscalls![0]!.args![0]!.index).toBe('number');
    expect(yamlStringify(1)).toBe('1\n');
  });

  it('negative or above 2^64-1: an input error naming the path', () => {
    expect(bad(profileText({ a: '18446744073709551616' }))).toBe('p.json: not a valid seccomp profile: /syscalls/0/args/0/value: 18446744073709551616 is above 2^64-1 (18446744073709551615): not a 64-bit value');
    expect(bad(profileText({ d: '-1' }))).toBe('p.json: not a valid seccomp profile: /syscalls/2/args/0/valueTwo: -1 is negative (seccomp compares unsigned 64-bit values)');
    expect(bad(profileText({ b: '-9223372036854775809' }))).toBe('p.json: not a valid seccomp profile: /syscalls/1/args/0/value: -9223372036854775809 is negative (seccomp compares unsigned 64-bit values)');
    expect(bad(profileText({ a: '1.8446744073709552e19' }))).toBe('p.json: not a valid seccomp profile: /syscalls/0/args/0/value: 18446744073709552000 is not exact (a fraction or exponent above 2^53): write the integer in digits');
    expect(bad(profileText({ a: '1.5' }))).toBe('p.json: not a valid seccomp profile: /syscalls/0/args/0/value: must be integer');
    const crd = `apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: x}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - {names: [a], action: SCMP_ACT_ALLOW, args: [{index: 0, value: 18446744073709551616, op: SCMP_CMP_EQ}]}\n`;
    expect(bad(crd, 'x.yaml')).toBe('x.yaml: not a valid seccomp profile: /spec/syscalls/0/args/0/value: 18446744073709551616 is above 2^64-1 (18446744073709551615): not a 64-bit value');
    expect(validateProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 18446744073709551615n, op: 'SCMP_CMP_EQ' }] }] }).ok).toBe(true);
  });

  it('diff tells 2^53+1 from 2^53, merge keeps both rules apart', () => {
    const a = load(profileText({}));
    const b = load(profileText({ b: '9007199254740992' }));
    const d = diffProfiles(a, b);
    expect(d.equal).toBe(false);
    expect(diffProfiles(a, load(profileText({}))).equal).toBe(true);
    const m = mergeProfiles([{ source: 'a', profile: a }, { source: 'b', profile: b }]).profile;
    const ioctl = m.syscalls!.filter((r) => r.names.includes('ioctl')).map((r) => r.args![0]!.value);
    expect(ioctl.sort()).toEqual([9007199254740992n, 9007199254740993n]); // 2^53 is above MAX_SAFE_INTEGER: a bigint too
    expect(profileToJson(m)).toContain(`"value": ${P53_1}`);
  });

  it('evaluation compares all 64 bits', () => {
    const ev = evaluator(load(profileText({})));
    expect(ev('personality', [18446744073709551615n]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('personality', [18446744073709551614n]).action).toBe('SCMP_ACT_ERRNO');
    expect(ev('ioctl', [0n, 9007199254740993n]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('ioctl', [0n, 9007199254740992n]).action).toBe('SCMP_ACT_ERRNO');
    // (arg3 & 0xffffffff00000000) == 2^63
    expect(ev('mmap', [0n, 0n, 0n, 0x8000000012345678n]).action).toBe('SCMP_ACT_ALLOW');
    expect(ev('mmap', [0n, 0n, 0n, 0x8000000112345678n]).action).toBe('SCMP_ACT_ERRNO');
    expect(argHolds({ index: 0, value: 18446744073709551615n, op: 'SCMP_CMP_GE' }, 18446744073709551615n)).toBe(true);
    expect(argInWords({ index: 3, value: 18446744069414584320n, valueTwo: 9223372036854775808n, op: 'SCMP_CMP_MASKED_EQ' })).toBe('(arg3 & 0xffffffff00000000) == 0x8000000000000000');
  });
});

describe('profiles generated from recordings', () => {
  it('a recorded 64-bit argument the baseline does not allow becomes an exact EQ rule (it used to count as unknown)', async () => {
    const { Collector } = await import('../../src/collect/collector.js');
    const { generateProfile } = await import('../../src/generate/index.js');
    const c = new Collector();
    c.add({ arch: 'x86_64', name: 'personality', args: [18446744073709551615n] });
    c.add({ arch: 'x86_64', name: 'personality', args: [18446744073709551615n] });
    const { profile, report } = generateProfile(c.result(), { baseline: 'containerd', runtime: 'none', kernel: '6.1' });
    expect(report.narrowed).toEqual([{ name: 'personality', args: [[{ index: 0, value: 18446744073709551615n, op: 'SCMP_CMP_EQ' }]], why: expect.any(String) }]);
    expect(profileToJson(profile)).toContain(`"value": ${U64_MAX}`);
    expect(evaluator(profile)('personality', [18446744073709551615n]).action).toBe('SCMP_ACT_ALLOW');
    expect(evaluator(profile)('personality', [18446744073709551614n]).action).toBe('SCMP_ACT_ERRNO');
  });
});
