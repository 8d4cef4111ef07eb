import { describe, expect, it } from 'vitest';
import { escapeControl, firstLines, showArgv, splitCommand } from '../../src/util/argv.js';
import { UserError } from '../../src/errors.js';

describe('splitCommand: shell quoting, no shell', () => {
  it.each([
    ['curl -fsS http://127.0.0.1:8080/', ['curl', '-fsS', 'http://127.0.0.1:8080/']],
    ['  redis-cli   -p 6379\tping ', ['redis-cli', '-p', '6379', 'ping']],
    [`sh -c 'echo a | wc -c; exit $X'`, ['sh', '-c', 'echo a | wc -c; exit $X']],
    ['grep "a b" \'c"d\'', ['grep', 'a b', 'c"d']],
    ['echo "x\\"y\\\\z \\$HOME"', ['echo', 'x"y\\z $HOME']],
    ['echo a\\ b \\|', ['echo', 'a b', '|']],
    ["x '' \"\"", ['x', '', '']],
    ["curl 'http://h/?a=1&b=2'", ['curl', 'http://h/?a=1&b=2']],
  ])('%s', (s, argv) => {
    expect(splitCommand(s)).toEqual(argv);
  });

  it.each([
    ['curl http://h/ | head', /'\|' is shell syntax/],
    ['echo $HOME', /'\$' is shell syntax/],
    ['ls *.c', /'\*' is shell syntax/],
    ['a; b', /';' is shell syntax/],
    ['x > out', /'>' is shell syntax/],
    ['echo "$HOME"', /would not expand/],
    ["echo 'unterminated", /unbalanced '/],
    ['echo "unterminated', /unbalanced "/],
    ['echo \\', /ends with a backslash/],
    ['   ', /empty/],
  ])('refuses %s', (s, re) => {
    expect(() => splitCommand(s, '--probe')).toThrow(UserError);
    expect(() => splitCommand(s, '--probe')).toThrow(re);
  });
});

describe('escaping for the terminal', () => {
  it('escapes C0, DEL and C1 control characters, keeps tabs and text', () => {
    expect(escapeControl('a\x1b[31mred\x07\tok\r\x7f\u009bz é', { tabs: true })).toBe('a\\x1b[31mred\\x07\tok\\x0d\\x7f\\x9bz é');
  });
  it('firstLines: non-empty lines, cut and escaped', () => {
    expect(firstLines('\n a\x1b\n\nb\nc\n', 2)).toEqual([' a\\x1b', 'b']);
    expect(firstLines('x'.repeat(10), 1, 4)).toEqual(['xxxx…']);
  });
  it('showArgv quotes what a shell would split', () => {
    expect(showArgv(['sh', '-c', "echo 'hi'; exit 3", 'a\x1b'])).toBe(`sh -c 'echo '\\''hi'\\''; exit 3' 'a\\x1b'`);
  });
});
