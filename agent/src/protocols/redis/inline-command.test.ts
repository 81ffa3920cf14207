import { splitInline } from './inline-command';

const split = (text: string) => splitInline(Buffer.from(text, 'latin1'));

describe('splitInline', () => {
  it.each([
    ['SET k v', ['SET', 'k', 'v']],
    ['  GET\t k  ', ['GET', 'k']],
    ['', []],
    ['SET k "a b"', ['SET', 'k', 'a b']],
    ['SET k "\\x41\\x4a\\n\\t\\"\\\\\\q"', ['SET', 'k', 'AJ\n\t"\\q']],
    ["SET k 'it\\'s \\n'", ['SET', 'k', "it's \\n"]],
    ['SET k ""', ['SET', 'k', '']],
    ['SET k"x y" z', ['SET', 'kx y', 'z']],
    ['SET k \xc3\xa9', ['SET', 'k', '\u00e9']],
    ['PING\x00 ignored after a NUL', ['PING']],
    ['SET k a\x0bb', ['SET', 'k', 'a\x0bb']],
  ])('splits %j as Redis does', (line, words) => {
    expect(split(line)).toEqual(words);
  });

  it.each(['SET k "open', "SET k 'open", 'SET k "a"b', "SET k 'a'b", 'SET k "a\x00"'])(
    'rejects %j, as Redis does',
    (line) => {
      expect(split(line)).toBeUndefined();
    },
  );
});
